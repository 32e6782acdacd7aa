/**
 * fast-check arbitraries for `perf script` text: structurally valid inputs in the layouts perf prints
 * (tracepoint headers with or without `PID/TID` and `[CPU]`, µs or `--ns` times, switch side-band
 * records, lost records; frame lines as in perfText.ts), built from small scenarios of a few threads
 * that wait for the GIL, hand it off, sleep, take locks and get preempted. Events come in time order
 * unless the scenario asks for a step back; the analyzer must cope with any order anyway.
 */
import fc from 'fast-check';
import { KERNEL, LIBC, LIBPYTHON } from './perfText.js';

/** A frame as [name, dso]. */
type Frame = readonly [string, string];

const kernel = (...names: string[]): Frame[] => names.map((name) => [name, KERNEL] as const);
const py = (...names: string[]): Frame[] => names.map((name) => [name, LIBPYTHON] as const);
const libc = (...names: string[]): Frame[] => names.map((name) => [name, LIBC] as const);

const FUTEX_SLEEP = kernel('__schedule', 'schedule', 'futex_wait', 'do_futex', '__x64_sys_futex', 'entry_SYSCALL_64_after_hwframe');
const FUTEX_WAKE = kernel('try_to_wake_up', 'wake_up_q', 'futex_wake', 'do_futex', '__x64_sys_futex', 'do_syscall_64');

/** Frames a random stack is made of below its characteristic top: Python, native, odd names. */
const CALLER_FRAMES: readonly Frame[] = [
  ['_PyEval_EvalFrameDefault', LIBPYTHON],
  ['_PyEval_Vector', LIBPYTHON],
  ['thread_run', LIBPYTHON],
  ['py::work:/app/work.py', '/tmp/perf-100.map'],
  ['py::_load_unlocked:<frozen importlib._bootstrap>', '/tmp/perf-100.map'],
  ['std::thread::_State_impl<void (*)(int)>::_M_run() const', '/usr/lib/libstdc++.so.6'],
  ['[unknown]', '[unknown]'],
  ['compute', '/memfd:x (deleted)'],
  ['sha256_block_data_order_avx2', '/usr/lib/x86_64-linux-gnu/libcrypto.so.3'],
  ['ünïcode_frame', LIBPYTHON],
  ['start_thread', LIBC],
  ['clone3', LIBC],
];

/** What a thread was doing when it switched out; each has its own leaf frames (leaf first). */
const STACK_TOPS: Record<string, readonly Frame[]> = {
  gil: [...FUTEX_SLEEP, ...libc('__futex_abstimed_wait_common', 'pthread_cond_timedwait@@GLIBC_2.3.2'), ...py('take_gil')],
  gilClone: [...FUTEX_SLEEP, ...libc('pthread_cond_timedwait@@GLIBC_2.3.2'), ...py('take_gil.constprop.0')],
  gilInlined: [...FUTEX_SLEEP, ...libc('__GI___lll_lock_wait', 'pthread_cond_timedwait@@GLIBC_2.3.2'), ...py('PyEval_RestoreThread')],
  drop: [...FUTEX_SLEEP, ...libc('pthread_cond_wait@@GLIBC_2.3.2'), ...py('drop_gil')],
  lock: [...FUTEX_SLEEP, ...libc('__futex_abstimed_wait_common'), ...py('PyThread_acquire_lock_timed', 'acquire_timed', 'lock_PyThread_acquire_lock')],
  sleep: [...kernel('__schedule', 'do_select'), ...libc('__select'), ...py('pysleep', 'time_sleep')],
  io: [...kernel('__schedule', 'io_schedule', 'blk_mq_get_tag'), ...libc('__libc_pread64'), ...py('_io_FileIO_readinto')],
  preempted: [...kernel('__schedule', 'preempt_schedule_irq', 'asm_sysvec_apic_timer_interrupt'), ...py('_PyEval_EvalFrameDefault')],
  none: [],
};
export const STACK_KINDS = Object.keys(STACK_TOPS);

const WAKE_TOPS: Record<string, readonly Frame[]> = {
  handoff: [...FUTEX_WAKE, ...libc('pthread_cond_signal@@GLIBC_2.3.2'), ...py('drop_gil')],
  handoffIrq: [...kernel('try_to_wake_up', 'hrtimer_wakeup', '__hrtimer_run_queues', 'hrtimer_interrupt', 'asm_sysvec_apic_timer_interrupt'), ...py('drop_gil')],
  plain: [...kernel('try_to_wake_up', 'wake_up_q', 'futex_wake', 'do_futex'), ...libc('pthread_cond_signal@@GLIBC_2.3.2'), ...py('PyThread_release_lock')],
  none: [],
};

