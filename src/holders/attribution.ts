/**
 * Who held the GIL while a thread waited for it (semantics.md §5). While T sleeps in `take_gil`,
 * whoever holds the GIL must signal a waiter when it lets go — a futex wake inside `drop_gil`, run by
 * the holder itself with its own stack — so the first release of T's process after a moment t names
 * the thread that held the GIL at t. Hand-off windows (the GIL on its way to a woken thread) hold
 * nobody.
 *
 * Streams: a closed GIL wait is kept until a release of its process at or after its end has been seen
 * and the hand-off windows before its end are final; releases, windows and the recent off-CPU
 * intervals of each thread are kept back to the start of the oldest wait not yet attributed.
 */
import { GIL, GIL_DROP, type GilClassifier } from '../analysis/gilClassifier.js';
import type { OffCpuInterval } from '../analysis/intervals.js';
import { EventKind, type PerfEvent } from '../perf/events.js';
import type { FrameTable } from '../perf/frameTable.js';
import { HandoffWindows } from './handoffWindows.js';
import { Processes } from './processes.js';
import { HandoffWakeRecognizer, type Release } from './releases.js';

/** Holder of a stretch during which the GIL was on its way to a waiter, or free. */
export const HANDOFF = -1;
/** Holder of a stretch that no release names (the end of the input, or before the releaser's first event). */
export const UNKNOWN = -2;

export const HANDOFF_FRAME = '(handoff)';
export const UNKNOWN_FRAME = '(unknown)';

/** A part of a GIL wait with one holder. */
export interface HolderStretch {
  startNs: number;
  endNs: number;
  /** The thread that held the GIL, or HANDOFF, or UNKNOWN. */
  holder: number;
  /** The release that names the holder; its stack, cut at `drop_gil`, is the holder stack. */
  release: Release | undefined;
  /** The holder's own off-CPU interval meanwhile (preempted or blocked while holding); undefined while it ran. */
  holderInterval: OffCpuInterval | undefined;
}

/** A GIL wait and who held the GIL during it, in time order; the stretches cover the interval exactly. */
export interface AttributedWait {
  interval: OffCpuInterval;
  stretches: readonly HolderStretch[];
  /** A hand-off wake of the waiter fell inside the wait (it did not just time out). */
  handedOff: boolean;
}

export interface AttributionListener {
  onWait(wait: AttributedWait): void;
  /** Every release, as it is read (hand-off wakes have a target). */
  onRelease?(release: Release): void;
}

export interface AttributionCounts {
  handoffWakes: number;
  dropSwitches: number;
  windows: number;
  attributedWaits: number;
  /** Releases dropped because one wait stayed open too long to keep them all (its early part is unknown). */
  droppedReleases: number;
  /** Waits attributed before a release after them was seen, to bound memory (their tails are unknown). */
  waitsResolvedEarly: number;
}

/** Past this many waits waiting for a release after them, the oldest are attributed at once. */
const MAX_PENDING_WAITS = 1 << 16;
/** Past this many kept releases, the oldest are dropped even if an open wait still needs them. */
const MAX_KEPT_RELEASES = 1 << 20;
const MIN_PRUNE_SIZE = 4096;

interface Piece {
  startNs: number;
  endNs: number;
  holder: number;
  release: Release | undefined;
}

export class HolderAttribution {
  readonly counts: AttributionCounts = { handoffWakes: 0, dropSwitches: 0, windows: 0, attributedWaits: 0, droppedReleases: 0, waitsResolvedEarly: 0 };
  private readonly processes = new Processes();
  private readonly recognizer: HandoffWakeRecognizer;
  private readonly windows = new HandoffWindows((a, b) => this.processes.processOf(a) === this.processes.processOf(b));
  /** Time order. */
  private releases: Release[] = [];
  /** Closed GIL waits not attributed yet. */
  private pending: OffCpuInterval[] = [];
  private readonly openGil = new Map<number, OffCpuInterval>();
  private readonly openAny = new Map<number, OffCpuInterval>();
  /** Each thread's recent closed off-CPU intervals, in time order: what a holder was doing. */
  private readonly recentIntervals = new Map<number, OffCpuInterval[]>();
  private recentIntervalCount = 0;
  private readonly firstSeenNs = new Map<number, number>();
  /** GIL waits that a hand-off wake of their thread fell into. */
  private readonly handedOff = new WeakSet<OffCpuInterval>();
  private sawWaking = false;
  /** Whether a release arrived since waits were last checked, and how many waits closed. */
  private changed = false;
  private closedSince = 0;
  private finalizedSeen = 0;
  private nowNs = 0;
  private pruneAt = MIN_PRUNE_SIZE;
  /** Moments before this lost their releases to MAX_KEPT_RELEASES. */
  private truncatedBeforeNs = -Infinity;

