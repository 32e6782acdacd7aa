/**
 * Interns lines by their bytes, read as 8-byte words through typed-array views of the chunk: an
 * eighth of the loop iterations of a byte-wise comparison, which lets the collapser recognise a
 * repeated stack line at close to the speed of finding its newline.
 *
 * The chunk must be 8-byte aligned and readable up to the next multiple of 8. A line is stored as
 * the aligned 8-byte words that hold it, with the bytes of neighbouring lines masked to zero; the
 * first and last words are compared as masked 32-bit halves, the words between as doubles. Two
 * doubles compare equal only when their bits are equal, except NaN (never equal: then the halves
 * decide) and ±0, whose bytes contain NULs, which the collapser refuses as input. Words are only
 * ever written through the Int32Array views, which keep every bit.
 */
import { grownInt32, slotsFor } from '../util/typedArrays.js';

function byteMask(keep: (byte: number) => boolean): number {
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) bytes[i] = keep(i) ? 0xff : 0;
  return new Int32Array(bytes.buffer)[0]!;
}

/** Masks of the two 32-bit halves of an 8-byte word, in the platform's byte order. */
const HEAD_LOW = [0, 1, 2, 3, 4, 5, 6, 7].map((first) => byteMask((i) => i >= first));
const HEAD_HIGH = [0, 1, 2, 3, 4, 5, 6, 7].map((first) => byteMask((i) => i + 4 >= first));
const TAIL_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((count) => byteMask((i) => i < count));
const TAIL_HIGH = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((count) => byteMask((i) => i + 4 < count));

/** 32-bit words hashed one by one; of longer keys (record bodies), every `HASH_STRIDE`th after these. */
const HASHED_WORDS = 64;
const HASH_STRIDE = 16;
const EMPTY = 0;
/**
 * Room for the distinct lines of a typical profile: each growth runs code the optimizing compiler
 * has not seen yet, which costs a deoptimization in the hot loop.
 */
export const INITIAL_LINES = 1 << 13;

/** Typed-array views of one 8-byte aligned buffer. */
export interface WordViews {
  i32: Int32Array;
  f64: Float64Array;
}

/** Views of `buffer` from offset 0, covering `length` bytes rounded up to 8. */
export function wordViews(buffer: ArrayBufferLike, byteOffset: number, length: number): WordViews {
  const doubles = (length + 7) >>> 3;
  return { i32: new Int32Array(buffer, byteOffset, doubles * 2), f64: new Float64Array(buffer, byteOffset, doubles) };
}

export class LineTable {
  /** `id + 1` per slot; EMPTY marks a free slot. */
  private slots: Int32Array<ArrayBuffer>;
  private hashes: Int32Array<ArrayBuffer>;
  /** Index of the line's first 8-byte word in the arena. */
  private starts: Int32Array<ArrayBuffer>;
  /** Byte length × 8 + offset of the first byte in its 8-byte word. */
  private shapes: Int32Array<ArrayBuffer>;
  private arena: WordViews;
  /** In 8-byte words. */
  private arenaUsed = 0;
  private count = 0;
  /** Where the line that the last `find` missed goes. */
  private missSlot = 0;
  private missHash = 0;
  /**
   * `capacity`: lines before the arrays grow (a power of two; 0 for a table that stays empty).
   * `hashedWords`: leading 32-bit words that all go into the hash; of longer keys, every
   * `HASH_STRIDE`th word after them.
   */
  constructor(
    capacity = INITIAL_LINES,
    private readonly hashedWords = HASHED_WORDS,
  ) {
    const lines = Math.max(capacity, 1);
    this.slots = new Int32Array(lines * 4);
    this.hashes = new Int32Array(lines);
    this.starts = new Int32Array(lines);
    this.shapes = new Int32Array(lines);
    this.arena = wordViews(new ArrayBuffer(lines * 128), 0, lines * 128);
  }

  get size(): number {
    return this.count;
  }

  /** Hash of the line that the last `find` missed. */
  get missedHash(): number {
    return this.missHash;
  }

  /** Bytes held for the lines' contents. */
  get bytes(): number {
    return this.arenaUsed * 8;
  }

  /** Id of the line `[start, end)` (non-empty) of the bytes that `words` views, added when new. */
  intern(words: WordViews, start: number, end: number): number {
    const id = this.find(words, start, end);
    return id >= 0 ? id : this.add(words, start, end);
  }

