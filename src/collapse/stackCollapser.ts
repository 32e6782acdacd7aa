/**
 * A streaming, byte-for-byte reimplementation of stackcollapse-perf.pl: `perf script` text in,
 * `PROCESS;root;…;leaf COUNT` aggregates out. Memory grows with the distinct stack lines and
 * stacks only, never with the input.
 *
 * Hot loop: a stack line becomes a frame text id by comparing its bytes with lines seen before
 * (stackLineTexts.ts), the lines that followed the previous line tried first; a record becomes a
 * sequence of such ids, aggregated as is (stackCounts.ts). No string is built per line or per
 * sample; output strings are built once per distinct stack. (A cache of whole records, taken by
 * comparing a record's bytes with a stored copy, was dropped: on real recordings, whose records
 * are 2–3 KB of dwarf-unwound frames, it cost 15–45% — see docs/performance.md.)
 */
import { ByteKeyTable } from '../perf/byteKeyTable.js';
import { LineSplitter, LineTooLongError } from '../perf/lineSplitter.js';
import { PerfInputError } from '../perf/scriptParser.js';
import { newHeaderRanges, scanHeader, type HeaderRanges } from './collapseHeader.js';
import { decodeCollapsed, formatCollapsed } from './collapsedOutput.js';
import { wordViews, type WordViews } from './lineTable.js';
import { isPerlSpace } from './perlChars.js';
import { parseDigits, type PerlCount } from './perlCount.js';
import { StackCounts } from './stackCounts.js';
import { NO_FRAMES, StackLineTexts, UNRECOGNIZED } from './stackLineTexts.js';
import { grownInt32 } from '../util/typedArrays.js';

export interface CollapseOptions {
  /** Process frame `COMM-PID`. */
  pid?: boolean;
  /** Process frame `COMM-PID/TID` (wins over `pid`). */
  tid?: boolean;
  /** `_[k]` on kernel frames. */
  kernel?: boolean;
  /** `_[j]` on frames from `/tmp/perf-PID.map`. */
  jit?: boolean;
  /** `kernel` and `jit`. */
  all?: boolean;
  /** `[unknown]` frames show their address: `[libc.so <7f12…>]`. */
  addrs?: boolean;
  /** Keep only this event; by default the first event seen is kept. */
  eventFilter?: string;
}

/** What stackcollapse-perf.pl prints to stderr, with the 1-based line of the current input. */
export interface CollapseWarning {
  kind: 'unrecognized-line' | 'event-filter';
  line: number;
  message: string;
}

/** Refused input: it holds a NUL byte (binary data) or runs this long without a newline. */

const TAB = 0x09;
const SPACE = 0x20;
const HASH = 0x23;
const ZERO = 0x30;
/** Digits that always fit a double exactly. */
const SAFE_DIGITS = 15;

export class StackCollapser {
  private readonly splitter = new LineSplitter((buf, start, end) => this.line(buf, start, end));
  private lineNumber = 0;

  /** The chunk being split, and word views of the same memory. */
  private chunk: Buffer | null = null;
  private chunkWords: WordViews = wordViews(new ArrayBuffer(0), 0, 0);
  private alignedCopy: Buffer = Buffer.alloc(0);
  private alignedCopyWords: WordViews = this.chunkWords;
  private lineCopy: Buffer = Buffer.alloc(0);
  private lineCopyWords: WordViews = this.chunkWords;

  private readonly lineTexts: StackLineTexts;

  private eventFilter: Buffer | null;
  private readonly filterDefaulted: boolean;
  private warnedFilter = false;
  private readonly header: HeaderRanges = newHeaderRanges();

  /** Process frames by the header bytes they come from (the name, and the ids when shown) → text id. */
  private readonly processes = new ByteKeyTable();
  private readonly processText: number[] = [];
  private readonly processIsJava: boolean[] = [];
  /** Text id of the current record's process frame; -1 while no record is open (Perl's `$pname` unset). */
  private processId = -1;
  private javaProcess = false;
  private period: PerlCount = 1;
  /** `[process, leaf, …, root]` of the open record; slot 0 is filled when the record ends. */
  private frames = new Int32Array(256);
  private frameCount = 1;

  private readonly stacks = new StackCounts();

