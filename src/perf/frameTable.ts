/**
 * Interns stack frames by the bytes of their symbol name and DSO. A 200 MB `perf script` file repeats a
 * few thousand distinct frames millions of times; hashing the raw bytes finds the frame's id without
 * decoding a string, so each distinct frame is decoded once.
 */
export interface FrameInfo {
  /** Symbol with its `+0x…` offset removed; `[unknown]` when perf could not resolve it. */
  readonly name: string;
  /** Text inside the trailing `(…)` of the frame line, without the parentheses; empty when absent. */
  readonly dso: string;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEPARATOR = 0x00;

export class FrameTable {
  private readonly frames: FrameInfo[] = [];
  /** Open-addressing slots holding `id + 1`; 0 marks an empty slot. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 10);
  /** Key bytes of every frame, `name 0x00 dso`, back to back. */
  private arena = Buffer.alloc(1 << 16);
  private arenaUsed = 0;
  private keyStart = new Int32Array(1 << 10);
  private keyLength = new Int32Array(1 << 10);

  get size(): number {
    return this.frames.length;
  }

  get(id: number): FrameInfo {
    return this.frames[id]!;
  }

  name(id: number): string {
    return this.frames[id]!.name;
  }

  dso(id: number): string {
    return this.frames[id]!.dso;
  }

  /** Id of the frame whose name is `buf[nameStart, nameEnd)` and DSO `buf[dsoStart, dsoEnd)`. */
  intern(buf: Buffer, nameStart: number, nameEnd: number, dsoStart: number, dsoEnd: number): number {
    let hash = FNV_OFFSET;
    for (let i = nameStart; i < nameEnd; i++) hash = Math.imul(hash ^ buf[i]!, FNV_PRIME);
    hash = Math.imul(hash ^ SEPARATOR, FNV_PRIME);
    for (let i = dsoStart; i < dsoEnd; i++) hash = Math.imul(hash ^ buf[i]!, FNV_PRIME);

    const mask = this.slots.length - 1;
    let slot = hash & mask;
    const keyLength = nameEnd - nameStart + 1 + dsoEnd - dsoStart;
    while (true) {
      const stored = this.slots[slot]!;
      if (stored === 0) break;
      const id = stored - 1;
      if (this.hashes[id] === hash && this.keyLength[id] === keyLength && this.sameKey(id, buf, nameStart, nameEnd, dsoStart, dsoEnd)) {
        return id;
      }
      slot = (slot + 1) & mask;
    }
    return this.insert(slot, hash, buf, nameStart, nameEnd, dsoStart, dsoEnd);
  }

  /** Id of a frame given as strings (hand-written inputs, tests, other importers). */
  internStrings(name: string, dso: string): number {
    const nameBytes = Buffer.from(name, 'utf8');
    const key = Buffer.concat([nameBytes, Buffer.from(dso, 'utf8')]);
    return this.intern(key, 0, nameBytes.length, nameBytes.length, key.length);
  }

  private sameKey(id: number, buf: Buffer, nameStart: number, nameEnd: number, dsoStart: number, dsoEnd: number): boolean {
    const arena = this.arena;
    let at = this.keyStart[id]!;
    for (let i = nameStart; i < nameEnd; i++, at++) if (arena[at] !== buf[i]) return false;
    if (arena[at++] !== SEPARATOR) return false;
    for (let i = dsoStart; i < dsoEnd; i++, at++) if (arena[at] !== buf[i]) return false;
    return true;
  }

  private insert(slot: number, hash: number, buf: Buffer, nameStart: number, nameEnd: number, dsoStart: number, dsoEnd: number): number {
    const id = this.frames.length;
    this.frames.push({ name: buf.toString('utf8', nameStart, nameEnd), dso: buf.toString('utf8', dsoStart, dsoEnd) });
    if (id >= this.hashes.length) this.growPerFrameArrays();
    const keyLength = nameEnd - nameStart + 1 + dsoEnd - dsoStart;
    while (this.arenaUsed + keyLength > this.arena.length) {
      const bigger = Buffer.alloc(this.arena.length * 2);
      this.arena.copy(bigger, 0, 0, this.arenaUsed);
      this.arena = bigger;
    }
    const start = this.arenaUsed;
    buf.copy(this.arena, start, nameStart, nameEnd);
    this.arena[start + nameEnd - nameStart] = SEPARATOR;
    buf.copy(this.arena, start + nameEnd - nameStart + 1, dsoStart, dsoEnd);
    this.arenaUsed += keyLength;
    this.hashes[id] = hash;
    this.keyStart[id] = start;
    this.keyLength[id] = keyLength;
    this.slots[slot] = id + 1;
    if (this.frames.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  private growPerFrameArrays(): void {
    const grow = (old: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const bigger = new Int32Array(old.length * 2);
      bigger.set(old);
      return bigger;
    };
    this.hashes = grow(this.hashes);
    this.keyStart = grow(this.keyStart);
    this.keyLength = grow(this.keyLength);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.frames.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}
