/**
 * Turns `perf script` text into events: a header line, then the stack's frame lines (leaf first),
 * then a blank line. Frames are interned into a FrameTable; stacks are kept only where the consumer
 * asks, so the lines of stacks nobody needs are skipped after a one-byte test. Headers are parsed on
 * their bytes (headerBytes.ts) and stack lines read in the parser's own loop, without a string or a
 * callback per line.
 */
import { wordViews, type WordViews } from '../collapse/lineTable.js';
import type { PerfEvent } from './events.js';
import { alignedBuffer, FrameTable } from './frameTable.js';
import { isHeaderError, parseHeader, TimeBase, type HeaderResult } from './header.js';
import { HeaderBytesParser } from './headerBytes.js';
import { LineSplitter, LineTooLongError } from './lineSplitter.js';
import { UserError } from '../io/userError.js';

/** Input that is not `perf script` text; `line` is 1-based. */
export class PerfInputError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'PerfInputError';
  }

  /** The error as the user sees it: `LABEL:LINE: message`. */
  atInput(label: string): UserError {
    return new UserError(`${label}:${this.line}: ${this.message}`);
  }
}

/** Lines that are not perf script text at all, skipped. */
export interface ForeignLines {
  count: number;
  firstLine: number;
  /** What was wrong with the first, with a preview of it. */
  firstMessage: string;
}

export interface SkippedEvents {
  count: number;
  /** First skipped header, to point the user at an example. */
  firstLine: number;
  firstReason: string;
}

export interface ParserHooks {
  /** Whether the stack of this event is needed; others are not parsed at all. */
  keepStack(event: PerfEvent): boolean;
  onEvent(event: PerfEvent): void;
}

const TAB = 0x09;
const SPACE = 0x20;
const HASH = 0x23;
const NEWLINE = 0x0a;
const NO_WORDS = wordViews(new ArrayBuffer(0), 0, 0);
const PREVIEW_LENGTH = 60;

function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buf[i]!;
    if (byte !== SPACE && byte !== TAB && byte !== 0x0d) return false;
  }
  return true;
}

function preview(text: string): string {
  const shown = text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
  // Control characters would garble the terminal; show them escaped.
  return JSON.stringify(shown);
}

export class PerfScriptParser {
  readonly frames = new FrameTable();
  readonly time = new TimeBase();
  readonly skipped: SkippedEvents = { count: 0, firstLine: 0, firstReason: '' };
  readonly foreign: ForeignLines = { count: 0, firstLine: 0, firstMessage: '' };
  lineCount = 0;
  eventCount = 0;

  private current: PerfEvent | null = null;
  /** Inside the frames of an event whose header was skipped. */
  private skippingFrames = false;
  private keepCurrentStack = false;
  private framesInCurrent = 0;
  private readonly splitter = new LineSplitter((buf, start, end) => this.line(buf, start, end));

  /** The chunk being split (8-byte aligned), and word views of its memory from offset 0. */
  private chunk: Buffer | null = null;
  private chunkWords: WordViews = NO_WORDS;
  private alignedCopy: Buffer = Buffer.alloc(0);
  private alignedCopyWords: WordViews = NO_WORDS;

  /** Whether the chunk being split holds a NUL byte (then headers go through header.ts, which refuses it). */
  private chunkHasNul = false;
  private readonly headerBytes: HeaderBytesParser;

  constructor(private readonly hooks: ParserHooks) {
    this.headerBytes = new HeaderBytesParser(this.time);
  }

  /** Feeds a chunk of raw input. */
  push(chunk: Buffer): void {
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
    this.chunkHasNul = this.chunk.indexOf(0) >= 0;
    try {
      this.splitter.push(this.chunk);
    } catch (error) {
      if (error instanceof LineTooLongError) throw new PerfInputError(error.message, this.lineCount + 1);
      throw error;
    } finally {
      this.chunk = null;
    }
  }

  /** Ends the input; throws PerfInputError when the last line was cut off. */
  end(): void {
    const truncated = this.splitter.end() !== null;
    // The event before a cut-off line is complete up to it; --partial results include it.
    this.finishEvent();
    if (truncated) {
      throw new PerfInputError('input ends in the middle of a line (truncated file or stream?)', this.lineCount + 1);
    }
    if (this.eventCount === 0 && this.skipped.count === 0 && this.foreign.count > 0) throw new PerfInputError(this.foreign.firstMessage, this.foreign.firstLine);
    if (this.eventCount === 0 && this.skipped.count === 0) {
      throw new PerfInputError(
        this.lineCount === 0 ? 'empty input: no perf script events' : 'no perf script events in the input',
        this.lineCount,
      );
    }
  }

