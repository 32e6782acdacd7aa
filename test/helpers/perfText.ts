/**
 * Builders for small hand-written `perf script` inputs, in the exact layout perf 6.1 prints on this
 * machine (see fixtures/ for real recordings).
 */
export const KERNEL = '[kernel.kallsyms]';
export const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
export const LIBPYTHON = '/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0';

let address = 0x1000;

/** One frame line: tab, padded hex address, symbol with offset, DSO. */
export function frame(name: string, dso = LIBPYTHON): string {
  address += 0x40;
  return `\t${address.toString(16).padStart(16)} ${name}+0x1a (${dso})`;
}

/** Kernel frames of a futex sleep, leaf first. */
export const FUTEX_KERNEL = ['__schedule', 'schedule', 'futex_wait', 'do_futex', '__x64_sys_futex', 'entry_SYSCALL_64_after_hwframe'].map((name) =>
  frame(name, KERNEL),
);

/** A real-shaped GIL wait from CPython 3.11 (leaf first): a worker thread's eval loop in take_gil. */
export const GIL_WAIT_STACK = [
  ...FUTEX_KERNEL,
  frame('__futex_abstimed_wait_common', LIBC),
  frame('pthread_cond_timedwait@@GLIBC_2.3.2', LIBC),
  frame('take_gil'),
  frame('_PyEval_EvalFrameDefault'),
  frame('_PyEval_Vector'),
  frame('thread_run'),
  frame('start_thread', LIBC),
  frame('clone3', LIBC),
];
/** Folded with the default options: CPython's interpreter frames (_PyEval_*) are removed. */
export const GIL_WAIT_FOLDED = 'clone3;start_thread;thread_run;take_gil';

/** A plain sleep (time.sleep → select) with no GIL frame. */
export const SLEEP_STACK = [
  frame('__schedule', KERNEL),
  frame('do_select', KERNEL),
  frame('__select', LIBC),
  frame('pysleep'),
  frame('time_sleep'),
  frame('_PyEval_EvalFrameDefault'),
  frame('start_thread', LIBC),
];
export const SLEEP_FOLDED = 'start_thread;time_sleep;pysleep;__select;do_select;__schedule';

function block(header: string, frames: readonly string[]): string {
  return frames.length === 0 ? `${header}\n` : `${header}\n${frames.join('\n')}\n\n`;
}

export interface SwitchSpec {
  time: string;
  prevComm?: string;
  prevPid: number;
  state?: string;
  nextComm?: string;
  nextPid: number;
  stack?: readonly string[];
  /** Header task, when it differs from prev (system-wide recordings print `:-1 -1`). */
  header?: string;
  cpu?: number;
}

export function sched_switch(spec: SwitchSpec): string {
  const prevComm = spec.prevComm ?? 'python3';
  const nextComm = spec.nextComm ?? (spec.nextPid === 0 ? 'swapper/0' : 'python3');
  const header = spec.header ?? `${prevComm} ${String(spec.prevPid).padStart(5)}`;
  const cpu = String(spec.cpu ?? 0).padStart(3, '0');
  return block(
    `${header} [${cpu}] ${spec.time.padStart(12)}: sched:sched_switch: prev_comm=${prevComm} prev_pid=${spec.prevPid} prev_prio=120 ` +
      `prev_state=${spec.state ?? 'S'} ==> next_comm=${nextComm} next_pid=${spec.nextPid} next_prio=120`,
    spec.stack ?? [],
  );
}

export function sched_wake(time: string, wakerTid: number, target: number, event = 'sched_waking', wakerComm = 'python3'): string {
  return block(
    `${wakerComm} ${String(wakerTid).padStart(5)} [001] ${time.padStart(12)}: sched:${event}: comm=python3 pid=${target} prio=120 target_cpu=000`,
    [frame('try_to_wake_up', KERNEL)],
  );
}

export function switchRecord(time: string, tid: number, what: 'IN' | 'OUT' | 'OUT preempt', comm = 'python3'): string {
  return block(`${comm} ${String(tid).padStart(5)} [000] ${time.padStart(12)}: PERF_RECORD_SWITCH ${what.padEnd(12)}`, []);
}

/** `PERF_RECORD_SWITCH_CPU_WIDE`: OUT names the next task, IN the previous one (`%5d/%-5d`). */
export function cpuWideRecord(time: string, tid: number, what: 'IN' | 'OUT' | 'OUT preempt', other: number, comm = 'python3'): string {
  const label = what === 'IN' ? 'prev' : 'next';
  const ids = `${String(other).padStart(5)}/${String(other).padEnd(5)}`;
  return block(
    `${comm} ${String(tid).padStart(5)} [000] ${time.padStart(12)}: PERF_RECORD_SWITCH_CPU_WIDE ${what} ${what === 'IN' ? ' ' : ''} ${label} pid/tid: ${ids}`,
    [],
  );
}