  /** Id of the line `[start, end)`, or -1 when the table does not hold it. */
  find(words: WordViews, start: number, end: number): number {
    const i32 = words.i32;
    const first = start >>> 2;
    const last = (end - 1) >>> 2;
    let hash = Math.imul((end - start) ^ (i32[first]! & HEAD_LOW[start & 3]!), 0x9e3779b1);
    const hashedEnd = Math.min(last, first + this.hashedWords);
    for (let i = first + 1; i < last; i = i < hashedEnd ? i + 1 : i + HASH_STRIDE) {
      hash ^= hash >>> 15;
      hash = Math.imul(hash ^ i32[i]!, 0x9e3779b1);
    }
    hash = Math.imul(hash ^ (hash >>> 13) ^ (i32[last]! & TAIL_LOW[((end - 1) & 3) + 1]!), 0x85ebca6b);
    hash ^= hash >>> 16;

    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (let stored = slots[slot]!; stored !== EMPTY; stored = slots[slot]!) {
      const id = stored - 1;
      if (this.hashes[id] === hash && this.matches(id, words, start, end)) return id;
      slot = (slot + 1) & mask;
    }
    this.missSlot = slot;
    this.missHash = hash;
    return -1;
  }

  /** Whether line `id` has the bytes `[start, end)`; also checks a guess without hashing. */
  matches(id: number, words: WordViews, start: number, end: number): boolean {
    if (this.shapes[id] !== (end - start) * 8 + (start & 7)) return false;
    const i32 = words.i32;
    const stored = this.arena.i32;
    const first = start >>> 3;
    const last = (end - 1) >>> 3;
    const at = this.starts[id]! - first;
    let headLow = HEAD_LOW[start & 7]!;
    let headHigh = HEAD_HIGH[start & 7]!;
    const tailLow = TAIL_LOW[((end - 1) & 7) + 1]!;
    const tailHigh = TAIL_HIGH[((end - 1) & 7) + 1]!;
    if (first === last) {
      headLow &= tailLow;
      headHigh &= tailHigh;
    }
    if (stored[(at + first) * 2] !== (i32[first * 2]! & headLow) || stored[(at + first) * 2 + 1] !== (i32[first * 2 + 1]! & headHigh)) return false;
    if (first === last) return true;
    if (stored[(at + last) * 2] !== (i32[last * 2]! & tailLow) || stored[(at + last) * 2 + 1] !== (i32[last * 2 + 1]! & tailHigh)) return false;
    const f64 = words.f64;
    const storedF64 = this.arena.f64;
    for (let i = first + 1; i < last; i++) {
      if (storedF64[at + i] !== f64[i] && (stored[(at + i) * 2] !== i32[i * 2] || stored[(at + i) * 2 + 1] !== i32[i * 2 + 1])) return false;
    }
    return true;
  }

  /** Adds the line that the last `find` missed. */
  add(words: WordViews, start: number, end: number): number {
    const i32 = words.i32;
    const id = this.count++;
    if (id === this.hashes.length) {
      this.hashes = grownInt32(this.hashes, id * 2);
      this.starts = grownInt32(this.starts, id * 2);
      this.shapes = grownInt32(this.shapes, id * 2);
    }
    const first = start >>> 3;
    const last = (end - 1) >>> 3;
    const length = last - first + 1;
    if ((this.arenaUsed + length) * 2 > this.arena.i32.length) {
      const bytes = Math.max(this.arena.i32.length * 8, (this.arenaUsed + length) * 16);
      const bigger = wordViews(new ArrayBuffer(bytes), 0, bytes);
      bigger.i32.set(this.arena.i32.subarray(0, this.arenaUsed * 2));
      this.arena = bigger;
    }
    const at = this.arenaUsed;
    const stored = this.arena.i32;
    for (let i = first * 2, to = at * 2; i < (last + 1) * 2; i++, to++) stored[to] = i32[i]!;
    const headLow = HEAD_LOW[start & 7]!;
    const headHigh = HEAD_HIGH[start & 7]!;
    const tailLow = TAIL_LOW[((end - 1) & 7) + 1]!;
    const tailHigh = TAIL_HIGH[((end - 1) & 7) + 1]!;
    stored[at * 2] &= headLow;
    stored[at * 2 + 1] &= headHigh;
    stored[(at + length - 1) * 2] &= tailLow;
    stored[(at + length - 1) * 2 + 1] &= tailHigh;
    this.hashes[id] = this.missHash;
    this.starts[id] = at;
    this.shapes[id] = (end - start) * 8 + (start & 7);
    this.arenaUsed += length;
    this.slots[this.missSlot] = id + 1;
    if (this.count * 2 > this.slots.length) this.slots = slotsFor(this.hashes, this.count, this.slots.length * 2);
    return id;
  }

}
