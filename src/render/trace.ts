/**
 * `--trace`: the timeline as Chrome Trace Event JSON (object form), which Perfetto's UI and
 * chrome://tracing open. One track per thread with an `X` event per shown off-CPU interval (named
 * by its class) and per running stretch, `M` events naming processes and threads, and per process a
 * counter (`C`) of the threads waiting for the GIL. Times are µs on perf's clock, written exactly
 * from integer nanoseconds. The text comes out in chunks, so a big file is never one string.
 */
import { GIL, GIL_DROP, LOCK } from '../analysis/gilClassifier.js';
import type { Timeline, TimelineInterval, TimelineLane } from '../timeline/timeline.js';
import {
  ChunkBuffer,
  clockMicrosecondsText,
  exportedLanes,
  holderId,
  holderParts,
  microsecondsText,
  warningMessages,
  type ExportMeta,
} from './exportCommon.js';

export interface TraceOptions {
  /** Leave out intervals and running stretches shorter than this many µs (`--trace-min-us`). */
  minUs?: number;
  /** Give each holder in `args.holders` its stack at the release (`--with-holders` / `--holders`). */
  holderStacks?: boolean;
  /** Only these threads (`--python-only`). */
  keepThread?: (tid: number) => boolean;
}

/** What a trace holds; filled in while it is written. */
export interface TraceCounts {
  /** Off-CPU `X` events. */
  intervals: number;
  /** `running` `X` events. */
  running: number;
  /** Counter (`C`) events. */
  counters: number;
  /** Shown intervals and running stretches left out by `--trace-min-us`. */
  droppedIntervals: number;
  droppedRunning: number;
  threads: number;
}

/** The event name of an interval class. */
export function traceEventName(cls: string): string {
  if (cls === GIL) return 'GIL wait';
  if (cls === GIL_DROP) return 'GIL drop';
  return cls;
}

/** trace-viewer's reserved color names (chrome://tracing uses them; Perfetto colors by name). */
function colorName(cls: string): string {
  if (cls === GIL) return 'terrible';
  if (cls === GIL_DROP) return 'bad';
  if (cls === LOCK) return 'yellow';
  if (cls.startsWith('R')) return 'thread_state_runnable';
  if (cls.startsWith('D')) return 'thread_state_uninterruptible';
  return 'thread_state_sleeping';
}

export const RUNNING = 'running';
export const GIL_COUNTER = 'GIL waiters';

export function emptyTraceCounts(): TraceCounts {
  return { intervals: 0, running: 0, counters: 0, droppedIntervals: 0, droppedRunning: 0, threads: 0 };
}

/** The trace as text chunks; `counts` is filled in as they are taken. */
export function* traceChunks(timeline: Timeline, meta: ExportMeta, options: TraceOptions = {}, counts: TraceCounts = emptyTraceCounts()): Generator<string> {
  const minNs = (options.minUs ?? 0) * 1000;
  const lanes = exportedLanes(timeline, options.keepThread);
  const out = new ChunkBuffer();
  const ts = (ns: number): string => clockMicrosecondsText(timeline.baseSeconds, ns);
  const stackJson = new Map<number, string>();
  const stackOf = (index: number): string => {
    let json = stackJson.get(index);
    if (json === undefined) {
      json = JSON.stringify(timeline.stacks[index]!);
      stackJson.set(index, json);
    }
    return json;
  };
  let first = true;
  function* event(json: string): Generator<string> {
    const chunk = out.add(first ? json : `,\n${json}`);
    first = false;
    if (chunk !== undefined) yield chunk;
  }

  yield '{"displayTimeUnit":"ms","traceEvents":[\n';
  for (const json of metadataEvents(lanes)) yield* event(json);
  counts.threads = lanes.length;
  for (const lane of lanes) {
    const head = `"pid":${lane.process},"tid":${lane.tid}`;
    let previousEnd: number | undefined;
    for (let i = 0; i < lane.length; i++) {
      const interval = lane.interval(i);
      if (previousEnd !== undefined && interval.startNs > previousEnd) {
        const ns = interval.startNs - previousEnd;
        if (ns < minNs) counts.droppedRunning++;
        else {
          counts.running++;
          yield* event(`{"name":"${RUNNING}","cat":"running","ph":"X","ts":${ts(previousEnd)},"dur":${microsecondsText(ns)},${head},"cname":"thread_state_running"}`);
        }
      }
      previousEnd = interval.endNs;
      if (!interval.shown) continue;
      const ns = interval.endNs - interval.startNs;
      if (ns < minNs) {
        counts.droppedIntervals++;
        continue;
      }
      counts.intervals++;
      const holders = interval.holders === undefined ? '' : `,"holders":${holdersJson(timeline, lane, i, interval, options.holderStacks ?? false)}`;
      yield* event(
        `{"name":${JSON.stringify(traceEventName(interval.cls))},"cat":"off-cpu","ph":"X","ts":${ts(interval.startNs)},"dur":${microsecondsText(ns)},${head},` +
          `"cname":"${colorName(interval.cls)}","args":{"stack":${stackOf(interval.stack)}${holders}}}`,
      );
    }
  }
  for (const [pid, changes] of gilWaiterCounts(lanes, minNs)) {
    for (const [ns, threads] of changes) {
      counts.counters++;
      yield* event(`{"name":"${GIL_COUNTER}","ph":"C","ts":${ts(ns)},"pid":${pid},"args":{"threads":${threads}}}`);
    }
  }
  const otherData = {
    generator: meta.generator,
    input: meta.input,
    command: meta.command,
    clock: 'µs on the clock of perf script timestamps (CLOCK_MONOTONIC when recorded with -k CLOCK_MONOTONIC)',
    shown: `off-CPU intervals of the classes ${meta.states.join(', ')}; gaps between a thread's intervals are "running"`,
    traceMinUs: options.minUs ?? 0,
    droppedIntervals: counts.droppedIntervals,
    droppedRunning: counts.droppedRunning,
    warnings: warningMessages(meta),
  };
  yield `${out.take()}\n],\n"otherData":${JSON.stringify(otherData)}}\n`;
}

