/**
 * Perl's `\s`, `\d` and `\w` as stackcollapse-perf.pl sees them: its input is read as bytes, so the
 * classes are ASCII only (byte 0xA0 is not a space, é is not a word character). The codes work on
 * bytes and on latin1-decoded strings alike.
 */

/** Space, \t, \n, \v, \f, \r. */
export function isPerlSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isWordChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f;
}
