/**
 * The timeline of the HTML report as the page embeds it: a bounded summary of every thread's lane.
 *
 * - **Levels**: per lane, time in each state (running, GIL wait, GIL drop, lock, sleep, I/O, preempted,
 *   other) in equal buckets over the recording, at 2,048 × 4^k buckets (k = 0, 1, …). Each bucket keeps
 *   the share of its width spent in each state, in 1/255 steps, run-length encoded (a long sleep is
 *   one run). Finer levels are added while the encoded levels fit `levelBytes`; the page draws a view
 *   from the coarsest level whose buckets are no wider than a pixel.
 * - **Intervals**: the off-CPU intervals themselves (class, exact times, top frames, GIL holders), all
 *   of them when there are at most `maxIntervals`, else the longest `maxIntervals`. Hover reads them;
 *   a lane whose intervals are all kept is drawn exactly at any zoom (running = the gaps).
 *
 * So the page's size is bounded by the two budgets, whatever the recording's length.
 */
import { GIL, GIL_DROP, LOCK } from '../../analysis/gilClassifier.js';
import { HOLDER_STATES, type Timeline, type TimelineLane } from '../../timeline/timeline.js';

/** The states a lane is colored by; index = code. */
export const LANE_STATES = ['running', 'GIL wait', 'GIL drop', 'lock', 'sleep', 'I/O', 'preempted', 'other'] as const;
export const STATE_COUNT = LANE_STATES.length;
export const RUNNING = 0;

export function stateOfClass(cls: string): number {
  if (cls === GIL) return 1;
  if (cls === GIL_DROP) return 2;
  if (cls === LOCK) return 3;
  if (cls === 'S') return 4;
  if (cls === 'D') return 5;
  if (cls.startsWith('R')) return 6;
  return 7;
}

export interface TimelineBudget {
  /** Encoded bytes of all levels together (before base64); the first level is always kept. */
  levelBytes: number;
  /** Intervals kept for hover and exact drawing. */
  maxIntervals: number;
  /** Frames of each kept interval's stack, leaf first. */
  topFrames: number;
}

export const DEFAULT_TIMELINE_BUDGET: TimelineBudget = { levelBytes: 3_000_000, maxIntervals: 150_000, topFrames: 12 };

const BASE_BUCKETS = 2048;
/** Holders listed per GIL wait; the rest are summed as one entry. */
export const MAX_HOLDERS = 5;
export const OTHER_HOLDERS = -3;
const MAX_LEVELS = 5;
/** Buckets of all lanes of one level, at most (a finer level is not computed beyond it). */
const MAX_BUCKET_CELLS = 16 << 20;
/** Buckets narrower than this add nothing (perf's clock is µs in most recordings). */
const MIN_BUCKET_NS = 1000;

export interface TimelineLaneData {
  tid: number;
  pid: number;
  comm: string;
  firstNs: number;
  lastNs: number;
  /** Intervals of the lane in the recording. */
  intervals: number;
  /** Whether every interval of the lane is in `raw` (the lane can be drawn exactly). */
  complete: boolean;
  /**
   * Kept intervals in time order, five numbers each: start − previous kept interval's end (ns; the
   * first from 0), duration (ns), class (index into `classes`), stack (index into `stacks`, -1 for
   * none), holders (index into `holders`, -1 for none).
   */
  raw: number[];
}

export interface TimelineLevel {
  buckets: number;
  /** Per lane: base64 of runs `[count varint][state bit mask][one share byte per set bit]`. */
  lanes: string[];
}

export interface TimelineData {
  baseSeconds: number;
  endNs: number;
  states: readonly string[];
  classes: string[];
  lanes: TimelineLaneData[];
  levels: TimelineLevel[];
  /** Top frames of kept intervals, leaf first, as indexes into the page's name table. */
  stacks: number[][];
  /**
   * Per GIL wait: `[holder tid, µs, holder state index]…` flattened, most time first; tid -1 is a
   * hand-off, -2 unknown, -3 the other holders of a wait with more than MAX_HOLDERS.
   */
  holders: number[][];
  holderStates: readonly string[];
  totalIntervals: number;
  keptIntervals: number;
}

/** Interns frame names into the page's table. */
export type NameIndex = (name: string) => number;

interface LaneInput {
  lane: TimelineLane;
  starts: Float64Array;
  ends: Float64Array;
  states: Uint8Array;
}

function laneInput(lane: TimelineLane): LaneInput {
  const n = lane.length;
  const order = [...Array(n).keys()].map((i) => [i, lane.interval(i).startNs] as const).sort((a, b) => a[1] - b[1]);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const states = new Uint8Array(n);
  order.forEach(([i], k) => {
    const interval = lane.interval(i);
    starts[k] = interval.startNs;
    // Input out of time order can end an interval before it starts: it lasts nothing.
    ends[k] = Math.max(interval.startNs, interval.endNs);
    states[k] = stateOfClass(interval.cls);
  });
  return { lane, starts, ends, states };
}

