/**
 * The recording as per-thread timelines: every off-CPU interval of every thread (all classes, with its
 * folded stack and, for GIL waits, who held the GIL), in compact columns. Running stretches are the
 * gaps between a thread's intervals. The trace export, the speedscope export and the HTML timeline
 * read this one model.
 */
import { GIL } from '../analysis/gilClassifier.js';
import type { OffCpuInterval } from '../analysis/intervals.js';
import type { AttributedWait, HolderStretch } from '../holders/attribution.js';
import { holderStateOf, type HolderState } from '../holders/holderStats.js';
import { grownInt32 } from '../util/typedArrays.js';

export const HOLDER_STATES: readonly HolderState[] = ['running', 'preempted', 'blocked', 'waiting'];

/** Who held the GIL during part of a GIL wait. */
export interface TimelineHolder {
  /** Thread id, or HANDOFF / UNKNOWN (attribution.ts). */
  tid: number;
  ns: number;
  state: HolderState;
}

/**
 * A part of a GIL wait with one holder, in time order (kept when the analyzer folds holder stacks):
 * what the `--with-holders` / `--holders` views show of that part.
 */
export interface TimelineStretch {
  startNs: number;
  endNs: number;
  /** Thread id, or HANDOFF / UNKNOWN (attribution.ts). */
  tid: number;
  state: HolderState;
  /** Index into Timeline.stacks: the holder's stack at its release, root first (`(handoff)` / `(unknown)` alone). */
  stack: number;
}

/** One off-CPU interval as the timeline keeps it. */
export interface TimelineInterval {
  startNs: number;
  endNs: number;
  /** `gil`, `gil-drop`, `lock` or the state (`S`, `D`, `R+`, …). */
  cls: string;
  /** Index into Timeline.stacks. */
  stack: number;
  /** Whether the interval passes `--state`, `--min-us` and `--max-us` (what the folded output counts). */
  shown: boolean;
  /** For GIL waits with holder attribution: the holders, most time first. */
  holders: readonly TimelineHolder[] | undefined;
}

/** A thread's lane: its intervals in time order. */
export class TimelineLane {
  private count = 0;
  private starts = new Float64Array(64);
  private ends = new Float64Array(64);
  private classes = new Int32Array(64);
  private stacks = new Int32Array(64);
  /** Bit 0: shown. */
  private flags = new Int32Array(64);
  /** Index into the timeline's holder lists, -1 for none. */
  private holderLists = new Int32Array(64).fill(-1);

  /** The process as holder attribution groups threads (set by groupProcesses). */
  private group: number | undefined;

  constructor(
    private readonly timeline: Timeline,
    readonly tid: number,
    public pid: number,
    public comm: string,
  ) {}

  /**
   * The process whose GIL the thread shares: `pid`, or for an input without PIDs (where `pid` is the
   * thread id) the thread's hand-off group, named by its smallest thread id.
   */
  get process(): number {
    return this.group ?? this.pid;
  }

  setProcess(process: number): void {
    this.group = process;
  }

  get length(): number {
    return this.count;
  }

  /** First and last moment the thread is seen in its intervals. */
  get firstNs(): number {
    return this.count === 0 ? 0 : this.starts[0]!;
  }

  get lastNs(): number {
    return this.count === 0 ? 0 : this.ends[this.count - 1]!;
  }

  interval(index: number): TimelineInterval {
    const list = this.holderLists[index]!;
    return {
      startNs: this.starts[index]!,
      endNs: this.ends[index]!,
      cls: this.timeline.classes[this.classes[index]!]!,
      stack: this.stacks[index]!,
      shown: (this.flags[index]! & 1) === 1,
      holders: list < 0 ? undefined : this.timeline.holderList(list),
    };
  }

  /** For a GIL wait whose holder stacks were kept: its stretches, each with one holder, in time order. */
  stretches(index: number): readonly TimelineStretch[] | undefined {
    const list = this.holderLists[index]!;
    return list < 0 ? undefined : this.timeline.stretchList(list);
  }

  *intervals(): Generator<TimelineInterval> {
    for (let i = 0; i < this.count; i++) yield this.interval(i);
  }

  /** Nanoseconds on CPU between the thread's intervals (from its first interval's start to its last one's end). */
  runningNs(): number {
    let ns = 0;
    for (let i = 1; i < this.count; i++) ns += Math.max(0, this.starts[i]! - this.ends[i - 1]!);
    return ns;
  }

  /** Appends an interval; returns its index. */
  add(startNs: number, endNs: number, cls: number, stack: number, shown: boolean): number {
    if (this.count === this.starts.length) this.grow();
    const i = this.count++;
    this.starts[i] = startNs;
    this.ends[i] = endNs;
    this.classes[i] = cls;
    this.stacks[i] = stack;
    this.flags[i] = shown ? 1 : 0;
    return i;
  }

  setHolders(index: number, list: number): void {
    this.holderLists[index] = list;
  }

