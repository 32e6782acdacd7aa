/**
 * What the exports (Chrome trace, speedscope, pprof) share: exact microsecond text from integer
 * nanoseconds, the threads they show and in which order, how threads and holders are named.
 */
import { HANDOFF, UNKNOWN } from '../holders/attribution.js';
import type { Timeline, TimelineLane, TimelineStretch } from '../timeline/timeline.js';
import type { Warning } from '../warnings.js';

/** What an export says about where it came from, in its metadata where the format has room. */
export interface ExportMeta {
  /** The input's label (file name or `-`). */
  input: string;
  /** The command line that made it. */
  command: string;
  /** The classes shown (`--state`). */
  states: readonly string[];
  /** Warnings and notes about the input (lost events, missing stacks, …): every export repeats them. */
  warnings: readonly Warning[];
  /** `offgil VERSION`. */
  generator: string;
}

/** Which frames stand for a GIL wait: the waiter's, the waiter's with the holder's on top, or the holder's. */
export type HolderView = 'waiters' | 'with-holders' | 'holders';

/** Between the waiter's and the holder's frames, as in `--with-holders` folded lines. */
export { HOLDER_SEPARATOR } from '../holders/holderFolding.js';

/** `ns / 1000` as exact decimal text: 1234500 → `1234.5`. No floating-point division is involved. */
export function microsecondsText(ns: number): string {
  const whole = Math.floor(ns / 1000);
  return withFraction(String(whole), ns - whole * 1000);
}

/**
 * A moment of the recording on perf's own clock (CLOCK_MONOTONIC with `-k CLOCK_MONOTONIC`) in µs:
 * `baseSeconds` × 10⁶ + ns / 1000, exact even where the nanoseconds since boot pass 2⁵³.
 */
export function clockMicrosecondsText(baseSeconds: number, ns: number): string {
  const whole = Math.floor(ns / 1000);
  return withFraction(String(baseSeconds * 1_000_000 + whole), ns - whole * 1000);
}

function withFraction(whole: string, nsPart: number): string {
  if (nsPart === 0) return whole;
  return `${whole}.${String(nsPart).padStart(3, '0').replace(/0+$/, '')}`;
}

/** `COMM-PID/TID`, the root frame `--tid` adds and the name of a thread's profile. */
export function threadLabel(lane: TimelineLane): string {
  return `${lane.comm}-${lane.pid}/${lane.tid}`;
}

/** A holder as exports name it: its thread id, or `handoff` / `unknown`. */
export function holderId(tid: number): number | string {
  if (tid === HANDOFF) return 'handoff';
  if (tid === UNKNOWN) return 'unknown';
  return tid;
}

/**
 * The threads to export, by process and within a process the main thread first, then by thread id.
 * `keep` leaves threads out (`--python-only`).
 */
export function exportedLanes(timeline: Timeline, keep?: (tid: number) => boolean): TimelineLane[] {
  return timeline
    .threads()
    .filter((lane) => keep?.(lane.tid) ?? true)
    .sort((a, b) => a.process - b.process || Number(b.tid === b.process) - Number(a.tid === a.process) || a.tid - b.tid);
}

/** How many nanoseconds of a thread's intervals the folded output counts (`shown`). */
export function shownNs(lane: TimelineLane): number {
  let ns = 0;
  for (let i = 0; i < lane.length; i++) {
    const interval = lane.interval(i);
    if (interval.shown) ns += interval.endNs - interval.startNs;
  }
  return ns;
}

/** A GIL wait's time per holder and holder stack (state ignored), most time first. */
export function holderParts(stretches: readonly TimelineStretch[]): { tid: number; stack: number; ns: number }[] {
  const parts = new Map<string, { tid: number; stack: number; ns: number }>();
  for (const stretch of stretches) {
    const key = `${stretch.tid}:${stretch.stack}`;
    const part = parts.get(key);
    if (part === undefined) parts.set(key, { tid: stretch.tid, stack: stretch.stack, ns: stretch.endNs - stretch.startNs });
    else part.ns += stretch.endNs - stretch.startNs;
  }
  return [...parts.values()].sort((a, b) => b.ns - a.ns);
}

/**
 * The frames (root first) that stand for one part of a GIL wait in a holder view, as the folded
 * `--with-holders` (`WAITER;--;holder leaf…holder root`) and `--holders` (holder root…leaf) lines.
 */
export function holderViewFrames(view: HolderView, waiter: readonly string[], holder: readonly string[], separator: string): string[] {
  if (view === 'holders') return [...holder];
  if (view === 'with-holders') return [...waiter, separator, ...[...holder].reverse()];
  return [...waiter];
}

/**
 * Collects text into chunks of about `size` characters, so a writer can stream a big file without
 * building one string for it and without one tiny write per event.
 */
export class ChunkBuffer {
  private parts: string[] = [];
  private length = 0;

  constructor(private readonly size = 1 << 16) {}

  /** Adds text; returns a full chunk to hand on, or undefined. */
  add(text: string): string | undefined {
    this.parts.push(text);
    this.length += text.length;
    return this.length >= this.size ? this.take() : undefined;
  }

  /** What is left. */
  take(): string {
    const chunk = this.parts.join('');
    this.parts = [];
    this.length = 0;
    return chunk;
  }
}

/** The warnings' messages, for metadata fields. */
export function warningMessages(meta: ExportMeta): string[] {
  return meta.warnings.map((warning) => `${warning.severity}: ${warning.message}`);
}