/** Any other tracepoint run by `tid` (for rule 3). */
export function otherEvent(time: string, tid: number, name = 'sched:sched_stat_runtime', header = `python3 ${String(tid).padStart(5)}`): string {
  return block(`${header} [000] ${time.padStart(12)}: ${name}: comm=python3 pid=${tid} runtime=1000 [ns]`, [
    frame('update_curr', KERNEL),
  ]);
}

/** Kernel frames of a futex wake, leaf first, as in the fixtures. */
export const FUTEX_WAKE_KERNEL = ['try_to_wake_up', 'wake_up_q', 'futex_wake', 'do_futex', '__x64_sys_futex', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'].map(
  (name) => frame(name, KERNEL),
);

/** The holder's side of a hand-off (CPython 3.11): drop_gil signals the GIL's condition variable. */
export const HANDOFF_WAKE_STACK = [
  ...FUTEX_WAKE_KERNEL,
  frame('pthread_cond_signal@@GLIBC_2.3.2', LIBC),
  frame('drop_gil'),
  frame('_PyEval_EvalFrameDefault'),
  frame('_PyEval_Vector'),
  frame('thread_run'),
  frame('start_thread', LIBC),
  frame('clone3', LIBC),
];
/** HANDOFF_WAKE_STACK as a holder stack: cut at drop_gil, interpreter frames removed, root first. */
export const HOLDER_FOLDED = 'clone3;start_thread;thread_run;drop_gil';
/** The same leaf first, as it follows `--` in `--with-holders` lines. */
export const HOLDER_LEAF_FIRST = 'drop_gil;thread_run;start_thread;clone3';

/** A thread that dropped the GIL on request and waits in drop_gil for another to take it. */
export const DROP_GIL_STACK = [
  ...FUTEX_KERNEL,
  frame('__futex_abstimed_wait_common', LIBC),
  frame('pthread_cond_wait@@GLIBC_2.3.2', LIBC),
  frame('drop_gil'),
  frame('_PyEval_EvalFrameDefault'),
  frame('thread_run'),
  frame('start_thread', LIBC),
  frame('clone3', LIBC),
];

export interface WakeSpec {
  time: string;
  waker: number;
  target: number;
  /** The waker's stack (default: a hand-off from drop_gil). */
  stack?: readonly string[];
  event?: 'sched_waking' | 'sched_wakeup';
  /** Header task, e.g. `python3  100/101` for a PID/TID header. */
  header?: string;
}

/** A wake event with the waker's stack: by default a hand-off wake (semantics.md §5). */
export function wake(spec: WakeSpec): string {
  const header = spec.header ?? `python3 ${String(spec.waker).padStart(5)}`;
  return block(
    `${header} [001] ${spec.time.padStart(12)}: sched:${spec.event ?? 'sched_waking'}: comm=python3 pid=${spec.target} prio=120 target_cpu=000`,
    spec.stack ?? HANDOFF_WAKE_STACK,
  );
}

export interface OffCpuSpec {
  stack?: readonly string[];
  state?: string;
  /** Print `PID/TID` headers (perf script -F +pid): this process id, and `0/0` for the idle task. */
  pid?: number;
}

/** An off-CPU interval of `tid` from `from` to `to` (switch-out, then switch-in by the idle task); a GIL wait by default. */
export function offCpu(tid: number, from: string, to: string, spec: OffCpuSpec = {}): string {
  const header = spec.pid === undefined ? undefined : `python3 ${spec.pid}/${tid}`;
  return (
    sched_switch({ time: from, prevPid: tid, nextPid: 0, stack: spec.stack ?? GIL_WAIT_STACK, state: spec.state ?? 'S', ...(header === undefined ? {} : { header }) }) +
    sched_switch({ time: to, prevComm: 'swapper/0', prevPid: 0, header: spec.pid === undefined ? 'swapper     0' : 'swapper     0/0', state: 'R', nextPid: tid })
  );
}

/**
 * The records of `parts` (each a header line, its frame lines and perf's blank line) sorted by their
 * timestamps, stable: hand-written scenarios list each thread's events together, perf prints them
 * in time order.
 */
export function inTimeOrder(...parts: string[]): string {
  const records: { time: number; text: string }[] = [];
  for (const line of parts.join('').split('\n')) {
    if (line === '' || line.startsWith('\t')) {
      if (records.length > 0) records[records.length - 1]!.text += `${line}\n`;
      continue;
    }
    const time = /\s(\d+\.\d+):\s/.exec(line);
    if (time === null) throw new Error(`no timestamp in ${line}`);
    records.push({ time: Number(time[1]), text: `${line}\n` });
  }
  return records
    .map((record, index) => ({ ...record, index }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map((record) => record.text)
    .join('');
}