/** `process_name`, `thread_name` and their sort indexes. */
function metadataEvents(lanes: readonly TimelineLane[]): string[] {
  const events: string[] = [];
  const byPid = new Map<number, TimelineLane[]>();
  for (const lane of lanes) {
    let list = byPid.get(lane.process);
    if (list === undefined) byPid.set(lane.process, (list = []));
    list.push(lane);
  }
  let processIndex = 0;
  for (const [pid, threads] of byPid) {
    const main = threads.find((lane) => lane.tid === pid) ?? threads[0]!;
    events.push(`{"name":"process_name","ph":"M","pid":${pid},"tid":${pid},"args":{"name":${JSON.stringify(main.comm)}}}`);
    events.push(`{"name":"process_sort_index","ph":"M","pid":${pid},"tid":${pid},"args":{"sort_index":${processIndex++}}}`);
    threads.forEach((lane, index) => {
      events.push(`{"name":"thread_name","ph":"M","pid":${pid},"tid":${lane.tid},"args":{"name":${JSON.stringify(lane.comm)}}}`);
      events.push(`{"name":"thread_sort_index","ph":"M","pid":${pid},"tid":${lane.tid},"args":{"sort_index":${index}}}`);
    });
  }
  return events;
}

/** `args.holders`: who held the GIL, for how long, in what state (with their stacks when asked). */
function holdersJson(timeline: Timeline, lane: TimelineLane, index: number, interval: TimelineInterval, withStacks: boolean): string {
  const stretches = withStacks ? lane.stretches(index) : undefined;
  if (stretches === undefined) {
    return JSON.stringify(interval.holders!.map((holder) => ({ tid: holderId(holder.tid), us: Number(microsecondsText(holder.ns)), state: holder.state })));
  }
  const parts = holderParts(stretches).map((part) => ({
    tid: holderId(part.tid),
    us: Number(microsecondsText(part.ns)),
    stack: timeline.stacks[part.stack]!,
  }));
  return JSON.stringify(parts);
}

/**
 * Per process, how many threads wait for the GIL, at each moment it changes: every GIL wait of the
 * exported threads counts (whatever `--state` shows), except those shorter than `minNs`.
 */
function gilWaiterCounts(lanes: readonly TimelineLane[], minNs: number): Map<number, [number, number][]> {
  const deltas = new Map<number, [number, number][]>();
  for (const lane of lanes) {
    let list = deltas.get(lane.process);
    for (let i = 0; i < lane.length; i++) {
      const interval = lane.interval(i);
      if (interval.cls !== GIL || interval.endNs - interval.startNs < minNs || interval.endNs === interval.startNs) continue;
      if (list === undefined) deltas.set(lane.process, (list = []));
      list.push([interval.startNs, 1], [interval.endNs, -1]);
    }
  }
  const counts = new Map<number, [number, number][]>();
  for (const [pid, list] of deltas) {
    list.sort((a, b) => a[0] - b[0]);
    const changes: [number, number][] = [];
    let waiting = 0;
    for (const [ns, delta] of list) {
      waiting += delta;
      const last = changes[changes.length - 1];
      if (last !== undefined && last[0] === ns) last[1] = waiting;
      else changes.push([ns, waiting]);
    }
    counts.set(pid, changes);
  }
  return counts;
}
