/**
 * Parses `perf script` header lines: `COMM TID [CPU] SECS.FRAC: EVENT: FIELDS` and its variants
 * (`PID/TID`, no `[CPU]`, a period before the event, side-band `PERF_RECORD_*` records).
 * The line arrives latin1-decoded, so string offsets equal byte offsets and no byte is lost.
 */
import { EventKind, type PerfEvent } from './events.js';
import { parseIntAt, parseSwitchFields, parseWakeTarget, utf8FromLatin1 } from './schedFields.js';
import { isDigitByte } from '../util/ascii.js';

const NS_DIGITS = 9;
const POWERS_OF_TEN = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/**
 * Turns `SECS.FRAC` into integer nanoseconds. Seconds are counted from the first timestamp seen, so
 * that even a machine up for years stays far inside the exact range of a double.
 */
export class TimeBase {
  baseSeconds: number | undefined;

  toNs(text: string, secsStart: number, dot: number, fracEnd: number): number {
    // -0, not 0: V8 then computes in doubles from the first call instead of deoptimizing when
    // seconds × 10^9 outgrows a small integer (the result is the same).
    let seconds = -0;
    for (let i = secsStart; i < dot; i++) seconds = seconds * 10 + text.charCodeAt(i) - 0x30;
    const digits = Math.min(fracEnd - dot - 1, NS_DIGITS);
    let fraction = 0;
    for (let i = dot + 1; i <= dot + digits; i++) fraction = fraction * 10 + text.charCodeAt(i) - 0x30;
    this.baseSeconds ??= seconds;
    return (seconds - this.baseSeconds) * 1e9 + fraction * POWERS_OF_TEN[NS_DIGITS - digits]!;
  }

  /** `toNs` on the bytes of the line. */
  toNsBytes(buf: Buffer, secsStart: number, dot: number, fracEnd: number): number {
    let seconds = -0;
    for (let i = secsStart; i < dot; i++) seconds = seconds * 10 + buf[i]! - 0x30;
    const digits = Math.min(fracEnd - dot - 1, NS_DIGITS);
    let fraction = 0;
    for (let i = dot + 1; i <= dot + digits; i++) fraction = fraction * 10 + buf[i]! - 0x30;
    this.baseSeconds ??= seconds;
    return (seconds - this.baseSeconds) * 1e9 + fraction * POWERS_OF_TEN[NS_DIGITS - digits]!;
  }
}

/** Index of the `:` that ends the ` SECS.FRAC` timestamp, or -1. */
function findTimeColon(text: string): number {
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', colon + 1)) {
    let i = colon - 1;
    while (i >= 0 && isDigitByte(text.charCodeAt(i))) i--;
    if (i === colon - 1 || text.charCodeAt(i) !== 0x2e) continue;
    const dot = i--;
    while (i >= 0 && isDigitByte(text.charCodeAt(i))) i--;
    if (i === dot - 1) continue;
    if (i < 0 || text.charCodeAt(i) === 0x20) return colon;
  }
  return -1;
}

export function newEvent(line: number): PerfEvent {
  return {
    line,
    pid: undefined,
    tid: 0,
    comm: '',
    cpu: -1,
    timeNs: -0,
    name: '',
    kind: EventKind.Other,
    prevComm: '',
    prevPid: 0,
    prevState: '',
    nextComm: '',
    nextPid: 0,
    otherTid: 0,
    lostCount: 0,
    stack: [],
  };
}

/**
 * Why a line is not a usable header. `fatal` when it is not a `perf script` header at all; otherwise
 * the header is fine but the fields of an event offgil interprets are not, and the event is skipped.
 */
export interface HeaderError {
  error: string;
  fatal: boolean;
}

export type HeaderResult = PerfEvent | HeaderError;

export function isHeaderError(result: HeaderResult): result is HeaderError {
  return 'error' in result;
}

