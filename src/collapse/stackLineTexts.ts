/**
 * Stack line → frame text, at the speed of comparing bytes. Two levels:
 * 1. the exact bytes of lines seen before (lineTable.ts), with the lines that followed a line tried
 *    first: a repeated line costs a comparison of its 8-byte words;
 * 2. otherwise the line is scanned (stackLineScan.ts) and its frames are looked up by what the Perl
 *    rules depend on: the raw bytes of the symbol without offset and of the module (plus the
 *    address where `--addrs` shows it). A function sampled at a new address or offset is not
 *    transformed again: collapseFrame.ts runs once per distinct symbol and module.
 * Texts are interned and named by ids; the stack's process name shares the same text ids.
 */
import { ByteKeyTable } from '../perf/byteKeyTable.js';
import { collapseFrame, type FrameLineParts, type FrameRules } from './collapseFrame.js';
import { INITIAL_LINES, LineTable, type WordViews } from './lineTable.js';
import { newStackLineRanges, scanStackLine } from './stackLineScan.js';
import { grownInt32 } from '../util/typedArrays.js';

/** Results besides a text id (≥ 0). */
export const UNRECOGNIZED = -2;
/** The line contributes no frame (Perl skips it). */
export const NO_FRAMES = -1;
/** Not yet transformed for this process kind. */
const NOT_COMPUTED = -3;
/**
 * Bytes of exact lines kept. Addresses make lines distinct where frames are not (a leaf sampled at
 * many offsets); beyond this, new lines go through level 2 every time and memory stays bounded.
 */
export const MAX_LINE_BYTES_KEPT = 32 << 20;
/**
 * A line enters the exact-bytes table the second time it is seen: many leaf lines (a function at a
 * rarely sampled offset) occur once, and keeping them would only cost time and memory. Lines seen
 * once are remembered by hash in a bit set, cleared when half full (a collision only admits a line
 * early).
 */
const SEEN_BITS = 1 << 20;
/** Prediction slots: after a header, and after a line not kept. */
const AFTER_HEADER = -1;
const AFTER_UNKEPT = -2;

export class StackLineTexts {
  private readonly lines = new LineTable();
  /** `next[(previous + 2) * 2 + k]`: the lines that followed line `previous` (or AFTER_…), most recent first. */
  private next = new Int32Array((INITIAL_LINES + 2) * 2).fill(-1);
  private previousLine = AFTER_HEADER;
  private readonly seen = new Int32Array(SEEN_BITS >>> 5);
  private seenCount = 0;
  /** Text id per line id and process kind (the Java rule depends on the process name). */
  private readonly lineText: number[] = [];
  private readonly lineTextJava: number[] = [];
  /** Level 2: (symbol, module) → text id per process kind. */
  private readonly symbols = new ByteKeyTable();
  private readonly symbolText: number[] = [];
  private readonly symbolTextJava: number[] = [];
  /** Level 2 for `[unknown]` symbols under `--addrs`, whose address is part of the frame. */
  private readonly addressedText = new Map<string, number>();
  private readonly addressedTextJava = new Map<string, number>();
  private readonly ranges = newStackLineRanges();
  /** Frame and process texts, latin1. */
  readonly texts: string[] = [];
  private readonly textIds = new Map<string, number>();

  constructor(private readonly rules: FrameRules) {}

