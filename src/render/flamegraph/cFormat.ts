/**
 * Number formatting exactly as flamegraph.pl prints numbers: C printf `%.Nf` (round the exact binary
 * value, ties to even) and Perl's default stringification (`%.15g`). `toFixed` differs from printf only
 * on exact ties, where it rounds away from zero (`(0.25).toFixed(1)` is `0.3`, printf gives `0.2`).
 */

/** `sprintf("%.{digits}f", value)` as glibc prints it. */
export function formatFixed(value: number, digits: number): string {
  if (digits <= 2) {
    const scaled = roundedScaled(value, digits);
    if (scaled !== undefined) return scaledText(scaled, digits, value < 0);
  }
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

/**
 * How Perl prints a number in a string context (`"$x"`): `%.15g`. (Perl prints some integral values
 * from 1e15 up in full; the coordinates printed here never get near that.)
 */
export function formatPerlNumber(value: number): string {
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  // JS prints the shortest text that reads back exactly; when that has at most 15 significant
  // digits and %.15g would not switch to an exponent (below 1e-4), both print the same.
  const shortest = String(value);
  if (Math.abs(value) >= 1e-4 && !shortest.includes('e') && shortest.replace(/^-?0*|\./g, '').length <= 15) return shortest;
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

const SCALES = [1, 10, 100];

/**
 * `value·10^digits` rounded to an integer as printf rounds, when the floating product decides it:
 * below 1e8 its error is under 1e-8, so only products within 1e-7 of a half are left to the exact
 * path (undefined).
 */
function roundedScaled(value: number, digits: number): number | undefined {
  const scaled = value * SCALES[digits]!;
  if (!(Math.abs(scaled) < 1e8)) return undefined;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  if (Math.abs(fraction - 0.5) <= 1e-7) return undefined;
  return fraction > 0.5 ? floor + 1 : floor;
}

/** An integer count of 10^-digits units as `%.{digits}f` prints it (`negative` keeps C's `-0.00`). */
function scaledText(scaled: number, digits: number, negative: boolean): string {
  const sign = negative ? '-' : '';
  if (digits === 0) return sign + String(Math.abs(scaled));
  const text = String(Math.abs(scaled)).padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** `%.1f` of `value` as a whole number of tenths, so that rounded edges subtract exactly. */
export function roundToTenths(value: number): number {
  return roundedScaled(value, 1) ?? Math.round(Number(formatFixed(value, 1)) * 10);
}

/** A whole number of tenths as `%.1f` prints it: 38 → `3.8`. */
export function tenthsText(tenths: number): string {
  return scaledText(tenths, 1, tenths < 0);
}

/** Inserts `,` every three digits of the integer part: `12345` → `12,345`. */
export function withThousands(integer: string): string {
  let text = integer.slice(0, ((integer.length - 1) % 3) + 1);
  for (let i = text.length; i < integer.length; i += 3) text += `,${integer.slice(i, i + 3)}`;
  return text;
}
