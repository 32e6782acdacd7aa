/**
 * Stack line → frame text, at the speed of comparing bytes: a line is keyed by its raw bytes
 * (lineTable.ts); only a line content never seen before is decoded and run through the Perl rules
 * (collapseFrame.ts). Texts are interned and named by ids, and the stack's process name shares the
 * same text ids.
 */
import { collapseFrame, splitFrameLine, type FrameRules } from './collapseFrame.js';
import { INITIAL_LINES, LineTable, type WordViews } from './lineTable.js';

/** Results besides a text id (≥ 0). */
export const UNRECOGNIZED = -2;
/** The line contributes no frame (Perl skips it). */
export const NO_FRAMES = -1;
/** Not yet transformed for this process kind. */
const NOT_COMPUTED = -3;

export class StackLineTexts {
  private readonly lines = new LineTable();
  /** `next[(previous + 1) * 2 + k]`: the lines that followed line `previous` (-1: none yet), most recent first. */
  private next = new Int32Array((INITIAL_LINES + 1) * 2).fill(-1);
  private previousLine = -1;
  /** Text id per line id and process kind (the Java rule depends on the process name). */
  private readonly lineText: number[] = [];
  private readonly lineTextJava: number[] = [];
  /** Distinct line contents (latin1) → their text ids per process kind. */
  private readonly contentIds = new Map<string, number>();
  private readonly contentText: number[] = [];
  private readonly contentTextJava: number[] = [];
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
    this.previousLine = -1;
  }

  /**
   * The text id of the stack line `buf[start, end)` (`words` views `buf`), or UNRECOGNIZED or
   * NO_FRAMES.
   */
  resolve(buf: Buffer, words: WordViews, start: number, end: number, javaProcess: boolean): number {
    const lineId = this.lineId(words, start, end);
    const textId = javaProcess ? this.lineTextJava[lineId]! : this.lineText[lineId]!;
    return textId === NOT_COMPUTED ? this.transform(lineId, buf.toString('latin1', start, end), javaProcess) : textId;
  }

  /**
   * Stacks repeat their callers, so the two lines that most recently followed the previous line are
   * tried before hashing (93% of the lines of a typical profile).
   */
  private lineId(words: WordViews, start: number, end: number): number {
    const lines = this.lines;
    const next = this.next;
    const at = (this.previousLine + 1) * 2;
    const first = next[at]!;
    if (first >= 0 && lines.matches(first, words, start, end)) {
      this.previousLine = first;
      return first;
    }
    const second = next[at + 1]!;
    let id: number;
    if (second >= 0 && lines.matches(second, words, start, end)) {
      id = second;
    } else {
      id = lines.intern(words, start, end);
      if (lines.added) this.lineAdded();
    }
    this.next[at] = id;
    this.next[at + 1] = first;
    this.previousLine = id;
    return id;
  }

  private lineAdded(): void {
    this.lineText.push(NOT_COMPUTED);
    this.lineTextJava.push(NOT_COMPUTED);
    if ((this.lines.size + 1) * 2 > this.next.length) {
      const bigger = new Int32Array(this.next.length * 2).fill(-1);
      bigger.set(this.next);
      this.next = bigger;
    }
  }

  /**
   * The table keys lines by bytes *and* position in the 8-byte word, so one content can have
   * several line ids; the rules still run once per distinct content and process kind.
   */
  private transform(lineId: number, line: string, javaProcess: boolean): number {
    let content = this.contentIds.get(line);
    if (content === undefined) {
      content = this.contentText.length;
      this.contentIds.set(line, content);
      this.contentText.push(NOT_COMPUTED);
      this.contentTextJava.push(NOT_COMPUTED);
    }
    const texts = javaProcess ? this.contentTextJava : this.contentText;
    if (texts[content] === NOT_COMPUTED) {
      const parts = splitFrameLine(line);
      if (parts === undefined) {
        this.contentText[content] = UNRECOGNIZED;
        this.contentTextJava[content] = UNRECOGNIZED;
      } else {
        const frames = collapseFrame(parts, this.rules, javaProcess);
        texts[content] = frames.length === 0 ? NO_FRAMES : this.textId(frames.join(';'));
      }
    }
    const textId = texts[content]!;
    if (textId === UNRECOGNIZED) {
      this.lineText[lineId] = UNRECOGNIZED;
      this.lineTextJava[lineId] = UNRECOGNIZED;
    } else {
      (javaProcess ? this.lineTextJava : this.lineText)[lineId] = textId;
    }
    return textId;
  }
}
