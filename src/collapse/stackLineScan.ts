/**
 * stackcollapse-perf.pl's stack line regex `/^\s*(\w+)\s*(.+) \((.*)\)/` and its offset strip
 * `s/\+0x[\da-f]+$//`, on bytes: the module sits between the last ` (` that has a `)` after it and
 * the last `)` (text after that `)` is ignored); when the symbol would be empty, Perl backtracks
 * into the blanks or into the address.
 */
import { isPerlSpace, isWordChar } from './perlChars.js';
import { CLOSE_PAREN, DIGIT_ZERO, isLowerHexByte, LOWER_X, OPEN_PAREN, PLUS, SPACE } from '../util/ascii.js';

export interface StackLineRanges {
  pcStart: number;
  pcEnd: number;
  /** The symbol, without a final `+0x<lowercase hex>` (so `UPPER+0x1F` stays whole). */
  nameStart: number;
  nameEnd: number;
  moduleStart: number;
  moduleEnd: number;
}

export function newStackLineRanges(): StackLineRanges {
  return { pcStart: 0, pcEnd: 0, nameStart: 0, nameEnd: 0, moduleStart: 0, moduleEnd: 0 };
}


/** Fills `out` and returns true when `buf[start, end)` is a stack line. */
export function scanStackLine(buf: Uint8Array, start: number, end: number, out: StackLineRanges): boolean {
  let pcStart = start;
  while (pcStart < end && isPerlSpace(buf[pcStart]!)) pcStart++;
  let pcEnd = pcStart;
  while (pcEnd < end && isWordChar(buf[pcEnd]!)) pcEnd++;
  if (pcEnd === pcStart) return false;
  let close = end - 1;
  while (close >= pcEnd && buf[close] !== CLOSE_PAREN) close--;
  let open = close - 2;
  while (open >= pcEnd && !(buf[open] === SPACE && buf[open + 1] === OPEN_PAREN)) open--;
  if (open < pcEnd) return false;
  let nameStart = pcEnd;
  while (nameStart < open && isPerlSpace(buf[nameStart]!)) nameStart++;
  if (open === nameStart) {
    // `(.+)` needs a character: the last blank before ` (`, else the address's last character.
    if (open > pcEnd) nameStart = open - 1;
    else if (pcEnd - pcStart >= 2) nameStart = pcEnd = open - 1;
    else return false;
  }
  out.pcStart = pcStart;
  out.pcEnd = pcEnd;
  out.nameStart = nameStart;
  out.nameEnd = withoutOffset(buf, nameStart, open);
  out.moduleStart = open + 2;
  out.moduleEnd = close;
  return true;
}

function withoutOffset(buf: Uint8Array, start: number, end: number): number {
  let hexStart = end;
  while (hexStart > start && isLowerHexByte(buf[hexStart - 1]!)) hexStart--;
  const hasOffset = hexStart < end && hexStart - 3 >= start && buf[hexStart - 1] === LOWER_X && buf[hexStart - 2] === DIGIT_ZERO && buf[hexStart - 3] === PLUS;
  return hasOffset ? hexStart - 3 : end;
}
