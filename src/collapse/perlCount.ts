/**
 * Sample counts with Perl's arithmetic, so that sums print exactly as stackcollapse-perf.pl prints
 * them: integers are exact up to 2^64 − 1; a period or sum beyond that becomes a double (an "NV")
 * and prints with `%.15g` (`1.84467440737096e+19`).
 *
 * Representation: a `number` up to 2^53 − 1 is an exact integer; a `bigint` is an exact integer in
 * [2^53, 2^64); a `number` above 2^53 − 1 is an NV. Real profiles stay in the first case.
 */
export type PerlCount = number | bigint;

const UV_LIMIT = 1n << 64n;
const SAFE = Number.MAX_SAFE_INTEGER;

function isNv(count: PerlCount): boolean {
  return typeof count === 'number' && count > SAFE;
}

function exact(value: bigint): PerlCount {
  return value <= BigInt(SAFE) ? Number(value) : value;
}

/** The number Perl makes of a string of decimal digits (a sample period). */
export function parseDigits(digits: string): PerlCount {
  if (digits.length <= 15) return Number(digits);
  const value = BigInt(digits);
  return value < UV_LIMIT ? exact(value) : Number(digits);
}

export function addCounts(a: PerlCount, b: PerlCount): PerlCount {
  if (typeof a === 'number' && typeof b === 'number' && a <= SAFE && b <= SAFE) {
    const sum = a + b;
    if (sum <= SAFE) return sum;
  }
  if (isNv(a) || isNv(b)) return Number(a) + Number(b);
  const sum = BigInt(a) + BigInt(b);
  // Perl's integer add overflows into a double add of both operands.
  return sum < UV_LIMIT ? exact(sum) : Number(a) + Number(b);
}

export function formatCount(count: PerlCount): string {
  if (!isNv(count)) return count.toString();
  const nv = count as number;
  if (!Number.isFinite(nv)) return 'Inf';
  // C's %.15g; NVs here are ≥ 2^64, so always in exponent form.
  const [mantissa, exponent] = nv.toExponential(14).split('e') as [string, string];
  const trimmed = mantissa.replace(/\.?0+$/, '');
  const sign = exponent[0]!;
  const digits = exponent.slice(1).padStart(2, '0');
  return `${trimmed}e${sign}${digits}`;
}