  /** Id of a text, added when new. */
  textId(text: string): number {
    let id = this.textIds.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.textIds.set(text, id);
    }
    return id;
  }

  /** A new stack starts: the next line is not predicted from the previous one. */
  startStack(): void {
    this.previousLine = AFTER_HEADER;
  }

  /**
   * The text id of the stack line `buf[start, end)` (`words` views `buf`), or UNRECOGNIZED or
   * NO_FRAMES.
   */
  resolve(buf: Buffer, words: WordViews, start: number, end: number, javaProcess: boolean): number {
    const lineId = this.lineId(words, start, end);
    if (lineId < 0) return this.textOf(buf, start, end, javaProcess);
    const textId = javaProcess ? this.lineTextJava[lineId]! : this.lineText[lineId]!;
    if (textId !== NOT_COMPUTED) return textId;
    const computed = this.textOf(buf, start, end, javaProcess);
    if (computed === UNRECOGNIZED) {
      this.lineText[lineId] = UNRECOGNIZED;
      this.lineTextJava[lineId] = UNRECOGNIZED;
    } else {
      (javaProcess ? this.lineTextJava : this.lineText)[lineId] = computed;
    }
    return computed;
  }

  /**
   * Stacks repeat their callers, so the two lines that most recently followed the previous line are
   * tried before hashing (93% of the lines of a typical profile). -1 when the line is not kept.
   */
  private lineId(words: WordViews, start: number, end: number): number {
    const lines = this.lines;
    const next = this.next;
    const at = (this.previousLine + 2) * 2;
    const first = next[at]!;
    if (first >= 0 && lines.matches(first, words, start, end)) {
      this.previousLine = first;
      return first;
    }
    const second = next[at + 1]!;
    let id = second >= 0 && lines.matches(second, words, start, end) ? second : lines.find(words, start, end);
    if (id < 0) {
      if (!this.seenBefore(lines.missedHash) || lines.bytes + end - start > MAX_LINE_BYTES_KEPT) {
        this.previousLine = AFTER_UNKEPT;
        return -1;
      }
      id = lines.add(words, start, end);
      this.lineAdded();
    }
    next[at] = id;
    next[at + 1] = first;
    this.previousLine = id;
    return id;
  }

  /** Whether a line with this hash was seen before; marks it seen. */
  private seenBefore(hash: number): boolean {
    const bit = hash & (SEEN_BITS - 1);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((this.seen[word]! & mask) !== 0) return true;
    this.seen[word]! |= mask;
    if (++this.seenCount > SEEN_BITS >>> 1) {
      this.seen.fill(0);
      this.seenCount = 0;
    }
    return false;
  }

  private lineAdded(): void {
    this.lineText.push(NOT_COMPUTED);
    this.lineTextJava.push(NOT_COMPUTED);
    if ((this.lines.size + 2) * 2 > this.next.length) {
      this.next = grownInt32(this.next, this.next.length * 2, -1);
    }
  }

  private textOf(buf: Buffer, start: number, end: number, javaProcess: boolean): number {
    const r = this.ranges;
    if (!scanStackLine(buf, start, end, r)) return UNRECOGNIZED;
    if (this.rules.addrs && buf.subarray(r.nameStart, r.nameEnd).includes('[unknown]')) return this.addressedTextOf(buf, javaProcess);
    const symbol = this.symbols.intern(buf, r.nameStart, r.nameEnd, r.moduleStart, r.moduleEnd);
    const texts = javaProcess ? this.symbolTextJava : this.symbolText;
    while (texts.length <= symbol) texts.push(NOT_COMPUTED);
    if (texts[symbol] === NOT_COMPUTED) texts[symbol] = this.frameText(this.parts(buf), javaProcess);
    return texts[symbol]!;
  }

  private addressedTextOf(buf: Buffer, javaProcess: boolean): number {
    const parts = this.parts(buf);
    const key = `${parts.pc}\0${parts.name}\0${parts.module}`;
    const texts = javaProcess ? this.addressedTextJava : this.addressedText;
    let textId = texts.get(key);
    if (textId === undefined) {
      textId = this.frameText(parts, javaProcess);
      texts.set(key, textId);
    }
    return textId;
  }

  /** The parts of the line just scanned into `ranges`. */
  private parts(buf: Buffer): FrameLineParts {
    const r = this.ranges;
    return {
      pc: buf.toString('latin1', r.pcStart, r.pcEnd),
      name: buf.toString('latin1', r.nameStart, r.nameEnd),
      module: buf.toString('latin1', r.moduleStart, r.moduleEnd),
    };
  }

  private frameText(parts: FrameLineParts, javaProcess: boolean): number {
    const frames = collapseFrame(parts, this.rules, javaProcess);
    return frames.length === 0 ? NO_FRAMES : this.textId(frames.join(';'));
  }
}
