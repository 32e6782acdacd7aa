/**
 * Folded-stack lines as flamegraph.pl reads them: `STACK COUNT`, or `STACK BEFORE AFTER` for a
 * differential graph. The count is the last whitespace-separated token and must look like
 * `digits[.digits]`; whitespace and digits are Perl's Unicode classes, since flamegraph.pl decodes
 * its input as UTF-8.
 */

export interface FoldedLine {
  /** What lines are sorted by: the line itself, or the rebuilt line of a reversed stack. */
  key: string;
  /** `frame;frame;…`, root first. */
  stack: string;
  /** Width of the line: its count, or the second count of a differential line. */
  count: number;
  /** after − before of a differential line; undefined for a single-count line. */
  delta: number | undefined;
}

const NUMBER = /^\p{Nd}+(?:\.\p{Nd}*)?$/u;

/** Perl's `\s` on a decoded string: ASCII whitespace, NEL, NBSP and the Unicode space separators. */
function isPerlSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

const DIGIT = /^\p{Nd}$/u;

/** Index of the whitespace before a trailing count, or -1 when `text` does not end in ` COUNT`. */
function countStart(text: string): number {
  // Walks back over digits (any script, like Perl's `\d`) and points only, so a stack is not
  // scanned to its start.
  let i = text.length - 1;
  while (i >= 0) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if ((code >= 0x30 && code <= 0x39) || code === 0x2e) i--;
      else break;
      continue;
    }
    const first = code >= 0xdc00 && code <= 0xdfff && i > 0 ? i - 1 : i;
    if (!DIGIT.test(text.slice(first, i + 1))) break;
    i = first - 1;
  }
  if (i < 0 || i === text.length - 1 || !isPerlSpace(text.charCodeAt(i))) return -1;
  return NUMBER.test(text.slice(i + 1)) ? i : -1;
}

/** Perl's numeric value of a count: its leading ASCII number (`1٣` is 1, `٣` is 0). */
function countValue(text: string): number {
  const value = parseFloat(text);
  return Number.isNaN(value) ? 0 : value;
}

/** `split ';'` as Perl does it: trailing empty fields are dropped, inner and leading ones kept. */
function splitFrames(stack: string): string[] {
  const frames = stack.split(';');
  while (frames.length > 0 && frames[frames.length - 1] === '') frames.pop();
  return frames;
}

/** Parses one line (without its newline); undefined for a line flamegraph.pl ignores as invalid. */
export function parseFoldedLine(line: string, reverse: boolean): FoldedLine | undefined {
  const last = countStart(line);
  if (last < 0) return undefined;
  let stack = line.slice(0, last);
  const lastText = line.slice(last + 1);
  const count = countValue(lastText);
  let delta: number | undefined;
  let beforeText: string | undefined;
  const previous = countStart(stack);
  if (previous >= 0) {
    beforeText = stack.slice(previous + 1);
    delta = count - countValue(beforeText);
    stack = stack.slice(0, previous);
  }
  if (!reverse) return { key: line, stack, count, delta };
  stack = splitFrames(stack).reverse().join(';');
  const counts = beforeText === undefined ? lastText : `${beforeText} ${lastText}`;
  return { key: `${stack} ${counts}`, stack, count, delta };
}

/**
 * `--colors chain`: the frames after each `;--;` separator are the waker's and get `_[w]`; a stack
 * without a waker part gets a trailing `--` frame (unless `separateWakerless` is false, as for
 * `--colors python`, which only tells holder frames apart). Parts are split the Perl way (empty
 * trailing parts dropped), so `a;--;` counts as having no waker part.
 */
export function markWakerFrames(stack: string, separateWakerless = true): string {
  const parts = stack.split(';--;');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1) return separateWakerless ? `${parts[0]};--` : stack;
  const wakers = parts.slice(1).map((part) => `${part.replaceAll(';', '_[w];')}_[w]`);
  return [parts[0], ...wakers].join(';--;');
}