  constructor(
    frames: FrameTable,
    private readonly classifier: GilClassifier,
    private readonly listener: AttributionListener,
  ) {
    this.recognizer = new HandoffWakeRecognizer(frames);
  }

  /**
   * Whether the parser should keep this event's stack: wake stacks show hand-offs. `sched_wakeup`
   * counts only in an input without `sched_waking` (one wake prints both).
   */
  wantsStack(event: PerfEvent): boolean {
    if (event.kind !== EventKind.Wake) return false;
    if (event.name.endsWith('sched_waking')) this.sawWaking = true;
    return this.isHandoffKind(event);
  }

  /** Call before the interval tracker sees the event. */
  beforeEvent(event: PerfEvent): void {
    this.nowNs = event.timeNs;
    this.processes.note(event);
    this.noteSeen(event.tid, event.timeNs);
    if (event.kind === EventKind.Switch) {
      this.noteSeen(event.prevPid, event.timeNs);
      this.noteSeen(event.nextPid, event.timeNs);
    } else {
      this.noteSeen(event.otherTid, event.timeNs);
    }
    this.windows.advance(event.timeNs);
  }

  /** Call after the interval tracker has handled the event (its intervals opened and closed). */
  afterEvent(event: PerfEvent): void {
    if (event.kind === EventKind.Wake) this.wake(event);
    else if (event.kind === EventKind.Switch && event.prevPid > 0 && event.stack.length > 0) this.switchOut(event);
    // Waits can become ready only when a release arrives or a window becomes final (then any pending
    // wait may be), or when a wait closes (then only that one).
    if (this.changed || this.windows.finalized !== this.finalizedSeen) {
      this.changed = false;
      this.finalizedSeen = this.windows.finalized;
      this.resolveReady(false);
    } else if (this.closedSince > 0) {
      this.resolveReady(false, this.pending.length - this.closedSince);
    }
    this.closedSince = 0;
    if (this.pending.length > MAX_PENDING_WAITS) this.resolveOldest();
    if (this.releases.length + this.recentIntervalCount > this.pruneAt) this.prune();
  }

  intervalOpened(interval: OffCpuInterval): void {
    this.openAny.set(interval.tid, interval);
    if (interval.cls !== GIL) return;
    this.openGil.set(interval.tid, interval);
    this.windows.gilWaitOpened(interval);
  }

  intervalClosed(interval: OffCpuInterval): void {
    this.openAny.delete(interval.tid);
    let recent = this.recentIntervals.get(interval.tid);
    if (recent === undefined) this.recentIntervals.set(interval.tid, (recent = []));
    recent.push(interval);
    this.recentIntervalCount++;
    if (interval.cls !== GIL) return;
    this.openGil.delete(interval.tid);
    this.windows.gilWaitClosed(interval);
    this.pending.push(interval);
    this.closedSince++;
  }

  /** The process that shares the thread's GIL: its PID, or without PIDs in the input its hand-off group (§5). */
  processOf(tid: number): number {
    return this.processes.processOf(tid);
  }

  /** No wait attributed from now on has a stretch before this time. */
  horizonNs(): number {
    let horizon = this.nowNs;
    for (const wait of this.pending) horizon = Math.min(horizon, wait.startNs);
    for (const wait of this.openGil.values()) horizon = Math.min(horizon, wait.startNs);
    return horizon;
  }

  /** The input ended: open windows end at their cut, and the rest of every wait is attributed. */
  finish(): void {
    this.windows.finish();
    this.resolveReady(true);
  }

  private isHandoffKind(event: PerfEvent): boolean {
    return event.name.endsWith('sched_waking') || !this.sawWaking;
  }

  private noteSeen(tid: number, timeNs: number): void {
    if (tid > 0 && !this.firstSeenNs.has(tid)) this.firstSeenNs.set(tid, timeNs);
  }

