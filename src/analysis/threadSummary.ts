/** Per-thread totals for the `-v` / `--summary` table: GIL wait, other off-CPU time, running time. */
import { EventKind, type PerfEvent } from '../perf/events.js';
import type { HolderSummary, WaiterSummary } from '../holders/holderStats.js';
import type { AcquisitionSummary } from './acquisitions.js';
import { GIL, GIL_DROP } from './gilClassifier.js';
import type { OffCpuInterval } from './intervals.js';

export interface ThreadSummary {
  tid: number;
  pid: number;
  comm: string;
  /** From the first to the last event that shows the thread (or the ends of its intervals). */
  observedNs: number;
  gilNs: number;
  gilDropNs: number;
  /** Off-CPU time of every other class (locks, sleeps, I/O, preemption). */
  otherNs: number;
  /** Off-CPU time by class: `gil`, `gil-drop`, `lock`, and each state (`S`, `D`, `R+`, …). */
  classNs: Record<string, number>;
  /** Number of intervals by class. */
  classCounts: Record<string, number>;
  /** Observed time not covered by any interval. */
  runningNs: number;
  intervals: number;
  /** The thread's GIL acquisitions (§6). */
  acquisitions?: AcquisitionSummary;
  /** What the thread did to others as GIL holder (with holder attribution). */
  holder?: HolderSummary;
  /** Who held the GIL while this thread waited, in parts (with holder attribution). */
  waits?: WaiterSummary;
}

interface ThreadRecord {
  pid: number;
  comm: string;
  firstNs: number;
  lastNs: number;
  gilNs: number;
  gilDropNs: number;
  otherNs: number;
  classNs: Map<string, number>;
  classCounts: Map<string, number>;
  intervals: number;
}

export class ThreadActivity {
  private readonly threads = new Map<number, ThreadRecord>();

  observe(event: PerfEvent): void {
    const time = event.timeNs;
    if (event.kind !== EventKind.SwitchOut && event.kind !== EventKind.CpuWideOut) this.see(event.tid, time, event.pid, '');
    if (event.kind === EventKind.Switch) {
      this.see(event.prevPid, time, undefined, event.prevComm);
      this.see(event.nextPid, time, undefined, event.nextComm);
    } else if (event.kind === EventKind.CpuWideOut) {
      this.see(event.otherTid, time, undefined, '');
    }
  }

  addInterval(interval: OffCpuInterval): void {
    const cls = interval.cls;
    const thread = this.see(interval.tid, interval.startNs, interval.pid, interval.comm)!;
    thread.lastNs = Math.max(thread.lastNs, interval.endNs);
    const ns = interval.endNs - interval.startNs;
    if (cls === GIL) thread.gilNs += ns;
    else if (cls === GIL_DROP) thread.gilDropNs += ns;
    else thread.otherNs += ns;
    thread.classNs.set(cls, (thread.classNs.get(cls) ?? 0) + ns);
    thread.classCounts.set(cls, (thread.classCounts.get(cls) ?? 0) + 1);
    thread.intervals++;
  }

  /**
   * Threads that were switched out at least once (the traced ones: a per-process recording also names
   * other tasks as switch targets), most GIL wait first.
   */
  summaries(): ThreadSummary[] {
    const list: ThreadSummary[] = [];
    for (const [tid, t] of this.threads) {
      if (t.intervals === 0) continue;
      const observedNs = t.lastNs - t.firstNs;
      list.push({
        tid,
        pid: t.pid,
        comm: t.comm,
        observedNs,
        gilNs: t.gilNs,
        gilDropNs: t.gilDropNs,
        otherNs: t.otherNs,
        classNs: Object.fromEntries([...t.classNs].sort((a, b) => b[1] - a[1])),
        classCounts: Object.fromEntries(t.classCounts),
        runningNs: Math.max(0, observedNs - t.gilNs - t.gilDropNs - t.otherNs),
        intervals: t.intervals,
      });
    }
    return list.sort((a, b) => b.gilNs - a.gilNs || b.observedNs - a.observedNs || a.tid - b.tid);
  }

  private see(tid: number, time: number, pid: number | undefined, comm: string): ThreadRecord | undefined {
    if (tid <= 0) return undefined;
    let thread = this.threads.get(tid);
    if (thread === undefined) {
      thread = { pid: tid, comm, firstNs: time, lastNs: time, gilNs: 0, gilDropNs: 0, otherNs: 0, classNs: new Map(), classCounts: new Map(), intervals: 0 };
      this.threads.set(tid, thread);
    } else {
      if (time < thread.firstNs) thread.firstNs = time;
      if (time > thread.lastNs) thread.lastNs = time;
      if (comm !== '') thread.comm = comm;
    }
    if (pid !== undefined) thread.pid = pid;
    return thread;
  }
}
