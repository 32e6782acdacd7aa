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
export function otherEvent(time: string, tid: number, name = 'sched:sched_stat_runtime'): string {
  return block(`python3 ${String(tid).padStart(5)} [000] ${time.padStart(12)}: ${name}: comm=python3 pid=${tid} runtime=1000 [ns]`, [
    frame('update_curr', KERNEL),
  ]);
}
