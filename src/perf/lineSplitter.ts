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

export class LineSplitter {
  /** Bytes of a line that started in an earlier chunk and has not ended yet. */
  private carry: Buffer | null = null;

  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.carry !== null) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = null;
      this.onLine(line, 0, line.length);
      pos = nl + 1;
    }
    const onLine = this.onLine;
    const length = chunk.length;
    while (pos < length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        // Copy so that the (usually large) chunk is not kept alive by a short tail.
        this.carry = Buffer.from(chunk.subarray(pos));
        return;
      }
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
    const tail = this.carry !== null && this.carry.length > 0 ? this.carry : null;
    this.carry = null;
    return tail;
  }
}
