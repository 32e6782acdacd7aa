/**
 * The line-length limit of the readers: a line still without its newline after MAX_LINE_BYTES is not
 * perf script text or folded stacks (a binary file, a stream without newlines). Found by looking only
 * at the end of each chunk, so it costs nothing per line, and it keeps the reading linear: a line
 * carried over many chunks is copied again with each.
 */
export const MAX_LINE_BYTES = 16 << 20;

const NEWLINE = 0x0a;

export class OpenLine {
  /** Bytes after the last newline seen so far. */
  private bytes = 0;

  /**
   * Where `chunk` ends the last line that may be read before the limit is crossed: `chunk.length`
   * when the open line stays within the limit, else the offset just after its last newline (-1
   * when none: the whole chunk continues a line that is already too long).
   */
  limitIn(chunk: Buffer): number {
    const newline = chunk.lastIndexOf(NEWLINE);
    const open = newline < 0 ? this.bytes + chunk.length : chunk.length - newline - 1;
    if (open > MAX_LINE_BYTES) return newline;
    this.bytes = open;
    return chunk.length;
  }
}

/** The message for a line that crossed the limit. */
export function lineTooLong(): string {
  return `line longer than ${MAX_LINE_BYTES >> 20} MiB without a newline: not perf script text (the limit is in docs/reliability.md)`;
}