export type Step =
  | { kind: 'out'; thread: number; stack: string; callers: number[]; state: string; dtNs: number }
  | { kind: 'in'; thread: number; dtNs: number }
  | { kind: 'wake'; thread: number; waker: number; stack: string; callers: number[]; event: 'sched_waking' | 'sched_wakeup'; dtNs: number }
  | { kind: 'record'; thread: number; what: 'IN' | 'OUT' | 'OUT preempt' | 'CPU_WIDE IN' | 'CPU_WIDE OUT'; other: number; dtNs: number }
  | { kind: 'other'; thread: number; dtNs: number }
  | { kind: 'lost'; thread: number; count: number; dtNs: number }
  /** A whole GIL wait: switch-out in take_gil, perhaps a hand-off wake by the holder, switch-in. */
  | { kind: 'wait'; thread: number; holder: number; stack: string; callers: number[]; holderCallers: number[]; handoff: boolean; dtNs: number; wakeNs: number; runNs: number };

export interface Layout {
  /** `COMM PID/TID` headers (perf script -F +pid, offgil's own call). */
  pids: boolean;
  /** `[CPU]` in headers. */
  cpu: boolean;
  /** Nine fraction digits (`--ns`) instead of six. */
  ns: boolean;
  /** Threads 0–3 are in process 100, threads 4–5 in process 200. */
  twoProcesses: boolean;
}

export interface Scenario {
  layout: Layout;
  steps: Step[];
}

const THREADS = 6;
/** Thread index → tid (process 100: 101–104; process 200: 201–202). */
export function tidOf(thread: number): number {
  return thread < 4 ? 101 + thread : 201 + thread - 4;
}
function pidOf(thread: number, layout: Layout): number {
  return thread < 4 || !layout.twoProcesses ? 100 : 200;
}

const dt = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1_000, max: 6_000_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 6_000_000, max: 50_000_000 }) },
);
const thread = (layoutThreads: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: layoutThreads - 1 });
const callers = fc.array(fc.integer({ min: 0, max: CALLER_FRAMES.length - 1 }), { maxLength: 6 });

function stepArb(threads: number): fc.Arbitrary<Step> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('out' as const),
        thread: thread(threads),
        stack: fc.constantFrom(...STACK_KINDS),
        callers,
        state: fc.constantFrom('S', 'S', 'S', 'R', 'R+', 'D', 'S|D'),
        dtNs: dt,
      }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('in' as const), thread: thread(threads), dtNs: dt }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('wake' as const),
        thread: thread(threads),
        waker: thread(threads),
        stack: fc.constantFrom(...Object.keys(WAKE_TOPS)),
        callers,
        event: fc.constantFrom('sched_waking' as const, 'sched_waking' as const, 'sched_wakeup' as const),
        dtNs: dt,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('record' as const),
        thread: thread(threads),
        what: fc.constantFrom('IN' as const, 'OUT' as const, 'OUT preempt' as const, 'CPU_WIDE IN' as const, 'CPU_WIDE OUT' as const),
        other: thread(threads),
        dtNs: dt,
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('other' as const), thread: thread(threads), dtNs: dt }) },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('wait' as const),
        thread: thread(threads),
        holder: thread(threads),
        stack: fc.constantFrom('gil', 'gil', 'gilClone', 'gilInlined', 'drop'),
        callers,
        holderCallers: callers,
        handoff: fc.boolean(),
        dtNs: dt,
        wakeNs: dt,
        runNs: fc.integer({ min: 0, max: 200_000 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('lost' as const), thread: thread(threads), count: fc.integer({ min: 1, max: 500 }), dtNs: dt }) },
  );
}

export const layoutArb: fc.Arbitrary<Layout> = fc.record({ pids: fc.boolean(), cpu: fc.boolean(), ns: fc.boolean(), twoProcesses: fc.boolean() });

export function scenarioArb(maxSteps = 60): fc.Arbitrary<Scenario> {
  return layoutArb.chain((layout) => fc.record({ layout: fc.constant(layout), steps: fc.array(stepArb(layout.twoProcesses ? THREADS : 4), { minLength: 1, maxLength: maxSteps }) }));
}

let address = 0x7f0000001000;

function frameLines(top: readonly Frame[], callerIds: readonly number[]): string {
  const frames = [...top, ...callerIds.map((id) => CALLER_FRAMES[id]!)];
  return frames.map(([name, dso]) => `\t${(address += 0x40).toString(16).padStart(16)} ${name}+0x1a (${dso})\n`).join('');
}

/** `SECS.FRAC` as perf prints it: six digits, or nine with --ns (the µs layout drops the sub-µs part). */
function timeText(ns: number, layout: Layout): string {
  const seconds = 5000 + Math.floor(ns / 1e9);
  const fraction = ns % 1e9;
  const text = layout.ns ? String(fraction).padStart(9, '0') : String(Math.floor(fraction / 1000)).padStart(6, '0');
  return `${seconds}.${text}`.padStart(layout.ns ? 18 : 15);
}

