/**
 * Hand-off windows (semantics.md §5): after a hand-off wake of Y at r, nobody holds the GIL — it is on
 * its way to Y — until Y's GIL wait that contains r ends (E), extended over Y's next GIL waits that
 * start less than 100 µs after E in a preempted state, and cut back to the end of the first GIL wait
 * of another thread of the process that ends inside (r, E) (that thread took the free GIL first).
 * Windows are decided as the events arrive; a window is final once no later event can move its end.
 * Callers check `settledBefore` after each event.
 */
import type { OffCpuInterval } from '../analysis/intervals.js';

/** A GIL wait that starts less than this after the window's end extends it, when preempted. */
export const EXTENSION_NS = 100_000;

const enum Phase {
  /** Y's GIL wait is still open: E is at least the current time. */
  Open,
  /** E is known; an extension may still start before E + EXTENSION_NS. */
  Extending,
  Final,
}

export interface HandoffWindow {
  /** The woken thread Y. */
  readonly target: number;
  readonly startNs: number;
  /** E: Infinity while Y's wait is open; the final end once `final`. */
  endNs: number;
  /** End of the first GIL wait of another thread of the process that ended after the start. */
  cutNs: number | undefined;
  phase: Phase;
}

export class HandoffWindows {
  /** In order of their start. */
  private windows: HandoffWindow[] = [];
  /**
   * The windows not final yet, in order of their start: what every event looks at. Final windows are
   * only read by `coverage`, which finds them by binary search, so no event walks the whole list.
   */
  private active: HandoffWindow[] = [];
  /** Longest final window so far: `coverage` starts its search this far before a wait. */
  private maxSpanNs = 0;
  private nextDeadlineNs = Infinity;
  private finalizedCount = 0;

  constructor(private readonly sameProcess: (a: number, b: number) => boolean) {}

  /** A hand-off wake of `target` at `timeNs`, whose GIL wait is open. */
  open(target: number, timeNs: number): void {
    const window: HandoffWindow = { target, startNs: timeNs, endNs: Infinity, cutNs: undefined, phase: Phase.Open };
    this.windows.push(window);
    this.active.push(window);
  }

  /** Every event's time: windows whose extension deadline has passed become final. */
  advance(nowNs: number): void {
    if (nowNs < this.nextDeadlineNs) return;
    let next = Infinity;
    for (const window of this.active) {
      if (window.phase !== Phase.Extending) continue;
      const deadline = window.endNs + EXTENSION_NS;
      if (deadline <= nowNs) this.finalize(window);
      else next = Math.min(next, deadline);
    }
    this.nextDeadlineNs = next;
    this.dropFinal();
  }

  /** A GIL wait opened: it extends the windows of its thread it qualifies for, and ends the others'. */
  gilWaitOpened(interval: OffCpuInterval): void {
    for (const window of this.active) {
      if (window.phase !== Phase.Extending || window.target !== interval.tid) continue;
      if (interval.startNs < window.endNs + EXTENSION_NS && interval.state.startsWith('R')) window.phase = Phase.Open;
      else this.finalize(window);
    }
    this.dropFinal();
  }

  /** A GIL wait closed: it gives its own windows their end, and cuts the windows of the other threads. */
  gilWaitClosed(interval: OffCpuInterval): void {
    const end = interval.endNs;
    for (const window of this.active) {
      if (window.startNs > end) break;
      if (window.phase === Phase.Final) continue;
      if (window.target === interval.tid) {
        if (window.phase === Phase.Open) {
          window.endNs = end;
          window.phase = Phase.Extending;
          this.nextDeadlineNs = Math.min(this.nextDeadlineNs, end + EXTENSION_NS);
        }
      } else if (window.cutNs === undefined && end > window.startNs && this.sameProcess(window.target, interval.tid)) {
        window.cutNs = end;
      }
      if (window.cutNs !== undefined && (window.phase === Phase.Open || window.endNs >= window.cutNs)) this.finalize(window);
    }
    this.dropFinal();
  }

  /** The input ended: a window whose wait never closed ends at its cut, if any. */
  finish(): void {
    for (const window of this.active) if (window.phase !== Phase.Final) this.finalize(window);
    this.dropFinal();
  }

  /** Whether every window of the thread's process that starts before `endNs` is final. */
  settledBefore(tid: number, endNs: number): boolean {
    for (const window of this.active) {
      if (window.startNs >= endNs) break;
      if (window.phase !== Phase.Final && this.sameProcess(window.target, tid)) return false;
    }
    return true;
  }

  /**
   * The union of the final windows of the thread's process inside [startNs, endNs), as sorted,
   * disjoint [start, end) pairs.
   */
  coverage(tid: number, startNs: number, endNs: number): [number, number][] {
    const parts: [number, number][] = [];
    const windows = this.windows;
    // A window that starts maxSpanNs or more before startNs has ended by then.
    for (let i = this.firstStartingAfter(startNs - this.maxSpanNs); i < windows.length; i++) {
      const window = windows[i]!;
      if (window.startNs >= endNs) break;
      if (window.phase !== Phase.Final || window.endNs <= startNs || !this.sameProcess(window.target, tid)) continue;
      const start = Math.max(window.startNs, startNs);
      const end = Math.min(window.endNs, endNs);
      if (start >= end) continue;
      const last = parts[parts.length - 1];
      if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
      else parts.push([start, end]);
    }
    return parts;
  }

  /** Drops final windows that end at or before `horizonNs`. */
  prune(horizonNs: number): void {
    this.windows = this.windows.filter((window) => window.phase !== Phase.Final || window.endNs > horizonNs);
  }

  get size(): number {
    return this.windows.length;
  }

  /** How many windows have become final so far: a change tells the caller that waits may be settled. */
  get finalized(): number {
    return this.finalizedCount;
  }

  private finalize(window: HandoffWindow): void {
    this.finalizedCount++;
    window.endNs = Math.min(window.endNs, window.cutNs ?? Infinity);
    window.phase = Phase.Final;
    // (A window still open at the end of the input and never cut has no end: coverage then scans them all.)
    this.maxSpanNs = Math.max(this.maxSpanNs, window.endNs - window.startNs);
  }

  /** Index of the first window (in start order) that starts after `timeNs`. */
  private firstStartingAfter(timeNs: number): number {
    const windows = this.windows;
    let low = 0;
    let high = windows.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (windows[mid]!.startNs <= timeNs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private dropFinal(): void {
    if (this.active.some((window) => window.phase === Phase.Final)) this.active = this.active.filter((window) => window.phase !== Phase.Final);
  }
}