/** Parses one header line. */
export function parseHeader(text: string, line: number, time: TimeBase): HeaderResult {
  const colon = findTimeColon(text);
  if (colon < 0) return { error: 'no "SECS.FRAC:" timestamp', fatal: true };
  const event = newEvent(line);

  let dot = colon - 1;
  while (text.charCodeAt(dot) !== 0x2e) dot--;
  let secsStart = dot - 1;
  while (secsStart > 0 && isDigitByte(text.charCodeAt(secsStart - 1))) secsStart--;
  event.timeNs = time.toNs(text, secsStart, dot, colon);

  let end = secsStart;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  if (text.charCodeAt(end - 1) === 0x5d) {
    const open = text.lastIndexOf('[', end);
    if (open < 0) return { error: 'unbalanced "[CPU]"', fatal: true };
    event.cpu = parseIntAt(text, open + 1);
    end = open;
    while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  }
  const idStart = text.lastIndexOf(' ', end - 1) + 1;
  const slash = text.indexOf('/', idStart);
  if (slash >= 0 && slash < end) {
    event.pid = parseIntAt(text, idStart);
    event.tid = parseIntAt(text, slash + 1);
  } else {
    event.tid = parseIntAt(text, idStart);
  }
  if (Number.isNaN(event.tid) || Number.isNaN(event.pid)) return { error: 'no thread id before the timestamp', fatal: true };

  let at = colon + 1;
  while (text.charCodeAt(at) === 0x20) at++;
  // `-F …,period,…` prints the sample period between the timestamp and the event name.
  let digitsEnd = at;
  while (isDigitByte(text.charCodeAt(digitsEnd))) digitsEnd++;
  if (digitsEnd > at && text.charCodeAt(digitsEnd) === 0x20) {
    at = digitsEnd;
    while (text.charCodeAt(at) === 0x20) at++;
  }

  if (text.startsWith('PERF_RECORD_', at)) return parseSideBand(text, at, event);
  return parseSample(text, at, event, idStart);
}

function parseSample(text: string, at: number, event: PerfEvent, idStart: number): HeaderResult {
  // The event name ends at the first `:` followed by a blank or the line end (`sched:sched_switch: …`).
  let nameEnd = text.indexOf(':', at);
  while (nameEnd >= 0 && nameEnd + 1 < text.length && text.charCodeAt(nameEnd + 1) !== 0x20) {
    nameEnd = text.indexOf(':', nameEnd + 1);
  }
  if (nameEnd < 0 || nameEnd === at) return { error: 'no event name after the timestamp', fatal: true };
  event.name = text.slice(at, nameEnd);
  const shortName = event.name.slice(event.name.lastIndexOf(':') + 1);
  if (shortName === 'sched_switch') {
    const fields = parseSwitchFields(text.slice(nameEnd + 1).trimStart());
    if (fields === undefined) return { error: 'sched_switch fields not understood', fatal: false };
    event.kind = EventKind.Switch;
    event.prevComm = fields.prevComm;
    event.prevPid = fields.prevPid;
    event.prevState = fields.prevState;
    event.nextComm = fields.nextComm;
    event.nextPid = fields.nextPid;
  } else if (shortName === 'sched_waking' || shortName === 'sched_wakeup') {
    const target = parseWakeTarget(text.slice(nameEnd + 1).trimStart());
    if (Number.isNaN(target)) return { error: `${shortName} has no pid= field`, fatal: false };
    event.kind = EventKind.Wake;
    event.otherTid = target;
    event.comm = utf8FromLatin1(text.slice(0, idStart).trimEnd());
  }
  return event;
}

function parseSideBand(text: string, at: number, event: PerfEvent): HeaderResult {
  const nameEnd = text.indexOf(' ', at);
  event.name = nameEnd < 0 ? text.slice(at).trimEnd() : text.slice(at, nameEnd);
  const rest = nameEnd < 0 ? '' : text.slice(nameEnd + 1).trim();
  const direction = rest.startsWith('IN') ? 'IN' : rest.startsWith('OUT') ? 'OUT' : '';
  if (event.name === 'PERF_RECORD_SWITCH') {
    if (direction === '') return { error: 'PERF_RECORD_SWITCH is neither IN nor OUT', fatal: false };
    event.kind = direction === 'IN' ? EventKind.SwitchIn : EventKind.SwitchOut;
  } else if (event.name === 'PERF_RECORD_SWITCH_CPU_WIDE') {
    const label = rest.indexOf('pid/tid:');
    const slash = label < 0 ? -1 : rest.indexOf('/', label + 'pid/tid:'.length);
    const otherTid = slash < 0 ? NaN : parseIntAt(rest, slash + 1);
    if (direction === '' || Number.isNaN(otherTid)) return { error: 'PERF_RECORD_SWITCH_CPU_WIDE without direction or pid/tid', fatal: false };
    event.kind = direction === 'IN' ? EventKind.CpuWideIn : EventKind.CpuWideOut;
    event.otherTid = otherTid;
  } else if (event.name.startsWith('PERF_RECORD_LOST')) {
    event.kind = EventKind.Lost;
    const count = /(\d+)\s*$/.exec(rest);
    event.lostCount = count === null ? 0 : Number(count[1]);
  }
  return event;
}
