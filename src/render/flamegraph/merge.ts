/**
 * Turns sorted folded lines into the boxes of a flame graph the way flamegraph.pl does: walking the
 * lines in order, a frame is shared with the previous line only while the two stacks agree from the
 * root; everything else opens a new box at the running total. Boxes narrower than the minimum width
 * are dropped as they close, so memory follows the drawn boxes, not the input.
 */
import { compareCodePoints } from '../../util/codePointOrder.js';
import { markWakerFrames, splitFrames, type FoldedLine } from './foldedInput.js';

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
  /** Keep input order and merge only adjacent lines (`--flamechart`) instead of sorting. */
  flamechart: boolean;
  /** `--colors chain`: tag waker frames before merging. */
  chain: boolean;
  /** Boxes shorter than this (in counts) are dropped. */
  minWidth: number;
}

export interface MergedFrames {
  /** The kept boxes, in the order they closed (children before their parent). */
  nodes: FrameNode[];
  /** Deepest kept box. */
  maxDepth: number;
}

interface OpenFrame {
  name: string;
  start: number;
  delta: number | undefined;
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
  const open: OpenFrame[] = [];
  let time = 0;

  const closeDownTo = (depth: number): void => {
    while (open.length > depth) {
      const frame = open.pop()!;
      if (frame.start === time) dropTwin(nodes, frame.name, open.length, time);
      if (time - frame.start < options.minWidth) continue;
      nodes.push({ name: frame.name, depth: open.length, start: frame.start, end: time, delta: frame.delta });
    }
  };

  for (const line of ordered) {
    const frames = splitFrames(options.chain ? markWakerFrames(line.stack) : line.stack);
    const deltaAt = (depth: number): number | undefined =>
      line.delta === undefined ? undefined : depth === frames.length ? line.delta : 0;
    // Depth 0 is the root `all`: opened by the first line, closed after the last.
    if (open.length === 0) open.push({ name: '', start: time, delta: deltaAt(0) });
    let same = 1;
    while (same < open.length && same <= frames.length && open[same]!.name === frames[same - 1]) same++;
    closeDownTo(same);
    for (let depth = same; depth <= frames.length; depth++) {
      open.push({ name: frames[depth - 1]!, start: time, delta: deltaAt(depth) });
    }
    time += line.count;
  }
  closeDownTo(0);
  let maxDepth = 0;
  for (const node of nodes) if (node.depth > maxDepth) maxDepth = node.depth;
  return { nodes, maxDepth };
}

/**
 * flamegraph.pl files boxes under name, depth and end time, so a zero-width box (from a line with
 * count 0) replaces a same-named box at its depth that ended at the same time. Boxes close in time
 * order, so that one is near the end of `nodes`.
 */
function dropTwin(nodes: FrameNode[], name: string, depth: number, end: number): void {
  for (let i = nodes.length - 1; i >= 0 && nodes[i]!.end === end; i--) {
    if (nodes[i]!.depth === depth && nodes[i]!.name === name) {
      nodes.splice(i, 1);
      return;
    }
  }
}
