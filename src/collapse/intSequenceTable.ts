/**
 * Interns sequences of 32-bit integers: the collapser keys both stack lines (as words of their
 * bytes) and whole stacks (as frame ids) with it, so the hot loop neither decodes nor concatenates
 * strings. Open addressing over typed arrays; memory grows only with the number of distinct keys.
 */
import { grownInt32, slotsFor } from '../util/typedArrays.js';
const EMPTY = 0;
/** Growing the arrays deoptimizes the hot loop once, so start with room for a typical profile. */
export const INITIAL_SEQUENCES = 1 << 12;

export class IntSequenceTable {
  /** `id + 1` per slot; EMPTY marks a free slot. */
  private slots: Int32Array<ArrayBuffer>;
  private hashes: Int32Array<ArrayBuffer>;
  private starts: Int32Array<ArrayBuffer>;
  private lengths: Int32Array<ArrayBuffer>;
  private arena: Int32Array<ArrayBuffer>;
  private arenaUsed = 0;
  private count = 0;
  /** Whether the last `intern` call added its sequence. */
  added = false;

  /** `capacity`: sequences before the arrays grow (a power of two; 0 for a table that stays empty). */
  constructor(capacity = INITIAL_SEQUENCES) {
    const sequences = Math.max(capacity, 1);
    this.slots = new Int32Array(sequences * 4);
    this.hashes = new Int32Array(sequences);
    this.starts = new Int32Array(sequences);
    this.lengths = new Int32Array(sequences);
    this.arena = new Int32Array(sequences * 32);
  }

  get size(): number {
    return this.count;
  }

  /** Id of `seq[0, length)`, adding it when it is new. */
  intern(seq: Int32Array, length: number): number {
    let hash = length;
    for (let i = 0; i < length; i++) {
      hash = Math.imul(hash ^ seq[i]!, 0x9e3779b1);
      hash ^= hash >>> 15;
    }
    hash = Math.imul(hash ^ (hash >>> 13), 0x85ebca6b);
    hash ^= hash >>> 16;

    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (let stored = slots[slot]!; stored !== EMPTY; stored = slots[slot]!) {
      const id = stored - 1;
      if (this.hashes[id] === hash && this.lengths[id] === length && this.sameSequence(id, seq, length)) {
        this.added = false;
        return id;
      }
      slot = (slot + 1) & mask;
    }
    this.added = true;
    return this.insert(slot, hash, seq, length);
  }

  lengthOf(id: number): number {
    return this.lengths[id]!;
  }

  /** Element `index` of sequence `id`. */
  at(id: number, index: number): number {
    return this.arena[this.starts[id]! + index]!;
  }

  private sameSequence(id: number, seq: Int32Array, length: number): boolean {
    const arena = this.arena;
    const start = this.starts[id]!;
    for (let i = 0; i < length; i++) if (arena[start + i] !== seq[i]) return false;
    return true;
  }

  private insert(slot: number, hash: number, seq: Int32Array, length: number): number {
    const id = this.count++;
    if (id === this.hashes.length) {
      this.hashes = grownInt32(this.hashes, id * 2);
      this.starts = grownInt32(this.starts, id * 2);
      this.lengths = grownInt32(this.lengths, id * 2);
    }
    if (this.arenaUsed + length > this.arena.length) this.arena = grownInt32(this.arena, Math.max(this.arena.length * 2, this.arenaUsed + length));
    this.arena.set(seq.subarray(0, length), this.arenaUsed);
    this.hashes[id] = hash;
    this.starts[id] = this.arenaUsed;
    this.lengths[id] = length;
    this.arenaUsed += length;
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.slots = slotsFor(this.hashes, this.count, this.slots.length * 2);
    return id;
  }

}
