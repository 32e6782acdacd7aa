/**
 * A hash table from byte strings to small integers that looks keys up straight from a Buffer range,
 * so that the parser's hot loop never builds a string for a key it has seen before. A key is one
 * range, or a pair of ranges of the same buffer (such as a symbol and its module).
 */
import { grownInt32, slotsFor } from '../util/typedArrays.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Between the two ranges of a pair key, so that `ab`+`c` and `a`+`bc` differ. */
const SEPARATOR = 0x00;

export class ByteKeyTable {
  /** Open-addressing slots holding `entry + 1`; 0 marks an empty slot. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 11);
  private values = new Int32Array(1 << 11);
  private keyStart = new Int32Array(1 << 11);
  private keyLength = new Int32Array(1 << 11);
  /** Key bytes of every entry, back to back. */
  private arena = Buffer.alloc(1 << 16);
  private arenaUsed = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Value stored for the key `buf[start, end)`, or -1. */
  get(buf: Buffer, start: number, end: number): number {
    const entry = this.find(buf, start, end, end, end);
    return entry < 0 ? -1 : this.values[entry]!;
  }

  /** Stores `value` for a key that is not in the table yet. */
  add(buf: Buffer, start: number, end: number, value: number): void {
    this.insert(buf, start, end, end, end, value);
  }

  /** Id (0, 1, 2, … in order of first sight) of the pair key `buf[aStart, aEnd)`, `buf[bStart, bEnd)`. */
  intern(buf: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
    const entry = this.find(buf, aStart, aEnd, bStart, bEnd);
    if (entry >= 0) return this.values[entry]!;
    const id = this.count;
    this.insert(buf, aStart, aEnd, bStart, bEnd, id);
    return id;
  }

  private find(buf: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
    const hash = hashPair(buf, aStart, aEnd, bStart, bEnd);
    const mask = this.slots.length - 1;
    const length = aEnd - aStart + 1 + bEnd - bStart;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot]!;
      if (stored === 0) return -1;
      const entry = stored - 1;
      if (this.hashes[entry] === hash && this.keyLength[entry] === length && this.sameKey(entry, buf, aStart, aEnd, bStart, bEnd)) return entry;
    }
  }

  private insert(buf: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number, value: number): void {
    const entry = this.count++;
    if (entry >= this.hashes.length) this.growEntries();
    const length = aEnd - aStart + 1 + bEnd - bStart;
    while (this.arenaUsed + length > this.arena.length) {
      const bigger = Buffer.alloc(this.arena.length * 2);
      this.arena.copy(bigger, 0, 0, this.arenaUsed);
      this.arena = bigger;
    }
    const start = this.arenaUsed;
    buf.copy(this.arena, start, aStart, aEnd);
    this.arena[start + aEnd - aStart] = SEPARATOR;
    buf.copy(this.arena, start + aEnd - aStart + 1, bStart, bEnd);
    this.keyStart[entry] = start;
    this.keyLength[entry] = length;
    this.arenaUsed += length;
    this.hashes[entry] = hashPair(buf, aStart, aEnd, bStart, bEnd);
    this.values[entry] = value;
    if (this.count * 2 > this.slots.length) this.slots = slotsFor(this.hashes, this.count, this.slots.length * 2);
    else this.place(entry);
  }

  private sameKey(entry: number, buf: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
    const arena = this.arena;
    let at = this.keyStart[entry]!;
    for (let i = aStart; i < aEnd; i++, at++) if (arena[at] !== buf[i]) return false;
    if (arena[at++] !== SEPARATOR) return false;
    for (let i = bStart; i < bEnd; i++, at++) if (arena[at] !== buf[i]) return false;
    return true;
  }

  private place(entry: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = this.hashes[entry]! & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = entry + 1;
  }

  private growEntries(): void {
    const length = this.hashes.length * 2;
    this.hashes = grownInt32(this.hashes, length);
    this.values = grownInt32(this.values, length);
    this.keyStart = grownInt32(this.keyStart, length);
    this.keyLength = grownInt32(this.keyLength, length);
  }
}

function hashPair(buf: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  let hash = FNV_OFFSET;
  for (let i = aStart; i < aEnd; i++) hash = Math.imul(hash ^ buf[i]!, FNV_PRIME);
  hash = Math.imul(hash ^ SEPARATOR, FNV_PRIME);
  for (let i = bStart; i < bEnd; i++) hash = Math.imul(hash ^ buf[i]!, FNV_PRIME);
  return hash;
}