  constructor(
    private readonly options: CollapseOptions = {},
    private readonly onWarning: (warning: CollapseWarning) => void = () => undefined,
  ) {
    this.lineTexts = new StackLineTexts({
      addrs: options.addrs === true,
      kernel: options.kernel === true || options.all === true,
      jit: options.jit === true || options.all === true,
    });
    const filter = options.eventFilter ?? '';
    this.eventFilter = filter === '' ? null : Buffer.from(filter, 'utf8');
    this.filterDefaulted = filter === '';
  }

  /** 1-based number of the last line read from the current input. */
  get lineCount(): number {
    return this.lineNumber;
  }

  /** Feeds raw input; throws PerfInputError (after taking the lines before it) on binary data. */
  push(chunk: Buffer): void {
    const nul = chunk.indexOf(0, 0);
    if (nul >= 0) {
      this.pushText(chunk.subarray(0, nul));
      throw new PerfInputError('binary data (a NUL byte), not perf script text', this.lineNumber + 1);
    }
    this.pushText(chunk);
  }

  /** Feeds one line, without its newline. */
  pushLine(buf: Buffer, start: number, end: number): void {
    if (buf.subarray(start, end).includes(0)) throw new PerfInputError('binary data (a NUL byte), not perf script text', this.lineNumber + 1);
    this.line(buf, start, end);
  }

  /**
   * Ends one input file. Perl's `<>` reads a last line without newline as a line of its own, and
   * goes on with the next file in the same state (line numbers restart here for messages).
   */
  endInput(): void {
    const lastLine = this.splitter.end();
    if (lastLine !== null) this.line(lastLine, 0, lastLine.length);
    this.lineNumber = 0;
  }

  /** Ends the input; the open record is dropped, as Perl adds a record only at a blank line. */
  end(): Map<string, number> {
    this.endInput();
    return this.stacksSoFar();
  }

  /** The aggregated stacks, in byte order of the stack, with UTF-8-decoded names. */
  stacksSoFar(): Map<string, number> {
    return decodeCollapsed(this.stacks.aggregate(this.lineTexts.texts));
  }

  /** The output stackcollapse-perf.pl would print for the records completed so far. */
  folded(): Buffer {
    return formatCollapsed(this.stacks.aggregate(this.lineTexts.texts));
  }

  private pushText(chunk: Buffer): void {
    const paddedEnd = chunk.byteOffset + ((chunk.length + 7) & ~7);
    if ((chunk.byteOffset & 7) === 0 && paddedEnd <= chunk.buffer.byteLength) {
      this.chunk = chunk;
      this.chunkWords = wordViews(chunk.buffer, chunk.byteOffset, chunk.length);
    } else {
      if (this.alignedCopy.length < chunk.length) {
        this.alignedCopy = alignedBuffer(chunk.length);
        this.alignedCopyWords = wordViews(this.alignedCopy.buffer, 0, this.alignedCopy.length);
      }
      chunk.copy(this.alignedCopy);
      this.chunk = this.alignedCopy.subarray(0, chunk.length);
      this.chunkWords = this.alignedCopyWords;
    }
    try {
      this.splitter.push(this.chunk);
    } catch (error) {
      if (error instanceof LineTooLongError) throw new PerfInputError(error.message, this.lineNumber + 1);
      throw error;
    } finally {
      this.chunk = null;
    }
  }

  private line(buf: Buffer, start: number, end: number): void {
    this.lineNumber++;
    if (start === end) {
      this.endRecord();
      return;
    }
    const first = buf[start]!;
    if (first === TAB || first === SPACE) {
      this.stackLine(buf, start, end);
    } else if (first === HASH) {
      // A comment (perf's header block): Perl skips it.
    } else if (!isPerlSpace(first) && scanHeader(buf, start, end, this.header)) {
      this.startRecord(buf, start);
    } else {
      this.stackLine(buf, start, end);
    }
  }

  private stackLine(buf: Buffer, start: number, end: number): void {
    let words = this.chunkWords;
    if (buf !== this.chunk) {
      // A line that straddled chunks, or one given by pushLine: copy it to aligned memory.
      const length = end - start;
      if (this.lineCopy.length < length) {
        this.lineCopy = alignedBuffer(length * 2);
        this.lineCopyWords = wordViews(this.lineCopy.buffer, 0, this.lineCopy.length);
      }
      buf.copy(this.lineCopy, 0, start, end);
      buf = this.lineCopy;
      words = this.lineCopyWords;
      start = 0;
      end = length;
    }
    const textId = this.lineTexts.resolve(buf, words, start, end, this.javaProcess);
    if (textId === UNRECOGNIZED) {
      this.onWarning({ kind: 'unrecognized-line', line: this.lineNumber, message: `Unrecognized line: ${buf.toString('utf8', start, end)}` });
      return;
    }
    if (textId === NO_FRAMES || this.processId < 0) return;
    if (this.frameCount === this.frames.length) this.growFrames(this.frameCount + 1);
    this.frames[this.frameCount++] = textId;
  }

