/** Byte values the byte-level scanners compare with. */
export const TAB = 0x09;
export const CR = 0x0d;
export const SPACE = 0x20;
export const OPEN_PAREN = 0x28;
export const CLOSE_PAREN = 0x29;
export const PLUS = 0x2b;
export const DIGIT_ZERO = 0x30;
export const LOWER_X = 0x78;

export function isDigitByte(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

export function isLowerHexByte(byte: number): boolean {
  return isDigitByte(byte) || (byte >= 0x61 && byte <= 0x66);
}
