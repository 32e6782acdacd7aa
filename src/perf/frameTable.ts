/**
 * Interns stack frames. A 200 MB `perf script` file repeats a few thousand distinct frame lines
 * millions of times, so a frame line is looked up by its raw bytes first: only a line never seen
 * before is scanned for its name and DSO (and decoded to strings once per distinct frame).
 *
 * Lines are compared as 8-byte words (../collapse/lineTable.ts), and the two lines that last followed
 * the previous line of the stack are tried before hashing: stacks repeat their callers, so most
 * lines are recognised by one comparison.
 */
import { INITIAL_LINES, LineTable, wordViews, type WordViews } from '../collapse/lineTable.js';
import { grownInt32 } from '../util/typedArrays.js';
import { newFrameLineRanges, scanFrameLine } from './frameLine.js';

export interface FrameInfo {
  /** Symbol with its `+0x…` offset removed; `[unknown]` when perf could not resolve it. */
  readonly name: string;
  /** Text inside the trailing `(…)` of the frame line, without the parentheses; empty when absent. */
  readonly dso: string;
}

/**
 * Bytes of distinct frame lines kept. Addresses make lines distinct where frames are not; beyond
 * this, new lines are scanned every time and memory stays bounded.
 */
export const MAX_FRAME_LINE_BYTES = 32 << 20;
/** Prediction slots: at the start of a stack, and after a line not kept. */
const AFTER_START = -1;
const AFTER_UNKEPT = -2;

/** A buffer of its own memory (offset 0, so 8-byte aligned), with room up to a multiple of 8. */
export function alignedBuffer(length: number): Buffer {
  return Buffer.from(new ArrayBuffer((length + 7) & ~7), 0, length);
}

export class FrameTable {
  private readonly frames: FrameInfo[] = [];
  /** `name` NUL `dso` → frame id. */
  private readonly ids = new Map<string, number>();
  /** Raw frame line → line id (different addresses of one function share the frame). */
  private readonly lines = new LineTable();
  private lineFrames = new Int32Array(INITIAL_LINES);
  /** `next[(previous + 2) * 2 + k]`: the lines that followed line `previous` (or AFTER_…), most recent first. */
  private next = new Int32Array((INITIAL_LINES + 2) * 2).fill(-1);
  private previousLine = AFTER_START;
  private readonly ranges = newFrameLineRanges();
  /** Aligned copy of a line given by `internLine`. */
  private scratch = alignedBuffer(256);
  private scratchWords = wordViews(this.scratch.buffer, 0, this.scratch.length);

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

  /** A new stack starts: its first line is not predicted from the last line of the previous one. */
  startStack(): void {
    this.previousLine = AFTER_START;
  }

  /** Id of the frame printed on the stack line `buf[start, end)`. */
  internLine(buf: Buffer, start: number, end: number): number {
    const length = end - start;
    if (length === 0) return this.scannedFrame(buf, start, end);
    if (this.scratch.length < length) {
      this.scratch = alignedBuffer(length * 2);
      this.scratchWords = wordViews(this.scratch.buffer, 0, this.scratch.length);
    }
    buf.copy(this.scratch, 0, start, end);
    return this.internWords(this.scratch, this.scratchWords, 0, length);
  }

  /**
   * Id of the frame on the non-empty line `buf[start, end)`, where `words` views the memory of `buf`
   * from its offset 0, which is 8-byte aligned and readable up to the next multiple of 8.
   */
  internWords(buf: Buffer, words: WordViews, start: number, end: number): number {
    const lines = this.lines;
    const next = this.next;
    const at = (this.previousLine + 2) * 2;
    const first = next[at]!;
    if (first >= 0 && lines.matches(first, words, start, end)) {
      this.previousLine = first;
      return this.lineFrames[first]!;
    }
    const second = next[at + 1]!;
    let id = second >= 0 && lines.matches(second, words, start, end) ? second : lines.find(words, start, end);
    if (id < 0) {
      const frame = this.scannedFrame(buf, start, end);
      if (lines.bytes + end - start > MAX_FRAME_LINE_BYTES) {
        this.previousLine = AFTER_UNKEPT;
        return frame;
      }
      id = lines.add(words, start, end);
      this.lineAdded(id, frame);
    }
    next[at] = id;
    next[at + 1] = first;
    this.previousLine = id;
    return this.lineFrames[id]!;
  }

  /** Id of the frame with this name and DSO. */
  intern(name: string, dso: string): number {
    const key = `${name}\0${dso}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ name, dso });
      this.ids.set(key, id);
    }
    return id;
  }

  private scannedFrame(buf: Buffer, start: number, end: number): number {
    const r = this.ranges;
    scanFrameLine(buf, start, end, r);
    return this.intern(buf.toString('utf8', r.nameStart, r.nameEnd), buf.toString('utf8', r.dsoStart, r.dsoEnd));
  }

  private lineAdded(id: number, frame: number): void {
    if (id >= this.lineFrames.length) this.lineFrames = grownInt32(this.lineFrames, this.lineFrames.length * 2);
    this.lineFrames[id] = frame;
    if ((id + 3) * 2 > this.next.length) this.next = grownInt32(this.next, this.next.length * 2, -1);
  }
}
