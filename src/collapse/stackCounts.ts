/**
 * The aggregate: stacks as sequences of text ids (`[process, leaf, …, root]`) with their summed
 * periods. Sequences are interned, so a sample costs a hash of its ids, not a string; the strings
 * are built once per distinct stack at the end.
 */
import { INITIAL_SEQUENCES, IntSequenceTable } from './intSequenceTable.js';
import { addCounts, type PerlCount } from './perlCount.js';

const SAFE = Number.MAX_SAFE_INTEGER;

export class StackCounts {
  private readonly stacks = new IntSequenceTable();
  private counts = new Float64Array(INITIAL_SEQUENCES);
  /** Counts beyond 2^53 − 1 (their `counts` slot holds NaN). */
  private readonly bigCounts = new Map<number, PerlCount>();

  /** Adds `period` to the stack `frames[0, length)`. */
  add(frames: Int32Array, length: number, period: PerlCount): void {
    const id = this.stacks.intern(frames, length);
    if (this.stacks.added && id === this.counts.length) {
      const bigger = new Float64Array(this.counts.length * 2);
      bigger.set(this.counts);
      this.counts = bigger;
    }
    if (typeof period === 'number') {
      const sum = this.counts[id]! + period;
      if (sum <= SAFE) {
        this.counts[id] = sum;
        return;
      }
    }
    this.bigCounts.set(id, addCounts(this.bigCounts.get(id) ?? this.counts[id]!, period));
    this.counts[id] = NaN;
  }

  /**
   * Stack strings `process;root;…;leaf` (texts joined in output order) → count. Different
   * sequences may give equal strings (a frame text may itself hold `;`-joined inline frames); they
   * merge here.
   */
  aggregate(texts: readonly string[]): Map<string, PerlCount> {
    const merged = new Map<string, PerlCount>();
    const stacks = this.stacks;
    const parts: string[] = [];
    for (let id = 0; id < stacks.size; id++) {
      parts.length = 0;
      parts.push(texts[stacks.at(id, 0)]!);
      for (let i = stacks.lengthOf(id) - 1; i >= 1; i--) parts.push(texts[stacks.at(id, i)]!);
      const stack = parts.join(';');
      const count = this.bigCounts.get(id) ?? this.counts[id]!;
      const previous = merged.get(stack);
      merged.set(stack, previous === undefined ? count : addCounts(previous, count));
    }
    return merged;
  }
}