  private grow(): void {
    const length = this.starts.length * 2;
    const starts = new Float64Array(length);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Float64Array(length);
    ends.set(this.ends);
    this.ends = ends;
    this.classes = grownInt32(this.classes, length);
    this.stacks = grownInt32(this.stacks, length);
    this.flags = grownInt32(this.flags, length);
    this.holderLists = grownInt32(this.holderLists, length, -1);
  }
}

export class Timeline {
  /** Class names; lanes store indexes. */
  readonly classes: string[] = [];
  /** Folded stacks, root first (the flame graph's frames for the same interval). */
  readonly stacks: string[][] = [];
  private readonly lanes = new Map<number, TimelineLane>();
  private readonly classIds = new Map<string, number>();
  private readonly stackIds = new Map<string, number>();
  private readonly holderLists: TimelineHolder[][] = [];
  /** Parallel to holderLists (undefined without holder stacks). */
  private readonly stretchLists: (TimelineStretch[] | undefined)[] = [];
  /** Where each GIL wait went, until its holders are known. */
  private readonly pendingWaits = new WeakMap<OffCpuInterval, { lane: TimelineLane; index: number }>();

  /** Seconds of the recording's first timestamp: interval times are nanoseconds after it. */
  baseSeconds = 0;
  /** The recording's first event (ns after baseSeconds, which is its whole second). */
  startNs = 0;
  /** The recording's last event (ns after baseSeconds). */
  endNs = 0;

  threads(): TimelineLane[] {
    return [...this.lanes.values()].sort((a, b) => a.pid - b.pid || a.tid - b.tid);
  }

  /** Groups the lanes into processes (holder attribution knows them even without PIDs in the input). */
  groupProcesses(processOf: (tid: number) => number): void {
    for (const lane of this.lanes.values()) lane.setProcess(processOf(lane.tid));
  }

  lane(tid: number): TimelineLane | undefined {
    return this.lanes.get(tid);
  }

  holderList(index: number): readonly TimelineHolder[] {
    return this.holderLists[index]!;
  }

  /** The holder stretches of a holder list's wait, when holder stacks were given to addHolders. */
  stretchList(index: number): readonly TimelineStretch[] | undefined {
    return this.stretchLists[index];
  }

  /**
   * Every closed interval, in close order, with its folded frame names (root first); `shown` as the
   * folded output decides it.
   */
  addInterval(interval: OffCpuInterval, names: string[], shown: boolean): void {
    let lane = this.lanes.get(interval.tid);
    if (lane === undefined) {
      lane = new TimelineLane(this, interval.tid, interval.pid, interval.comm);
      this.lanes.set(interval.tid, lane);
    } else {
      lane.pid = interval.pid;
      lane.comm = interval.comm;
    }
    const index = lane.add(interval.startNs, interval.endNs, this.classId(interval.cls), this.stackId(names), shown);
    if (interval.cls === GIL) this.pendingWaits.set(interval, { lane, index });
  }

  /**
   * The holders of a GIL wait added before. With `holderStack` (the folded frames of a stretch's
   * holder, root first) the wait's stretches are kept too, for exports that show holder stacks.
   */
  addHolders(wait: AttributedWait, holderStack?: (stretch: HolderStretch) => string[]): void {
    const place = this.pendingWaits.get(wait.interval);
    if (place === undefined) return;
    const byHolder = new Map<string, TimelineHolder>();
    for (const stretch of wait.stretches) {
      const state = holderStateOf(stretch.holderInterval);
      const key = `${stretch.holder}:${state}`;
      const known = byHolder.get(key);
      const ns = stretch.endNs - stretch.startNs;
      if (known === undefined) byHolder.set(key, { tid: stretch.holder, ns, state });
      else known.ns += ns;
    }
    this.holderLists.push([...byHolder.values()].sort((a, b) => b.ns - a.ns));
    this.stretchLists.push(holderStack === undefined ? undefined : this.stretchesOf(wait, holderStack));
    place.lane.setHolders(place.index, this.holderLists.length - 1);
  }

  /** The wait's stretches with their holder stacks; neighbours with the same holder, state and stack merged. */
  private stretchesOf(wait: AttributedWait, holderStack: (stretch: HolderStretch) => string[]): TimelineStretch[] {
    const out: TimelineStretch[] = [];
    for (const stretch of wait.stretches) {
      const state = holderStateOf(stretch.holderInterval);
      const stack = this.stackId(holderStack(stretch));
      const last = out[out.length - 1];
      if (last !== undefined && last.endNs === stretch.startNs && last.tid === stretch.holder && last.state === state && last.stack === stack) last.endNs = stretch.endNs;
      else out.push({ startNs: stretch.startNs, endNs: stretch.endNs, tid: stretch.holder, state, stack });
    }
    return out;
  }

  private classId(cls: string): number {
    let id = this.classIds.get(cls);
    if (id === undefined) {
      id = this.classes.length;
      this.classes.push(cls);
      this.classIds.set(cls, id);
    }
    return id;
  }

  private stackId(names: string[]): number {
    const key = names.join('\n');
    let id = this.stackIds.get(key);
    if (id === undefined) {
      id = this.stacks.length;
      this.stacks.push(names);
      this.stackIds.set(key, id);
    }
    return id;
  }
}
