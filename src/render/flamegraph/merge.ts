/**
 * Turns sorted folded lines into the boxes of a flame graph the way flamegraph.pl does: walking the
 * lines in order, a frame is shared with the previous line only while the two stacks agree from the
 * root; everything else opens a new box at the running total. Boxes narrower than the minimum width
 * are dropped as they close, so memory follows the drawn boxes, not the input.
 */
import { compareCodePoints } from '../../util/codePointOrder.js';
import { markWakerFrames, type FoldedLine } from './foldedInput.js';

export interface FrameNode {
  /** The frame as written in the input, annotation (`_[k]`, …) included; `''` for the root. */
  name: string;
  /** 0 for the root `all`, 1 for the outermost frame of a stack. */
  depth: number;
  start: number;
  end: number;
  /** after − before of the line whose leaf this box is, 0 for other boxes of differential lines;
   * undefined for boxes opened by single-count lines. */
  delta: number | undefined;
}

export interface MergeOptions {
  /** Tag the frames after `--` (wakers, GIL holders) before merging: `chain` as flamegraph.pl, `holders` for --colors python. */
  wakerFrames: 'chain' | 'holders' | 'none';
  /** Boxes shorter than this (in counts) are dropped. */
  minWidth: number;
}

export interface MergedFrames {
  /** The kept boxes, grouped by the time they closed. */
  nodes: FrameNode[];
  /** Deepest kept box. */
  maxDepth: number;
}

/**
 * Sorts whole lines by code point (so `main 1`, `main.cold;x 1`, `main;work 1` split `main` in two,
 * as in flamegraph.pl), unless drawing a flame chart.
 */
export function orderLines(lines: FoldedLine[], flamechart: boolean): FoldedLine[] {
  if (flamechart) return lines;
  // Plain `<` compares UTF-16 units, which equals code point order unless surrogates meet U+E000–U+FFFF.
  const needsCodePoints = lines.some((line) => /[\ud800-\uffff]/.test(line.key));
  return lines.sort(needsCodePoints ? (a, b) => compareCodePoints(a.key, b.key) : (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function mergeLines(ordered: Iterable<FoldedLine>, options: MergeOptions): MergedFrames {
  const nodes: FrameNode[] = [];
  // Open frames, grouped by the line that opened them (all at the same time): a group that closes
  // too narrow to draw is dropped without ever being split into frames.
  const open: OpenRun[] = [];
  let lines = 0;
  let rootDelta: number | undefined;
  let time = 0;

  /** Closes the frames of `run` from character `from` on, the first of them at `depth`. */
  const close = (run: OpenRun, from: number, depth: number): void => {
    const width = time - run.start;
    // Zero-width frames are never drawn with a positive minimum, but they still replace twins.
    if (width >= options.minWidth || width === 0) emitFrames(run, from, depth, time, width >= options.minWidth, nodes);
  };

  // Sorted neighbours share long prefixes: only the characters up to the first difference are compared.
  let previous = '';
  for (const line of ordered) {
    const stack = withoutEmptyTail(options.wakerFrames === 'none' ? line.stack : markWakerFrames(line.stack, options.wakerFrames === 'chain'));
    const { shared, end } = sharedFrames(previous, stack);
    previous = stack;
    // Depth 0 is the root `all`: opened by the first line, closed after the last; a differential
    // first line without frames makes it the leaf.
    if (lines++ === 0) rootDelta = line.delta === undefined || stack === '' ? line.delta : 0;
    while (open.length > 0 && open[open.length - 1]!.depth > shared) {
      const run = open.pop()!;
      close(run, run.from, run.depth);
    }
    const top = open[open.length - 1];
    if (top !== undefined && top.end > end) {
      // Open frames share their text up to `end` with this line, so the first unshared one starts after it.
      close(top, end + 1, shared + 1);
      top.end = end;
    }
    if (stack !== '' && end < stack.length) open.push({ text: stack, from: end + 1, end: stack.length, depth: shared + 1, start: time, delta: line.delta });
    time += line.count;
  }
  while (open.length > 0) {
    const run = open.pop()!;
    close(run, run.from, run.depth);
  }
  if (lines > 0 && time >= options.minWidth) nodes.push({ name: '', depth: 0, start: 0, end: time, delta: rootDelta });
  let maxDepth = 0;
  for (const node of nodes) if (node.depth > maxDepth) maxDepth = node.depth;
  return { nodes, maxDepth };
}

/**
 * The frames one line opened that are still open: `text.slice(from, end)`, the first at `depth`.
 * The last one is the line's leaf as long as `end` is the end of `text`.
 */
interface OpenRun {
  text: string;
  from: number;
  end: number;
  depth: number;
  start: number;
  /** The line's after − before; undefined for a single-count line. */
  delta: number | undefined;
}

/** Splits the frames of `run` from character `from` (at `depth`) into boxes ending at `end`. */
function emitFrames(run: OpenRun, from: number, depth: number, end: number, keep: boolean, nodes: FrameNode[]): void {
  const hasLeaf = run.end === run.text.length;
  for (let first = from; first <= run.end; depth++) {
    let last = run.text.indexOf(';', first);
    if (last < 0 || last > run.end) last = run.end;
    const name = run.text.slice(first, last);
    // A differential line gives its leaf its delta and its other new frames 0.
    let delta = run.delta === undefined ? undefined : hasLeaf && last === run.end ? run.delta : 0;
    if (run.start === end) {
      const twinDelta = dropTwin(nodes, name, depth, end);
      delta ??= twinDelta;
    }
    if (keep) nodes.push({ name, depth, start: run.start, end, delta });
    first = last + 1;
  }
}

/** The stack with trailing empty frames removed, as Perl's `split ';'` drops them. */
function withoutEmptyTail(stack: string): string {
  let end = stack.length;
  while (end > 0 && stack.charCodeAt(end - 1) === SEMICOLON) end--;
  return end === stack.length ? stack : stack.slice(0, end);
}

const SEMICOLON = 0x3b;

/**
 * How many leading frames `stack` has in common with `previous` (both without empty tails; `''` has
 * no frames), and the index in `stack` where the last of them ends (-1 when none is shared).
 */
export function sharedFrames(previous: string, stack: string): { shared: number; end: number } {
  if (previous === '' || stack === '') return { shared: 0, end: -1 };
  const length = Math.min(previous.length, stack.length);
  let shared = 0;
  let end = -1;
  let i = 0;
  for (; i < length; i++) {
    const code = stack.charCodeAt(i);
    if (code !== previous.charCodeAt(i)) break;
    if (code === SEMICOLON) {
      shared++;
      end = i;
    }
  }
  // A frame also matches when the common part ends where a frame of each ends.
  const stackEnds = i === stack.length || stack.charCodeAt(i) === SEMICOLON;
  const previousEnds = i === previous.length || previous.charCodeAt(i) === SEMICOLON;
  return stackEnds && previousEnds ? { shared: shared + 1, end: i } : { shared, end };
}

/**
 * flamegraph.pl files boxes under name, depth and end time, so a zero-width box (from a line with
 * count 0) takes the place of a same-named box at its depth that ended at the same time, keeping
 * that one's delta when it has none itself. Boxes close in time order, so that one is near the end
 * of `nodes`. Returns the replaced box's delta.
 */
function dropTwin(nodes: FrameNode[], name: string, depth: number, end: number): number | undefined {
  for (let i = nodes.length - 1; i >= 0 && nodes[i]!.end === end; i--) {
    const node = nodes[i]!;
    if (node.depth === depth && node.name === name) {
      nodes.splice(i, 1);
      return node.delta;
    }
  }
  return undefined;
}