  private wake(event: PerfEvent): void {
    const target = event.otherTid;
    if (event.stack.length === 0 || target <= 0 || event.tid <= 0 || !this.isHandoffKind(event)) return;
    const cut = this.recognizer.handoffCut(event.stack);
    if (cut < 0 || !this.processes.joinByHandoff(event.tid, target)) return;
    this.counts.handoffWakes++;
    this.addRelease({ timeNs: event.timeNs, tid: event.tid, pid: event.pid, comm: event.comm, stack: event.stack, cut, target, line: event.line });
    const open = this.openGil.get(target);
    if (open !== undefined) {
      this.handedOff.add(open);
      this.windows.open(target, event.timeNs);
      this.counts.windows++;
      return;
    }
    // With --until wakeup this very wake has just ended the wait.
    const recent = this.recentIntervals.get(target);
    const last = recent?.[recent.length - 1];
    if (last !== undefined && last.cls === GIL && last.endNs === event.timeNs) this.handedOff.add(last);
  }

  private switchOut(event: PerfEvent): void {
    const tid = event.prevPid;
    const opened = this.openAny.get(tid);
    // The tracker classified the interval this switch opened; other switch-outs are classified here.
    const { cls, cut } = opened !== undefined && opened.line === event.line ? opened : this.classifier.classify(event.stack, event.prevState);
    if (cls !== GIL_DROP) return;
    this.counts.dropSwitches++;
    const pid = event.tid === tid ? event.pid : this.processes.pidOfThread(tid);
    this.addRelease({ timeNs: event.timeNs, tid, pid, comm: event.prevComm, stack: event.stack, cut, target: 0, line: event.line });
  }

  private addRelease(release: Release): void {
    this.releases.push(release);
    this.changed = true;
    this.listener.onRelease?.(release);
  }

  /** Attributes the pending waits (from index `from` on) that are ready, or all of them at the end. */
  private resolveReady(atEnd: boolean, from = 0): void {
    const pending = this.pending;
    let kept = from;
    for (let i = from; i < pending.length; i++) {
      const wait = pending[i]!;
      if (atEnd || this.isReady(wait)) this.resolve(wait);
      else pending[kept++] = wait;
    }
    pending.length = kept;
  }

  /**
   * Too many waits without a release after them (an input whose releases cannot be seen): the oldest
   * are attributed with what is known now, so that memory stays bounded; their tails are (unknown).
   */
  private resolveOldest(): void {
    const count = this.pending.length - MAX_PENDING_WAITS / 2;
    for (const wait of this.pending.slice(0, count)) this.resolve(wait);
    this.pending = this.pending.slice(count);
    this.counts.waitsResolvedEarly += count;
  }

  private isReady(wait: OffCpuInterval): boolean {
    const process = this.processes.processOf(wait.tid);
    let released = false;
    for (let i = this.releases.length - 1; i >= 0 && this.releases[i]!.timeNs >= wait.endNs; i--) {
      if (this.processes.processOf(this.releases[i]!.tid) === process) {
        released = true;
        break;
      }
    }
    return released && this.windows.settledBefore(wait.tid, wait.endNs);
  }

  private resolve(wait: OffCpuInterval): void {
    const pieces = this.releasePieces(wait);
    const unknownBefore = Math.min(this.truncatedBeforeNs, wait.endNs);
    const early: [number, number][] = unknownBefore > wait.startNs ? [[wait.startNs, unknownBefore]] : [];
    const overlaid = overlay(overlay(pieces, early, UNKNOWN), this.windows.coverage(wait.tid, wait.startNs, wait.endNs), HANDOFF);
    const stretches: HolderStretch[] = [];
    for (const piece of overlaid) this.splitByHolderState(piece, stretches);
    this.counts.attributedWaits++;
    this.listener.onWait({ interval: wait, stretches, handedOff: this.handedOff.has(wait) });
  }

  /** The wait split at the releases of its process, each part named by the first release after it. */
  private releasePieces(wait: OffCpuInterval): Piece[] {
    const process = this.processes.processOf(wait.tid);
    const pieces: Piece[] = [];
    let at = wait.startNs;
    for (let i = this.firstReleaseAfter(wait.startNs); i < this.releases.length && at < wait.endNs; i++) {
      const release = this.releases[i]!;
      if (this.processes.processOf(release.tid) !== process) continue;
      const end = Math.min(release.timeNs, wait.endNs);
      if (end <= at) continue;
      this.nameByRelease(pieces, at, end, release, wait.tid);
      at = end;
    }
    if (at < wait.endNs) pieces.push({ startNs: at, endNs: wait.endNs, holder: UNKNOWN, release: undefined });
    return pieces;
  }