  /**
   * Feeds one line (without its newline). Returns where to go on in the chunk being pushed when the
   * line was a header and the parser read its stack lines itself.
   */
  line(buf: Buffer, start: number, end: number): number | undefined {
    this.lineCount++;
    if (start === end) {
      this.finishEvent();
      return undefined;
    }
    const first = buf[start]!;
    if (first === TAB || first === SPACE) return this.indentedLine(buf, start, end);
    if (first === HASH) return undefined;
    return this.headerLine(buf, start, end);
  }

  /** Returns where to go on in the chunk, as `line` does, when the line was a header. */
  private indentedLine(buf: Buffer, start: number, end: number): number | undefined {
    const current = this.current;
    if (current === null && this.skippingFrames) return undefined;
    // perf pads the comm of stackless events (uprobes, `-F comm,…`) with leading spaces; such a header
    // can only follow a header directly, and perf indents stack lines with a tab, so only a first
    // indented line that starts with a space is tried as one.
    if (current === null || this.framesInCurrent === 0) {
      if (isBlankLine(buf, start, end)) {
        this.finishEvent();
        return undefined;
      }
      if (current === null || (buf[start] === SPACE && this.looksLikeHeader(buf, start, end))) {
        return this.headerLine(buf, start, end);
      }
    }
    this.framesInCurrent++;
    if (!this.keepCurrentStack) return undefined;
    current.stack.push(buf === this.chunk ? this.frames.internWords(buf, this.chunkWords, start, end) : this.frames.internLine(buf, start, end));
    return undefined;
  }

  private looksLikeHeader(buf: Buffer, start: number, end: number): boolean {
    const text = buf.toString('latin1', start, end).trimStart();
    return !isHeaderError(parseHeader(text, this.lineCount, new TimeBase()));
  }

  private headerLine(buf: Buffer, start: number, end: number): number | undefined {
    this.finishEvent();
    const parsed = (buf === this.chunk && !this.chunkHasNul ? this.headerBytes.parse(buf, start, end, this.lineCount) : undefined) ?? this.parseText(buf, start, end);
    if (isHeaderError(parsed)) {
      if (parsed.fatal) {
        // A line that is not perf script text at all (a `WARNING:` printed into the same stream): skipped
        // and counted; only an input with nothing readable is an error (in end()).
        if (this.foreign.count++ === 0) {
          this.foreign.firstLine = this.lineCount;
          this.foreign.firstMessage = `not a perf script header (${parsed.error}): ${preview(buf.toString('latin1', start, end).trimStart())}`;
        }
        this.skippingFrames = true;
        return undefined;
      }
      if (this.skipped.count++ === 0) {
        this.skipped.firstLine = this.lineCount;
        this.skipped.firstReason = parsed.error;
      }
      this.skippingFrames = true;
      return undefined;
    }
    this.current = parsed;
    this.framesInCurrent = 0;
    this.keepCurrentStack = this.hooks.keepStack(parsed);
    if (this.keepCurrentStack) this.frames.startStack();
    return buf === this.chunk ? this.stackLines(parsed, buf, end + 1) : undefined;
  }

  /**
   * The stack lines of `event` from `pos` on, as `line` would read them, without the round trip
   * through the line splitter: every line that starts with a tab, up to the first other line (the
   * blank line that ends the stack, usually), which is left to `line`. Returns where that line starts.
   */
  private stackLines(event: PerfEvent, buf: Buffer, pos: number): number {
    const keep = this.keepCurrentStack;
    const words = this.chunkWords;
    const length = buf.length;
    let count = 0;
    while (pos < length && buf[pos] === TAB) {
      const newline = buf.indexOf(NEWLINE, pos);
      if (newline < 0) break;
      if (count === 0 && isBlankLine(buf, pos, newline)) break;
      if (keep) event.stack.push(this.frames.internWords(buf, words, pos, newline));
      count++;
      pos = newline + 1;
    }
    this.lineCount += count;
    this.framesInCurrent += count;
    return pos;
  }

  /** header.ts on the latin1 text of the line. */
  private parseText(buf: Buffer, start: number, end: number): HeaderResult {
    const text = buf.toString('latin1', start, end).trimStart();
    if (text.includes('\0')) {
      throw new PerfInputError('binary data, not perf script text (a perf.data file? run "perf script" on it)', this.lineCount);
    }
    return parseHeader(text, this.lineCount, this.time);
  }

  private finishEvent(): void {
    this.skippingFrames = false;
    const event = this.current;
    if (event === null) return;
    this.current = null;
    this.eventCount++;
    this.hooks.onEvent(event);
  }
}
