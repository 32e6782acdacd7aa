/**
 * Acquisitions and forced switch requests (semantics.md §6). An acquisition is a run of a thread's GIL
 * waits each starting less than 200 µs after the previous one ended (the thread woke in `take_gil`,
 * found the GIL still taken and slept again); its wait is the sum of the run. A forced switch request
 * is a GIL wait of at least the switch interval less 2 % (4.9 ms for CPython's default 5 ms) that no
 * hand-off wake of the thread fell into: its timed wait ran out and it asked the holder to drop the GIL.
 */
import type { OffCpuInterval } from './intervals.js';

/** A GIL wait starting less than this after the previous one ended continues the same acquisition. */
export const ACQUISITION_GAP_NS = 200_000;
/** CPython's default `sys.getswitchinterval()`, in milliseconds. */
export const DEFAULT_SWITCH_INTERVAL_MS = 5;
/** A forced switch request lasts at least this share of the switch interval (4.9 of 5 ms). */
const FORCED_SHARE = 0.98;

export interface AcquisitionSummary {
  count: number;
  /** Nearest-rank median, 95th percentile and maximum of the acquisitions' waits. */
  medianNs: number;
  p95Ns: number;
  maxNs: number;
  /** Acquisitions that took the GIL back after the thread released it for a blocking call or C code. */
  reacquisitions: number;
  /** Median wait of those. */
  reacquisitionMedianNs: number;
  /** Forced switch requests; undefined when hand-off wakes were not analysed. */
  forcedSwitches: number | undefined;
}

interface ThreadAcquisitions {
  lastEndNs: number;
  /** Whether an acquisition is under way (runNs may be 0 for waits of zero length). */
  inRun: boolean;
  runNs: number;
  runIsReacquisition: boolean;
  waits: number[];
  reacquisitionWaits: number[];
  forced: number;
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)]!;
}

export class Acquisitions {
  private readonly threads = new Map<number, ThreadAcquisitions>();
  private readonly forcedNs: number;
  /** Whether the waits came with hand-off information, so forced switches can be told. */
  private forcedKnown = false;

  /**
   * `isReacquisition` tells from a GIL wait's stack whether it takes the GIL back after a blocking
   * call (the GIL classifier's rule).
   */
  constructor(
    private readonly isReacquisition: (interval: OffCpuInterval) => boolean,
    switchIntervalMs = DEFAULT_SWITCH_INTERVAL_MS,
  ) {
    this.forcedNs = switchIntervalMs * 1e6 * FORCED_SHARE;
  }

  /**
   * The thread's next GIL wait, in time order per thread; `handedOff` tells whether a hand-off wake of
   * the thread fell inside it (undefined when hand-offs are not analysed: no forced switches then).
   */
  gilWait(interval: OffCpuInterval, handedOff: boolean | undefined): void {
    let thread = this.threads.get(interval.tid);
    if (thread === undefined) {
      thread = { lastEndNs: -Infinity, inRun: false, runNs: 0, runIsReacquisition: false, waits: [], reacquisitionWaits: [], forced: 0 };
      this.threads.set(interval.tid, thread);
    }
    if (interval.startNs - thread.lastEndNs >= ACQUISITION_GAP_NS) {
      this.endRun(thread);
      thread.inRun = true;
      thread.runIsReacquisition = this.isReacquisition(interval);
    }
    const ns = interval.endNs - interval.startNs;
    thread.runNs += ns;
    thread.lastEndNs = interval.endNs;
    if (handedOff !== undefined) {
      this.forcedKnown = true;
      if (!handedOff && ns >= this.forcedNs) thread.forced++;
    }
  }

  /** The thread's acquisitions; call once the input has ended. */
  summary(tid: number): AcquisitionSummary | undefined {
    const thread = this.threads.get(tid);
    if (thread === undefined) return undefined;
    this.endRun(thread);
    const waits = [...thread.waits].sort((a, b) => a - b);
    const reacquisitions = [...thread.reacquisitionWaits].sort((a, b) => a - b);
    return {
      count: waits.length,
      medianNs: percentile(waits, 0.5),
      p95Ns: percentile(waits, 0.95),
      maxNs: waits.length === 0 ? 0 : waits[waits.length - 1]!,
      reacquisitions: reacquisitions.length,
      reacquisitionMedianNs: percentile(reacquisitions, 0.5),
      forcedSwitches: this.forcedKnown ? thread.forced : undefined,
    };
  }

  private endRun(thread: ThreadAcquisitions): void {
    if (!thread.inRun) return;
    thread.waits.push(thread.runNs);
    if (thread.runIsReacquisition) thread.reacquisitionWaits.push(thread.runNs);
    thread.inRun = false;
    thread.runNs = 0;
  }
}
