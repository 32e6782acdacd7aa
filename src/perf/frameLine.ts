/**
 * Byte ranges of one `perf script` stack line: `<blanks>ADDR SYMBOL[+0xOFF] (DSO)`.
 * Works on bytes so that the hot loop allocates nothing; the caller interns the ranges.
 */
import { CLOSE_PAREN, CR, DIGIT_ZERO, LOWER_X, OPEN_PAREN, PLUS, SPACE, TAB } from '../util/ascii.js';
export interface FrameLineRanges {
  addrStart: number;
  addrEnd: number;
  nameStart: number;
  /** End of the symbol without its `+0x…` offset. */
  nameEnd: number;
  /** End of the symbol as printed, offset included. */
  symbolEnd: number;
  /** Inside the parentheses; `dsoStart === dsoEnd` when the line has no DSO group. */
  dsoStart: number;
  dsoEnd: number;
}

function isBlank(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === CR;
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46);
}

export function newFrameLineRanges(): FrameLineRanges {
  return { addrStart: 0, addrEnd: 0, nameStart: 0, nameEnd: 0, symbolEnd: 0, dsoStart: 0, dsoEnd: 0 };
}

/**
 * Fills `out` with the ranges of the frame line `buf[start, end)`. The DSO is the trailing balanced
 * ` (…)` group (DSOs such as `(/memfd:x (deleted))` nest), so names may themselves hold spaces and
 * parentheses. A first token that is not hexadecimal is taken as part of the name (no address printed).
 */
export function scanFrameLine(buf: Buffer, start: number, end: number, out: FrameLineRanges): void {
  let pos = start;
  while (pos < end && isBlank(buf[pos]!)) pos++;
  let last = end;
  while (last > pos && isBlank(buf[last - 1]!)) last--;

  let addrEnd = pos;
  while (addrEnd < last && isHexDigit(buf[addrEnd]!)) addrEnd++;
  if (addrEnd > pos && addrEnd < last && isBlank(buf[addrEnd]!)) {
    out.addrStart = pos;
    out.addrEnd = addrEnd;
    pos = addrEnd;
    while (pos < last && isBlank(buf[pos]!)) pos++;
  } else {
    out.addrStart = pos;
    out.addrEnd = pos;
  }
  out.nameStart = pos;

  let symbolEnd = last;
  out.dsoStart = last;
  out.dsoEnd = last;
  if (last > pos && buf[last - 1] === CLOSE_PAREN) {
    let depth = 0;
    for (let i = last - 1; i > pos; i--) {
      const byte = buf[i]!;
      if (byte === CLOSE_PAREN) depth++;
      else if (byte === OPEN_PAREN && --depth === 0) {
        if (buf[i - 1] === SPACE) {
          out.dsoStart = i + 1;
          out.dsoEnd = last - 1;
          symbolEnd = i - 1;
          while (symbolEnd > pos && isBlank(buf[symbolEnd - 1]!)) symbolEnd--;
        }
        break;
      }
    }
  }
  out.symbolEnd = symbolEnd;

  let hexStart = symbolEnd;
  while (hexStart > pos && isHexDigit(buf[hexStart - 1]!)) hexStart--;
  const hasOffset =
    hexStart < symbolEnd && hexStart - 3 >= pos && buf[hexStart - 1] === LOWER_X && buf[hexStart - 2] === DIGIT_ZERO && buf[hexStart - 3] === PLUS;
  out.nameEnd = hasOffset ? hexStart - 3 : symbolEnd;
}
