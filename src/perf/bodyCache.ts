/**
 * Stack bodies seen before, taken whole: the frame lines between a header and its blank line,
 * compared as 8-byte words with the bodies kept, give the frame ids of the first time (or, for a
 * stack nobody keeps, just the number of lines to skip) without looking at the lines one by one. In a real recording about two thirds of the switch-out stacks
 * repeat an earlier one byte for byte (a thread blocking at the same call site again).
 *
 * Only "clean" bodies are kept — every line a frame line that went into the stack — so that the
 * same bytes always give the same frames. Memory is capped; when bodies rarely repeat, the cache
 * switches itself off and frees its memory.
 */
import { LineTable, type WordViews } from '../collapse/lineTable.js';

/** Bytes of bodies kept at most. */
export const MAX_BODY_BYTES = 16 << 20;
/** Lookups per verdict on whether the cache pays. */
const WINDOW = 4096;
/** Below one hit in this many lookups, the cache is switched off. */
const MIN_HIT_RATIO = 8;

export class BodyCache {
  /**
   * Hashed as lines are (the first 64 words, then every 16th): hashing every word of a 3 KB body
   * cost 9% more than the rare extra comparisons of bodies that differ only between sampled words.
   */
  private bodies = new LineTable(1 << 10);
  /** Frame ids per body, leaf first; null until the body was read for a stack that is kept. */
  private stacks: (readonly number[] | null)[] = [];
  private lineCounts: number[] = [];
  private lookups = 0;
  private hits = 0;
  /** Once false, stays false: nothing may be looked up or remembered any more. */
  enabled = true;

  /** Id of the body `[start, end)` (non-empty), or -1; a miss prepares `remember`. */
  find(words: WordViews, start: number, end: number): number {
    const id = this.bodies.find(words, start, end);
    if (id >= 0) this.hits++;
    if (++this.lookups === WINDOW) {
      if (this.hits * MIN_HIT_RATIO < this.lookups) {
        this.switchOff();
        return -1;
      }
      this.lookups = 0;
      this.hits = 0;
    }
    return id;
  }

  /** Frame ids of body `id`, leaf first (shared: copy before handing out), or null when not known. */
  stack(id: number): readonly number[] | null {
    return this.stacks[id]!;
  }

  /** The frames of body `id`, found without them, once read. */
  setStack(id: number, stack: readonly number[]): void {
    if (this.enabled) this.stacks[id] = stack;
  }

  /** Lines in body `id`. */
  lineCount(id: number): number {
    return this.lineCounts[id]!;
  }

  /**
   * Keeps the body `[start, end)` that the last `find` missed, read line by line into `stack` (null:
   * its frames were not kept). No other lookup may come between that `find` and this call.
   */
  remember(words: WordViews, start: number, end: number, lineCount: number, stack: readonly number[] | null): void {
    if (!this.enabled || this.bodies.bytes + (end - start) > MAX_BODY_BYTES) return;
    this.bodies.add(words, start, end);
    this.stacks.push(stack);
    this.lineCounts.push(lineCount);
  }

  private switchOff(): void {
    this.enabled = false;
    this.bodies = new LineTable(0);
    this.stacks = [];
    this.lineCounts = [];
  }
}
