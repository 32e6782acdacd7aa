/** One `perf script` record: a header line and, for samples with call graphs, its stack. */

export const enum EventKind {
  /** `sched:sched_switch` tracepoint. */
  Switch,
  /** `sched:sched_waking` or `sched:sched_wakeup`. */
  Wake,
  /** `PERF_RECORD_SWITCH IN` (per-thread `--switch-events`). */
  SwitchIn,
  /** `PERF_RECORD_SWITCH OUT [preempt]`. */
  SwitchOut,
  /** `PERF_RECORD_SWITCH_CPU_WIDE IN  prev pid/tid: P/T` (system-wide `--switch-events`). */
  CpuWideIn,
  /** `PERF_RECORD_SWITCH_CPU_WIDE OUT [preempt]  next pid/tid: P/T`. */
  CpuWideOut,
  /** `PERF_RECORD_LOST…`: the kernel dropped records. */
  Lost,
  /** Any other tracepoint, sample or side-band record. */
  Other,
}

export interface PerfEvent {
  /** 1-based line number of the header in the input. */
  line: number;
  /** Process id from a `PID/TID` header, else `undefined`. */
  pid: number | undefined;
  tid: number;
  /** The header's COMM (the task that ran the event); read for wake events only (the waker), else ''. */
  comm: string;
  /** CPU from `[NNN]`, or -1 when the header has none. */
  cpu: number;
  /** Nanoseconds since `baseSeconds` of the parser (exact integer arithmetic). */
  timeNs: number;
  /** Event name as printed, e.g. `sched:sched_switch`, `cpu-clock:ppp`, `PERF_RECORD_SWITCH`. */
  name: string;
  kind: EventKind;
  /** `sched_switch` fields (kind Switch). */
  prevComm: string;
  prevPid: number;
  prevState: string;
  nextComm: string;
  nextPid: number;
  /**
   * Other task named by the event: the wake target (kind Wake), or the `pid/tid` tid of a
   * CPU-wide switch record (next task for OUT, previous task for IN). 0 when absent.
   */
  otherTid: number;
  /** Records lost (kind Lost), when perf printed the number. */
  lostCount: number;
  /** Frame ids (see FrameTable), leaf first; empty when the parser was not asked to keep this stack. */
  stack: number[];
}
