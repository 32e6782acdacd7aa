/**
 * Interns stack frames. A 200 MB `perf script` file repeats a few thousand distinct frame lines
 * millions of times, so a frame line is looked up by its raw bytes first: only a line never seen
 * before is scanned for its name and DSO (and decoded to strings once per distinct frame).
 */
import { ByteKeyTable } from './byteKeyTable.js';
import { newFrameLineRanges, scanFrameLine } from './frameLine.js';

export interface FrameInfo {
  /** Symbol with its `+0x…` offset removed; `[unknown]` when perf could not resolve it. */
  readonly name: string;
  /** Text inside the trailing `(…)` of the frame line, without the parentheses; empty when absent. */
  readonly dso: string;
}

export class FrameTable {
  private readonly frames: FrameInfo[] = [];
  /** `name` NUL `dso` → frame id. */
  private readonly ids = new Map<string, number>();
  /** Raw frame line → frame id (different addresses of one function share the frame). */
  private readonly lines = new ByteKeyTable();
  private readonly ranges = newFrameLineRanges();

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

  /** Id of the frame printed on the stack line `buf[start, end)`. */
  internLine(buf: Buffer, start: number, end: number): number {
    const known = this.lines.get(buf, start, end);
    if (known >= 0) return known;
    const r = this.ranges;
    scanFrameLine(buf, start, end, r);
    const id = this.intern(buf.toString('utf8', r.nameStart, r.nameEnd), buf.toString('utf8', r.dsoStart, r.dsoEnd));
    this.lines.add(buf, start, end, id);
    return id;
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
}
