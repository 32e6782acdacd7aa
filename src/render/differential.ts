/**
 * Differential folded stacks, as FlameGraph's difffolded.pl makes them: `STACK BEFORE AFTER` for
 * every stack of either side, with `-n` scaling BEFORE to AFTER's total. Pure; `offgil diff` reads
 * the inputs.
 */
import { compareCodePoints } from '../util/codePointOrder.js';

/** difffolded.pl's line: the stack, then whitespace, then a count (Perl's `\s` and `\d` on bytes). */
const FOLDED_LINE = /^([^\n]*)[ \t\n\r\f\v]+?([0-9]+(?:\.[0-9]*)?)$/;
/** A perf script event header has `SECS.FRAC: ` after comm, tid and cpu. */
const PERF_HEADER = /^\S.*?\s\d+\.\d+:\s/;

/** Whether text that starts with `head` is folded stacks, judged by its first line that is not blank or a comment. */
export function looksFolded(head: string): boolean {
  for (const line of head.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    return FOLDED_LINE.test(line) && !PERF_HEADER.test(line);
  }
  return false;
}

/**
 * Folded text → stack → count, summing repeated stacks as difffolded.pl does. Counts (and sums) past
 * 2^53 are not exact in doubles and would print as `1e+30`: such lines are left out and counted.
 */
export function parseFolded(text: string): { stacks: Map<string, number>; ignored: number; tooLarge: number } {
  const stacks = new Map<string, number>();
  let ignored = 0;
  let tooLarge = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const match = FOLDED_LINE.exec(line);
    if (match === null) {
      ignored++;
      continue;
    }
    const sum = (stacks.get(match[1]!) ?? 0) + Number(match[2]);
    if (!(sum <= Number.MAX_SAFE_INTEGER)) {
      tooLarge++;
      continue;
    }
    stacks.set(match[1]!, sum);
  }
  return { stacks, ignored, tooLarge };
}

/** A count as Perl prints a number (`%.15g`). */
export function perlNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

export interface DiffLines {
  /** Stack → [before, after], in code point order. */
  stacks: Map<string, [number, number]>;
  beforeTotal: number;
  afterTotal: number;
  /** Whether BEFORE was scaled to AFTER's total. */
  normalized: boolean;
}

/**
 * The differential form of two folded views. With `normalize` (difffolded.pl's `-n`) and different
 * totals, every BEFORE count becomes int(count × AFTER total / BEFORE total).
 */
export function diffFolded(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, normalize: boolean): DiffLines {
  let beforeTotal = 0;
  let afterTotal = 0;
  for (const count of before.values()) beforeTotal += count;
  for (const count of after.values()) afterTotal += count;
  const normalized = normalize && beforeTotal !== afterTotal && beforeTotal > 0;
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort(compareCodePoints);
  const stacks = new Map<string, [number, number]>();
  for (const stack of keys) {
    let old = before.get(stack) ?? 0;
    if (normalized) old = Math.trunc((old * afterTotal) / beforeTotal);
    stacks.set(stack, [old, after.get(stack) ?? 0]);
  }
  return { stacks, beforeTotal, afterTotal, normalized };
}

export function formatDiff(lines: DiffLines): string {
  let text = '';
  for (const [stack, [before, after]] of lines.stacks) text += `${stack} ${perlNumber(before)} ${perlNumber(after)}\n`;
  return text;
}

