/**
 * Splits a byte stream into lines without creating a string per line: the parser looks at most lines
 * (stack frames) as byte ranges only, which is what keeps it near the speed of a bare newline scan.
 */

/**
 * Called per line (without its newline). A handler that has consumed more of the chunk (the lines
 * up to some later newline) may return the offset to go on from; it is only honoured for lines that
 * lie in the chunk passed to `push`. Any other return value is ignored.
 */
export type LineHandler = (buf: Buffer, start: number, end: number) => unknown;

const NEWLINE = 0x0a;

/**
 * The longest line offgil reads, 16 MiB: perf script's longest lines are frame names of a few KB, and
 * a file without newlines is not perf script text.
 */
export const MAX_LINE_BYTES = 16 << 20;

/** A line longer than MAX_LINE_BYTES; the caller names the line. */
export class LineTooLongError extends Error {
  constructor() {
    super(`line longer than ${MAX_LINE_BYTES >> 20} MiB: not perf script text`);
    this.name = 'LineTooLongError';
  }
}

export class LineSplitter {
  /** Pieces of a line that started in an earlier chunk and has not ended yet (joined once, when it ends). */
  private carry: Buffer[] = [];
  private carryBytes = 0;

  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.carry.length > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        this.keep(chunk);
        return;
      }
      this.keep(chunk.subarray(0, nl));
      const line = Buffer.concat(this.carry, this.carryBytes);
      this.carry = [];
      this.carryBytes = 0;
      this.onLine(line, 0, line.length);
      pos = nl + 1;
    }
    const onLine = this.onLine;
    const length = chunk.length;
    while (pos < length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        this.keep(chunk.subarray(pos));
        return;
      }
      if (nl - pos > MAX_LINE_BYTES) throw new LineTooLongError();
      const resume = onLine(chunk, pos, nl);
      pos = typeof resume === 'number' ? resume : nl + 1;
    }
  }

  /**
   * Ends the input and returns the bytes after its last newline, or null. They are not passed to the
   * handler: `perf script` ends every line with a newline, so for offgil they are a cut-off line,
   * while stackcollapse-perf.pl (Perl's `<>`) reads them as a last line.
   */
  end(): Buffer | null {
    const tail = this.carryBytes > 0 ? Buffer.concat(this.carry, this.carryBytes) : null;
    this.carry = [];
    this.carryBytes = 0;
    return tail;
  }

  private keep(piece: Buffer): void {
    this.carryBytes += piece.length;
    if (this.carryBytes > MAX_LINE_BYTES) throw new LineTooLongError();
    // A copy, so that the (usually large, maybe reused) chunk is not kept alive or overwritten.
    this.carry.push(Buffer.from(piece));
  }
}
