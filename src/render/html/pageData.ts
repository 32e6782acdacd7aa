/**
 * What the HTML page embeds as JSON: one frame-name table, the folded views as compact stack lists
 * (per thread, so the page can filter), the per-thread table, the timeline summary. The page builds
 * its flame trees from this at load and whenever the view or the thread filter changes.
 */
import type { FrameKind } from '../../stacks/frameKind.js';
import type { TimelineData } from './timelineData.js';

/** Frame kinds as one letter each in `PageData.kinds`. */
export const KIND_LETTERS: Record<FrameKind, string> = { python: 'p', cpython: 'c', native: 'n', libc: 'l', kernel: 'k' };

export interface PageView {
  id: string;
  label: string;
  /**
   * Stacks in groups of numbers. Profile: `tid, value, common, fresh, id × fresh`; diff:
   * `tid, before, after, common, fresh, id × fresh`. A stack is the previous stack's first `common`
   * frames followed by `fresh` new ones (name indexes), root first.
   */
  stacks: number[];
}

export interface PageThread {
  tid: number;
  pid: number;
  comm: string;
  /** Nanoseconds. */
  observed: number;
  running: number;
  gil: number;
  gilDrop: number;
  /** GIL wait of other threads while this one held the GIL (holder attribution). */
  caused: number;
  lock: number;
  sleep: number;
  io: number;
  preempted: number;
  other: number;
}

export interface PageData {
  mode: 'profile' | 'diff';
  /** Unit shown after numbers, such as `µs`. */
  unit: string;
  /** Stack values per shown unit (1000 when values are ns and the unit µs). */
  scale: number;
  names: string[];
  /** One letter per name (KIND_LETTERS). */
  kinds: string;
  views: PageView[];
  /** Whether the views' stacks carry their thread (else the thread filter leaves the flame graph whole). */
  byThread?: boolean;
  /** Index of the view shown first (default 0). */
  initialView?: number;
  /** Profile of a recording: the thread table. */
  threads?: PageThread[];
  timeline?: TimelineData;
  /** Diff: labels of the two sides. */
  before?: string;
  after?: string;
}

/** Interns frame names and their kinds for the page. */
export class PageNames {
  readonly names: string[] = [];
  private kindLetters = '';
  private readonly ids = new Map<string, number>();

  constructor(private readonly kindOf: (name: string) => FrameKind) {}

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
      this.kindLetters += KIND_LETTERS[this.kindOf(name)];
    }
    return id;
  }

  get kinds(): string {
    return this.kindLetters;
  }
}

/** A view's stack list from `[tid, counts, frames]` entries (counts: one, or before and after). */
export function encodeStacks(entries: Iterable<readonly [number, readonly number[], readonly string[]]>, names: PageNames): number[] {
  const out: number[] = [];
  let previous: readonly number[] = [];
  for (const [tid, counts, frames] of entries) {
    const ids = frames.map((frame) => names.id(frame));
    let common = 0;
    while (common < ids.length && common < previous.length && ids[common] === previous[common]) common++;
    out.push(tid, ...counts, common, ids.length - common);
    for (let i = common; i < ids.length; i++) out.push(ids[i]!);
    previous = ids;
  }
  return out;
}

/** Decodes a view's stacks (for tests): `[tid, counts, frames]`, with `counts` one or two numbers. */
export function decodeStacks(view: PageView, data: Pick<PageData, 'names' | 'mode'>): [number, number[], string[]][] {
  const counts = data.mode === 'diff' ? 2 : 1;
  const out: [number, number[], string[]][] = [];
  const s = view.stacks;
  let previous: number[] = [];
  for (let at = 0; at < s.length; ) {
    const tid = s[at++]!;
    const values = s.slice(at, at + counts);
    at += counts;
    const common = s[at++]!;
    const fresh = s[at++]!;
    const ids = [...previous.slice(0, common), ...s.slice(at, at + fresh)];
    at += fresh;
    previous = ids;
    out.push([tid, values, ids.map((id) => data.names[id]!)]);
  }
  return out;
}
