/**
 * What each thread did to the others as GIL holder (semantics.md §6): the GIL wait it caused, and for
 * how long it held the GIL while running, preempted (runnable but without a CPU) or blocked (asleep in
 * a call that kept the GIL), with the stacks it blocked in. Holding times are wall-clock: two threads
 * waiting on the same holder at once count the holding once, the wait it caused twice.
 */
import { GIL, GIL_DROP } from '../analysis/gilClassifier.js';
import type { OffCpuInterval } from '../analysis/intervals.js';
import { RangeSet } from '../util/rangeSet.js';
import { HANDOFF, UNKNOWN, type AttributedWait } from './attribution.js';

/** What a holder was doing while it held the GIL and others waited. */
export type HolderState = 'running' | 'preempted' | 'blocked' | 'waiting';

export function holderStateOf(interval: OffCpuInterval | undefined): HolderState {
  if (interval === undefined) return 'running';
  // The rule can name a thread that was itself inside take_gil or drop_gil (it released next).
  if (interval.cls === GIL || interval.cls === GIL_DROP) return 'waiting';
  return interval.state.startsWith('R') ? 'preempted' : 'blocked';
}

export interface BlockingStack {
  /** Top frames of the blocking switch-out stack, leaf first (kernel and interpreter frames left out). */
  frames: string[];
  ns: number;
}

export interface HolderSummary {
  /** GIL wait of other threads during which this thread held the GIL. */
  causedNs: number;
  /** The same by what this thread was doing meanwhile. */
  causedByStateNs: Record<HolderState, number>;
  /** Wall-clock time this thread held the GIL while others waited, by what it was doing. */
  heldNs: Record<HolderState, number>;
  /** Where it blocked while holding, most time first. */
  blockingStacks: BlockingStack[];
}

export interface WaiterSummary {
  /** Parts of the thread's GIL waits that named a holder thread, were hand-offs, or named nobody. */
  namedNs: number;
  handoffNs: number;
  unknownNs: number;
  /** Holder thread → nanoseconds of this thread's GIL wait it held the GIL for, most first. */
  heldByNs: Map<number, number>;
}

interface HolderRecord {
  causedNs: number;
  causedByStateNs: Record<HolderState, number>;
  heldNs: Record<HolderState, number>;
  covered: RangeSet;
  blocking: Map<string, BlockingStack>;
}

const PRUNE_EVERY = 1024;

function noStates(): Record<HolderState, number> {
  return { running: 0, preempted: 0, blocked: 0, waiting: 0 };
}

export class HolderStats {
  private readonly holders = new Map<number, HolderRecord>();
  private readonly waiters = new Map<number, WaiterSummary>();
  private added = 0;

  /** `describeBlocking` gives the top frames of a holder's blocking interval. */
  constructor(private readonly describeBlocking: (interval: OffCpuInterval) => string[]) {}

  /** An attributed wait; `horizonNs()` gives a time before which no later wait has stretches. */
  add(wait: AttributedWait, horizonNs: () => number): void {
    const waiter = this.waiterRecord(wait.interval.tid);
    for (const stretch of wait.stretches) {
      const ns = stretch.endNs - stretch.startNs;
      if (stretch.holder === HANDOFF) waiter.handoffNs += ns;
      else if (stretch.holder === UNKNOWN) waiter.unknownNs += ns;
      else {
        waiter.namedNs += ns;
        waiter.heldByNs.set(stretch.holder, (waiter.heldByNs.get(stretch.holder) ?? 0) + ns);
        const holder = this.holderRecord(stretch.holder);
        const state = holderStateOf(stretch.holderInterval);
        holder.causedNs += ns;
        holder.causedByStateNs[state] += ns;
        for (const [start, end] of holder.covered.add(stretch.startNs, stretch.endNs)) {
          holder.heldNs[state] += end - start;
          if (state === 'blocked') this.addBlocking(holder, stretch.holderInterval!, end - start);
        }
      }
    }
    if (++this.added % PRUNE_EVERY === 0) {
      const horizon = horizonNs();
      for (const holder of this.holders.values()) holder.covered.dropBefore(horizon);
    }
  }

  holder(tid: number): HolderSummary | undefined {
    const record = this.holders.get(tid);
    if (record === undefined) return undefined;
    const blockingStacks = [...record.blocking.values()].sort((a, b) => b.ns - a.ns);
    return { causedNs: record.causedNs, causedByStateNs: { ...record.causedByStateNs }, heldNs: { ...record.heldNs }, blockingStacks };
  }

  waiter(tid: number): WaiterSummary | undefined {
    const record = this.waiters.get(tid);
    if (record === undefined) return undefined;
    return { ...record, heldByNs: new Map([...record.heldByNs].sort((a, b) => b[1] - a[1])) };
  }

  private addBlocking(holder: HolderRecord, interval: OffCpuInterval, ns: number): void {
    const frames = this.describeBlocking(interval);
    const key = frames.join('\0');
    const known = holder.blocking.get(key);
    if (known === undefined) holder.blocking.set(key, { frames, ns });
    else known.ns += ns;
  }

  private holderRecord(tid: number): HolderRecord {
    let record = this.holders.get(tid);
    if (record === undefined) {
      record = { causedNs: 0, causedByStateNs: noStates(), heldNs: noStates(), covered: new RangeSet(), blocking: new Map() };
      this.holders.set(tid, record);
    }
    return record;
  }

  private waiterRecord(tid: number): WaiterSummary {
    let record = this.waiters.get(tid);
    if (record === undefined) {
      record = { namedNs: 0, handoffNs: 0, unknownNs: 0, heldByNs: new Map() };
      this.waiters.set(tid, record);
    }
    return record;
  }
}
