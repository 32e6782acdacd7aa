/**
 * stackcollapse-perf.pl's sample header rule, on bytes. A header starts with a non-space byte; the
 * process name is the *shortest* prefix of at least two bytes followed by whitespace, digits,
 * optional `/digits` and whitespace (`V8 WorkerThread 24636/25607 [000] …`, but `Thread 2 7000 …`
 * gives `Thread`). When the line ends in `: [PERIOD] EVENT:` (trailing whitespace allowed) it names
 * the event and, optionally, the period.
 */
import { isDigit, isPerlSpace } from './perlChars.js';

const COLON = 0x3a;
const SLASH = 0x2f;
/** A header line needs at least `XY 1 ` before the name can end. */
const MIN_COMM = 2;

/** Byte ranges of a header; a range with `start === end` is absent. */
export interface HeaderRanges {
  commEnd: number;
  /** The number before an optional `/` (`$2` in the Perl script). */
  firstIdStart: number;
  firstIdEnd: number;
  /** The number after the `/` (`$3`); empty when there is none. */
  secondIdStart: number;
  secondIdEnd: number;
  /** -1 when the line does not end in `: [PERIOD] EVENT:`. */
  eventStart: number;
  eventEnd: number;
  periodStart: number;
  periodEnd: number;
}

export function newHeaderRanges(): HeaderRanges {
  return { commEnd: 0, firstIdStart: 0, firstIdEnd: 0, secondIdStart: 0, secondIdEnd: 0, eventStart: -1, eventEnd: -1, periodStart: 0, periodEnd: 0 };
}

/**
 * Fills `out` and returns true when `buf[start, end)` is a header. The line must not be empty and
 * must start with a non-space byte (the caller has looked at it).
 */
export function scanHeader(buf: Uint8Array, start: number, end: number, out: HeaderRanges): boolean {
  if (!findIds(buf, start, end, out)) return false;
  findEvent(buf, start, end, out);
  return true;
}

function findIds(buf: Uint8Array, start: number, end: number, out: HeaderRanges): boolean {
  let at = start + MIN_COMM;
  while (at < end) {
    if (!isPerlSpace(buf[at]!)) {
      at++;
      continue;
    }
    const commEnd = at;
    while (at < end && isPerlSpace(buf[at]!)) at++;
    // Every name end inside this run of blanks leads to the same digits, so one test covers the run.
    const firstIdStart = at;
    while (at < end && isDigit(buf[at]!)) at++;
    if (at === firstIdStart) continue;
    const firstIdEnd = at;
    while (at < end && buf[at] === SLASH) at++;
    const secondIdStart = at;
    while (at < end && isDigit(buf[at]!)) at++;
    if (at < end && isPerlSpace(buf[at]!)) {
      out.commEnd = commEnd;
      out.firstIdStart = firstIdStart;
      out.firstIdEnd = firstIdEnd;
      out.secondIdStart = secondIdStart;
      out.secondIdEnd = at;
      return true;
    }
  }
  return false;
}

/**
 * `/:\s*(\d+)*\s+(\S+):\s*$/`: the event is the last whitespace-free token, which must end in `:`;
 * walking back from it over blanks, digits (the period) and blanks must reach a `:`. Only one colon
 * can qualify, so the backward walk finds the same match as Perl's leftmost search.
 */
function findEvent(buf: Uint8Array, start: number, end: number, out: HeaderRanges): void {
  out.eventStart = -1;
  out.eventEnd = -1;
  let last = end;
  while (last > start && isPerlSpace(buf[last - 1]!)) last--;
  if (last === start || buf[last - 1] !== COLON) return;
  const eventEnd = last - 1;
  let eventStart = eventEnd;
  while (eventStart > start && !isPerlSpace(buf[eventStart - 1]!)) eventStart--;
  if (eventStart === eventEnd || eventStart === start) return;
  let periodEnd = eventStart;
  while (periodEnd > start && isPerlSpace(buf[periodEnd - 1]!)) periodEnd--;
  let periodStart = periodEnd;
  while (periodStart > start && isDigit(buf[periodStart - 1]!)) periodStart--;
  let colon = periodStart;
  while (colon > start && isPerlSpace(buf[colon - 1]!)) colon--;
  if (colon === start || buf[colon - 1] !== COLON) return;
  out.eventStart = eventStart;
  out.eventEnd = eventEnd;
  out.periodStart = periodStart;
  out.periodEnd = periodEnd;
}
