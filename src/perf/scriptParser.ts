/**
 * Turns `perf script` text into events: a header line, then the stack's frame lines (leaf first),
 * then a blank line. Frames are interned into a FrameTable; stacks are kept only where the consumer
 * asks, so the lines of stacks nobody needs are skipped after a one-byte test.
 */
import type { PerfEvent } from './events.js';
import { FrameTable } from './frameTable.js';
import { isHeaderError, parseHeader, TimeBase } from './header.js';
import { LineSplitter } from './lineSplitter.js';
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
  lineCount = 0;
  eventCount = 0;

  private current: PerfEvent | null = null;
  /** Inside the frames of an event whose header was skipped. */
  private skippingFrames = false;
  private keepCurrentStack = false;
  private framesInCurrent = 0;
  private readonly splitter = new LineSplitter((buf, start, end) => this.line(buf, start, end));

  constructor(private readonly hooks: ParserHooks) {}

  /** Feeds a chunk of raw input. */
  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  /** Ends the input; throws PerfInputError when the last line was cut off. */
  end(): void {
    const truncated = this.splitter.end() !== null;
    // The event before a cut-off line is complete up to it; --partial results include it.
    this.finishEvent();
    if (truncated) {
      throw new PerfInputError('input ends in the middle of a line (truncated file or stream?)', this.lineCount + 1);
    }
    if (this.eventCount === 0 && this.skipped.count === 0) {
      throw new PerfInputError(
        this.lineCount === 0 ? 'empty input: no perf script events' : 'no perf script events in the input',
        this.lineCount,
      );
    }
  }

  /** Feeds one line (without its newline). */
  line(buf: Buffer, start: number, end: number): void {
    this.lineCount++;
    if (start === end) {
      this.finishEvent();
      return;
    }
    const first = buf[start]!;
    if (first === TAB || first === SPACE) {
      this.indentedLine(buf, start, end);
      return;
    }
    if (first === HASH) return;
    this.headerLine(buf, start, end);
  }

  private indentedLine(buf: Buffer, start: number, end: number): void {
    const current = this.current;
    if (current === null && this.skippingFrames) return;
    // perf pads the comm of stackless events (uprobes, `-F comm,…`) with leading spaces; such a header
    // can only follow a header directly, and perf indents stack lines with a tab, so only a first
    // indented line that starts with a space is tried as one.
    if (current === null || this.framesInCurrent === 0) {
      if (isBlankLine(buf, start, end)) {
        this.finishEvent();
        return;
      }
      if (current === null || (buf[start] === SPACE && this.looksLikeHeader(buf, start, end))) {
        this.headerLine(buf, start, end);
        return;
      }
    }
    this.framesInCurrent++;
    if (this.keepCurrentStack) current.stack.push(this.frames.internLine(buf, start, end));
  }

  private looksLikeHeader(buf: Buffer, start: number, end: number): boolean {
    const text = buf.toString('latin1', start, end).trimStart();
    return !isHeaderError(parseHeader(text, this.lineCount, new TimeBase()));
  }

  private headerLine(buf: Buffer, start: number, end: number): void {
    this.finishEvent();
    const text = buf.toString('latin1', start, end).trimStart();
    if (text.includes('\0')) {
      throw new PerfInputError('binary data, not perf script text (a perf.data file? run "perf script" on it)', this.lineCount);
    }
    const parsed = parseHeader(text, this.lineCount, this.time);
    if (isHeaderError(parsed)) {
      if (parsed.fatal) throw new PerfInputError(`not a perf script header (${parsed.error}): ${preview(text)}`, this.lineCount);
      if (this.skipped.count++ === 0) {
        this.skipped.firstLine = this.lineCount;
        this.skipped.firstReason = parsed.error;
      }
      this.skippingFrames = true;
      return;
    }
    this.current = parsed;
    this.framesInCurrent = 0;
    this.keepCurrentStack = this.hooks.keepStack(parsed);
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