/** Nanoseconds per state per bucket of one lane at `buckets` buckets over [0, endNs). */
function bucketNs(input: LaneInput, buckets: number, endNs: number, into: Float64Array): void {
  into.fill(0, 0, buckets * STATE_COUNT);
  const width = endNs / buckets;
  const add = (start: number, end: number, state: number): void => {
    // Out-of-order input can put times before the first timestamp or after the last event: clip.
    const from = Math.max(0, start);
    const to = Math.min(endNs, end);
    if (to <= from) return;
    let bucket = Math.min(buckets - 1, Math.floor(from / width));
    let at = from;
    while (at < to && bucket < buckets) {
      const edge = bucket === buckets - 1 ? Infinity : (bucket + 1) * width;
      const next = Math.min(to, edge);
      into[bucket * STATE_COUNT + state]! += next - at;
      at = next;
      bucket++;
    }
  };
  const { starts, ends, states } = input;
  for (let i = 0; i < starts.length; i++) {
    if (i > 0) add(ends[i - 1]!, starts[i]!, RUNNING);
    add(starts[i]!, ends[i]!, states[i]!);
  }
}

function pushVarint(out: number[], value: number): void {
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

/** Shares in 1/255 of the bucket, rounded so that they add up to the rounded total (largest remainder). */
function quantize(ns: Float64Array, offset: number, width: number, shares: Uint8Array): void {
  let total = 0;
  for (let s = 0; s < STATE_COUNT; s++) total += ns[offset + s]!;
  const target = Math.min(255, Math.round((255 * total) / width));
  let given = 0;
  const remainders: [number, number][] = [];
  for (let s = 0; s < STATE_COUNT; s++) {
    const exact = (255 * ns[offset + s]!) / width;
    const floor = Math.floor(exact);
    shares[s] = floor;
    given += floor;
    if (exact > floor) remainders.push([exact - floor, s]);
  }
  remainders.sort((a, b) => b[0] - a[0]);
  for (let k = 0; given < target && k < remainders.length; k++, given++) shares[remainders[k]![1]]!++;
  // A state with any time at all keeps at least one step when the bucket has room, so short GIL waits
  // between long runs stay visible at coarse zoom.
  for (const [, s] of remainders) {
    if (shares[s] === 0 && given < 255) {
      shares[s] = 1;
      given++;
    }
  }
}

function sameBucket(ns: Float64Array, bucket: number): boolean {
  const at = bucket * STATE_COUNT;
  for (let s = 0; s < STATE_COUNT; s++) if (ns[at + s] !== ns[at - STATE_COUNT + s]) return false;
  return true;
}

function encodeLevel(ns: Float64Array, buckets: number, width: number): Buffer {
  const out: number[] = [];
  const shares = new Uint8Array(STATE_COUNT);
  const previous = new Uint8Array(STATE_COUNT);
  let run = 0;
  const flush = (): void => {
    if (run === 0) return;
    pushVarint(out, run);
    let mask = 0;
    for (let s = 0; s < STATE_COUNT; s++) if (previous[s]! > 0) mask |= 1 << s;
    out.push(mask);
    for (let s = 0; s < STATE_COUNT; s++) if (previous[s]! > 0) out.push(previous[s]!);
  };
  for (let b = 0; b < buckets; b++) {
    // A bucket with the same time per state as the one before (inside a long interval, outside the
    // lane's life) has the same shares: no need to quantize it again.
    if (run > 0 && b > 0 && sameBucket(ns, b)) {
      run++;
      continue;
    }
    quantize(ns, b * STATE_COUNT, width, shares);
    let same = run > 0;
    for (let s = 0; same && s < STATE_COUNT; s++) same = shares[s] === previous[s];
    if (same) {
      run++;
      continue;
    }
    flush();
    previous.set(shares);
    run = 1;
  }
  flush();
  return Buffer.from(out);
}

/** Decodes one lane of a level: shares per bucket (for tests and tools; the page has its own decoder). */
export function decodeLevelLane(base64: string, buckets: number): Uint8Array {
  const bytes = Buffer.from(base64, 'base64');
  const shares = new Uint8Array(buckets * STATE_COUNT);
  let at = 0;
  let bucket = 0;
  while (at < bytes.length) {
    let count = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = bytes[at++]!;
      count += (byte & 0x7f) * shift;
      if (byte < 0x80) break;
    }
    const mask = bytes[at++]!;
    const run = new Uint8Array(STATE_COUNT);
    for (let s = 0; s < STATE_COUNT; s++) if (mask & (1 << s)) run[s] = bytes[at++]!;
    for (let k = 0; k < count; k++, bucket++) shares.set(run, bucket * STATE_COUNT);
  }
  return shares;
}

/**
 * The summary of `timeline` for the lanes of `tids` (in that order; threads without a lane are
 * left out).
 */