function header(thread: number | 'idle', ns: number, layout: Layout, cpu = 0): string {
  const ids = thread === 'idle' ? (layout.pids ? '    0/0    ' : '    0') : layout.pids ? `${pidOf(thread, layout)}/${tidOf(thread)}` : String(tidOf(thread)).padStart(5);
  const comm = thread === 'idle' ? 'swapper' : thread === 0 ? 'python3' : 'Thread-1 (work)';
  return `${comm} ${ids}${layout.cpu ? ` [${String(cpu).padStart(3, '0')}]` : ''} ${timeText(ns, layout)}:`;
}

/** The scenario as `perf script` text. */
export function perfText(scenario: Scenario): string {
  const { layout } = scenario;
  let ns = 0;
  let text = '';
  for (const step of scenario.steps) {
    ns += step.dtNs;
    const tid = tidOf(step.thread);
    const comm = step.thread === 0 ? 'python3' : 'Thread-1 (work)';
    switch (step.kind) {
      case 'out': {
        const frames = frameLines(STACK_TOPS[step.stack]!, step.callers);
        text += `${header(step.thread, ns, layout)} sched:sched_switch: prev_comm=${comm} prev_pid=${tid} prev_prio=120 prev_state=${step.state} ==> next_comm=swapper/0 next_pid=0 next_prio=120\n${frames}\n`;
        break;
      }
      case 'in':
        text += `${header('idle', ns, layout)} sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=${comm} next_pid=${tid} next_prio=120\n\n`;
        break;
      case 'wake': {
        const frames = frameLines(WAKE_TOPS[step.stack]!, step.callers);
        text += `${header(step.waker, ns, layout, 1)} sched:${step.event}: comm=${comm} pid=${tid} prio=120 target_cpu=000\n${frames}\n`;
        break;
      }
      case 'record': {
        const other = tidOf(step.other);
        const ids = `${String(other).padStart(5)}/${String(other).padEnd(5)}`;
        const body =
          step.what === 'CPU_WIDE IN'
            ? `PERF_RECORD_SWITCH_CPU_WIDE IN   prev pid/tid: ${ids}`
            : step.what === 'CPU_WIDE OUT'
              ? `PERF_RECORD_SWITCH_CPU_WIDE OUT  next pid/tid: ${ids}`
              : `PERF_RECORD_SWITCH ${step.what.padEnd(12)}`;
        text += `${header(step.thread, ns, layout)} ${body}\n`;
        break;
      }
      case 'other':
        text += `${header(step.thread, ns, layout)} sched:sched_stat_runtime: comm=${comm} pid=${tid} runtime=1000 [ns]\n${frameLines(kernel('update_curr'), [])}\n`;
        break;
      case 'wait': {
        const holderTid = tidOf(step.holder);
        const holderComm = step.holder === 0 ? 'python3' : 'Thread-1 (work)';
        text += `${header(step.thread, ns, layout)} sched:sched_switch: prev_comm=${comm} prev_pid=${tid} prev_prio=120 prev_state=S ==> next_comm=${holderComm} next_pid=${holderTid} next_prio=120\n${frameLines(STACK_TOPS[step.stack]!, step.callers)}\n`;
        ns += step.wakeNs;
        if (step.handoff) {
          text += `${header(step.holder, ns, layout, 1)} sched:sched_waking: comm=${comm} pid=${tid} prio=120 target_cpu=000\n${frameLines(WAKE_TOPS.handoff!, step.holderCallers)}\n`;
        }
        ns += step.runNs;
        text += `${header('idle', ns, layout)} sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=${comm} next_pid=${tid} next_prio=120\n\n`;
        break;
      }
      case 'lost':
        text += `${header(step.thread, ns, layout)} PERF_RECORD_LOST lost ${step.count}\n`;
        break;
    }
  }
  return text;
}

/** Cuts `text` into chunks at the given fractions (any byte, even inside a UTF-8 sequence). */
export function chunksAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of offsets) {
    chunks.push(bytes.subarray(from, at));
    from = at;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** Folded lines for the flamegraph and diff readers: valid ones, and the kinds of garbage files hold. */
export const FOLDED_FRAME = fc.constantFrom('a', 'b', 'main', 'take_gil', 'py::f (a.py)', 'x y', 'ü', '<&>"\'', 'f(int)', '[unknown]', '--', '(handoff)', '');
export const foldedStackArb = fc.array(FOLDED_FRAME, { minLength: 1, maxLength: 8 }).map((frames) => frames.join(';'));
