/**
 * Number formatting exactly as flamegraph.pl prints numbers: C printf `%.Nf` (round the exact binary
 * value, ties to even) and Perl's default stringification (`%.15g`). `toFixed` differs from printf only
 * on exact ties, where it rounds away from zero (`(0.25).toFixed(1)` is `0.3`, printf gives `0.2`).
 */

/** `sprintf("%.{digits}f", value)` as glibc prints it. */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Inf' : '-Inf';
  if (value === 0) value = 0; // -0 would print as "-0.0", which no caller wants
  if (Math.abs(value) >= 1e21) return BigInt(value).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  const doubled = value * 2 ** (digits + 1); // exact: a power-of-two scale
  if (Number.isInteger(doubled) && doubled % 2 !== 0) return formatTie(value, digits);
  return value.toFixed(digits);
}

/**
 * `value·10^digits` is exactly n + ½: printf picks the even neighbour. Such values are odd multiples
 * of 2^-(digits+1), so `|value|·10^digits` is computed exactly for any magnitude we print.
 */
function formatTie(value: number, digits: number): string {
  const lower = Math.floor(Math.abs(value) * 10 ** digits);
  const even = lower % 2 === 0 ? lower : lower + 1;
  const text = String(even).padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return value < 0 ? `-${body}` : body;
}

/** How Perl prints a number in a string context (`"$x"`): `%.15g`. */
export function formatPerlNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value === 0 ? 0 : value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Inf' : '-Inf';
  const [mantissa, exponentText] = value.toExponential(14).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 15) {
    const sign = exponent < 0 ? '-' : '+';
    return `${stripZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripZeros(value.toFixed(14 - exponent));
}

function stripZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}

/** Inserts `,` every three digits of the integer part: `12345` → `12,345`. */
export function withThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