export function timelineData(timeline: Timeline, tids: readonly number[], nameIndex: NameIndex, budget: TimelineBudget = DEFAULT_TIMELINE_BUDGET): TimelineData {
  const endNs = Math.max(1, timeline.endNs);
  const lanes = tids.map((tid) => timeline.lane(tid)).filter((lane): lane is TimelineLane => lane !== undefined && lane.length > 0);
  const inputs = lanes.map(laneInput);
  const totalIntervals = inputs.reduce((sum, input) => sum + input.starts.length, 0);

  // Which intervals to keep: all, or the longest.
  let threshold = -1;
  if (totalIntervals > budget.maxIntervals) {
    const durations = new Float64Array(totalIntervals);
    let k = 0;
    for (const input of inputs) for (let i = 0; i < input.starts.length; i++) durations[k++] = input.ends[i]! - input.starts[i]!;
    durations.sort();
    // Keep the intervals strictly longer than the first one left out.
    threshold = durations[totalIntervals - budget.maxIntervals - 1]!;
  }

  const classes: string[] = [];
  const classIds = new Map<string, number>();
  const stacks: number[][] = [];
  const stackIds = new Map<string, number>();
  const holders: number[][] = [];
  let keptIntervals = 0;
  const laneData = lanes.map((lane): TimelineLaneData => {
    const all = [...lane.intervals()].sort((a, b) => a.startNs - b.startNs);
    const raw: number[] = [];
    let previousEnd = 0;
    let kept = 0;
    for (const interval of all) {
      const endNs = Math.max(interval.startNs, interval.endNs);
      if (threshold >= 0 && endNs - interval.startNs <= threshold) continue;
      kept++;
      let cls = classIds.get(interval.cls);
      if (cls === undefined) {
        cls = classes.length;
        classes.push(interval.cls);
        classIds.set(interval.cls, cls);
      }
      const frames = timeline.stacks[interval.stack] ?? [];
      const top = frames.slice(-budget.topFrames).reverse();
      const key = top.join('\n');
      let stack = stackIds.get(key);
      if (stack === undefined) {
        stack = top.length === 0 ? -1 : stacks.length;
        if (top.length > 0) stacks.push(top.map(nameIndex));
        stackIds.set(key, stack);
      }
      let holderIndex = -1;
      if (interval.holders !== undefined && interval.holders.length > 0) {
        holderIndex = holders.length;
        const list = interval.holders;
        const top = list.length > MAX_HOLDERS ? list.slice(0, MAX_HOLDERS - 1) : list;
        const entry = top.flatMap((holder) => [holder.tid, Math.round(holder.ns / 1000), HOLDER_STATES.indexOf(holder.state)]);
        if (top.length < list.length) entry.push(OTHER_HOLDERS, Math.round(list.slice(top.length).reduce((sum, holder) => sum + holder.ns, 0) / 1000), 0);
        holders.push(entry);
      }
      raw.push(interval.startNs - previousEnd, endNs - interval.startNs, cls, stack, holderIndex);
      previousEnd = endNs;
    }
    keptIntervals += kept;
    return { tid: lane.tid, pid: lane.pid, comm: lane.comm, firstNs: lane.firstNs, lastNs: lane.lastNs, intervals: all.length, complete: kept === all.length, raw };
  });

  const levels: TimelineLevel[] = [];
  const allComplete = laneData.every((lane) => lane.complete);
  const maxLaneIntervals = Math.max(0, ...laneData.map((lane) => lane.intervals));
  let bytes = 0;
  let scratch = new Float64Array(0);
  for (let k = 0, buckets = BASE_BUCKETS; k < MAX_LEVELS; k++, buckets *= 4) {
    const width = endNs / buckets;
    if (k > 0 && width < MIN_BUCKET_NS) break;
    // Hundreds of lanes at the finest levels cost time for bytes the budget would refuse anyway.
    if (k > 0 && buckets * inputs.length > MAX_BUCKET_CELLS) break;
    if (scratch.length < buckets * STATE_COUNT) scratch = new Float64Array(buckets * STATE_COUNT);
    const encoded = inputs.map((input) => {
      bucketNs(input, buckets, endNs, scratch);
      return encodeLevel(scratch, buckets, width);
    });
    const size = encoded.reduce((sum, buf) => sum + buf.length, 0);
    if (k > 0 && bytes + size > budget.levelBytes) break;
    bytes += size;
    levels.push({ buckets, lanes: encoded.map((buf) => buf.toString('base64')) });
    // Exact lanes are drawn from their intervals once a view holds few enough of them.
    if (allComplete && buckets >= maxLaneIntervals) break;
  }

  return {
    baseSeconds: timeline.baseSeconds,
    endNs,
    states: LANE_STATES,
    classes,
    lanes: laneData,
    levels,
    stacks,
    holders,
    holderStates: HOLDER_STATES,
    totalIntervals,
    keptIntervals,
  };
}
