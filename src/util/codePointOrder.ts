/**
 * Compares strings by Unicode code point, which is the order of their UTF-8 bytes (what `sort`
 * with LC_ALL=C and Perl's `sort` give). Plain `<` compares UTF-16 units and puts astral characters
 * (surrogate pairs) before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates above U+E000–U+FFFF so that unit order equals code point order. */
function codeUnitRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