  private nameByRelease(pieces: Piece[], start: number, end: number, release: Release, waiter: number): void {
    if (release.tid === waiter) {
      pieces.push({ startNs: start, endNs: end, holder: HANDOFF, release: undefined });
      return;
    }
    // A thread cannot be named for moments before its first event in the input.
    const known = Math.min(end, Math.max(start, this.firstSeenNs.get(release.tid) ?? end));
    if (known > start) pieces.push({ startNs: start, endNs: known, holder: UNKNOWN, release: undefined });
    if (end > known) pieces.push({ startNs: known, endNs: end, holder: release.tid, release });
  }

  private firstReleaseAfter(timeNs: number): number {
    let low = 0;
    let high = this.releases.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.releases[mid]!.timeNs <= timeNs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Splits a piece held by a thread at that thread's own off-CPU intervals (§6: the holder's state). */
  private splitByHolderState(piece: Piece, out: HolderStretch[]): void {
    const base = { holder: piece.holder, release: piece.release };
    if (piece.holder <= 0) {
      out.push({ startNs: piece.startNs, endNs: piece.endNs, ...base, holderInterval: undefined });
      return;
    }
    let at = piece.startNs;
    const open = this.openAny.get(piece.holder);
    const intervals = this.recentIntervals.get(piece.holder) ?? [];
    // A thread's intervals are in time order: skip those that ended before the piece by binary search.
    for (let i = firstEndingAfter(intervals, at); i <= intervals.length; i++) {
      const interval = i < intervals.length ? intervals[i]! : open;
      if (interval === undefined) break;
      const end = open === interval ? piece.endNs : interval.endNs;
      if (end <= at) continue;
      if (interval.startNs >= piece.endNs) break;
      const start = Math.max(interval.startNs, at);
      if (start > at) out.push({ startNs: at, endNs: start, ...base, holderInterval: undefined });
      const stop = Math.min(end, piece.endNs);
      out.push({ startNs: start, endNs: stop, ...base, holderInterval: interval });
      at = stop;
    }
    if (at < piece.endNs) out.push({ startNs: at, endNs: piece.endNs, ...base, holderInterval: undefined });
  }

  /** Drops what no wait still to be attributed can need. */
  private prune(): void {
    let horizon = this.horizonNs();
    if (this.releases.length > MAX_KEPT_RELEASES) {
      const dropped = this.releases.length - MAX_KEPT_RELEASES / 2;
      this.truncatedBeforeNs = Math.max(this.truncatedBeforeNs, this.releases[dropped - 1]!.timeNs);
      this.counts.droppedReleases += dropped;
      horizon = Math.max(horizon, this.truncatedBeforeNs);
    }
    const firstKept = this.releases.findIndex((release) => release.timeNs >= horizon);
    this.releases = firstKept < 0 ? [] : this.releases.slice(firstKept);
    this.windows.prune(horizon);
    this.recentIntervalCount = 0;
    for (const [tid, intervals] of this.recentIntervals) {
      const kept = intervals.filter((interval) => interval.endNs > horizon);
      if (kept.length === 0) this.recentIntervals.delete(tid);
      else this.recentIntervals.set(tid, kept);
      this.recentIntervalCount += kept.length;
    }
    this.pruneAt = Math.max(MIN_PRUNE_SIZE, 2 * (this.releases.length + this.recentIntervalCount));
  }
}

/** Index of the first of `intervals` (in time order) that ends after `timeNs`. */
function firstEndingAfter(intervals: readonly OffCpuInterval[], timeNs: number): number {
  let low = 0;
  let high = intervals.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (intervals[mid]!.endNs <= timeNs) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Pieces (sorted, contiguous) with the parts inside `cover` (sorted, disjoint) replaced by pieces of
 * `holder` without a release.
 */
function overlay(pieces: readonly Piece[], cover: readonly [number, number][], holder: number): Piece[] {
  if (cover.length === 0) return pieces as Piece[];
  const out: Piece[] = [];
  const push = (piece: Piece): void => {
    if (piece.endNs > piece.startNs) out.push(piece);
  };
  let c = 0;
  for (const piece of pieces) {
    let at = piece.startNs;
    while (at < piece.endNs) {
      while (c < cover.length && cover[c]![1] <= at) c++;
      const part = cover[c];
      if (part === undefined || part[0] >= piece.endNs) {
        push({ ...piece, startNs: at });
        break;
      }
      if (part[0] > at) push({ ...piece, startNs: at, endNs: part[0] });
      const stop = Math.min(part[1], piece.endNs);
      push({ startNs: Math.max(part[0], at), endNs: stop, holder, release: undefined });
      at = stop;
    }
  }
  return out;
}