  private growFrames(needed: number): void {
    this.frames = grownInt32(this.frames, Math.max(needed, this.frames.length * 2));
  }

  private startRecord(buf: Buffer, start: number): void {
    this.lineTexts.startStack();
    const header = this.header;
    let period: PerlCount = 1;
    if (header.eventStart >= 0) {
      if (this.eventFilter === null) {
        this.eventFilter = Buffer.from(buf.subarray(header.eventStart, header.eventEnd));
      } else if (!sameBytes(buf, header.eventStart, header.eventEnd, this.eventFilter)) {
        if (this.filterDefaulted && !this.warnedFilter) {
          this.warnedFilter = true;
          this.onWarning({ kind: 'event-filter', line: this.lineNumber, message: `Filtering for events of type: ${buf.toString('utf8', header.eventStart, header.eventEnd)}` });
        }
        // Perl skips the header only: the previous process name (if any) stays in force.
        return;
      }
      period = periodOf(buf, header.periodStart, header.periodEnd);
    }
    this.period = period;
    const withIds = this.options.pid === true || this.options.tid === true;
    const key = this.processes.intern(buf, start, header.commEnd, withIds ? header.firstIdStart : 0, withIds ? header.secondIdEnd : 0);
    if (key === this.processText.length) {
      const name = this.processName(buf, start, header);
      this.processText.push(this.lineTexts.textId(name));
      this.processIsJava.push(name.startsWith('java'));
    }
    this.processId = this.processText[key]!;
    this.javaProcess = this.processIsJava[key]!;
  }

  private processName(buf: Buffer, start: number, header: HeaderRanges): string {
    let name = buf.toString('latin1', start, header.commEnd);
    if (this.options.tid || this.options.pid) {
      const first = buf.toString('latin1', header.firstIdStart, header.firstIdEnd);
      const second = buf.toString('latin1', header.secondIdStart, header.secondIdEnd);
      // Perl's `if (not $tid)`: a missing or "0" second number means "TID only".
      const hasPid = second !== '' && second !== '0';
      const pid = hasPid ? first : '?';
      const tid = hasPid ? second : first;
      name = this.options.tid ? `${name}-${pid}/${tid}` : `${name}-${pid}`;
    }
    return name.includes(' ') ? name.replaceAll(' ', '_') : name;
  }

  private endRecord(): void {
    this.lineTexts.startStack();
    if (this.processId < 0) return;
    this.frames[0] = this.processId;
    this.stacks.add(this.frames, this.frameCount, this.period);
    this.frameCount = 1;
    this.processId = -1;
  }
}

/** A buffer of its own memory (offset 0, so 8-byte aligned), with room up to a multiple of 8. */
function alignedBuffer(length: number): Buffer {
  return Buffer.from(new ArrayBuffer((length + 7) & ~7), 0, length);
}

function sameBytes(buf: Buffer, start: number, end: number, expected: Buffer): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[start + i] !== expected[i]) return false;
  return true;
}

/** Perl's `$period || 1` on the digits: missing or exactly "0" is 1 ("00" is a true string, so 0). */
function periodOf(buf: Buffer, start: number, end: number): PerlCount {
  if (start === end || (end - start === 1 && buf[start] === ZERO)) return 1;
  if (end - start > SAFE_DIGITS) return parseDigits(buf.toString('latin1', start, end));
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + buf[i]! - ZERO;
  return value;
}

/** Collapses a whole small input: text, bytes, or lines without their newlines. */
export function collapse(input: string | Uint8Array | readonly string[], options: CollapseOptions = {}): Map<string, number> {
  const collapser = new StackCollapser(options);
  if (typeof input === 'string') collapser.push(Buffer.from(input, 'utf8'));
  else if (input instanceof Uint8Array) collapser.push(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  else for (const line of input) collapser.push(Buffer.from(`${line}\n`, 'utf8'));
  return collapser.end();
}
