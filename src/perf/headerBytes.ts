/**
 * The header parser of header.ts, on the raw bytes of the line: no string is made for the line, and
 * the strings an event holds (event name, comms, state) are interned by their bytes. It follows
 * header.ts step by step and gives the same event for every line it accepts; for anything else
 * (errors, perf 4's layout, side-band records other than context switches, a NUL byte, a line that
 * starts with whitespace) it returns undefined and the caller uses header.ts, which also words the
 * errors. Tests compare both on every header of the fixtures and on mutated headers.
 */
import { ByteKeyTable } from './byteKeyTable.js';
import { EventKind, type PerfEvent } from './events.js';
import { newEvent, type HeaderResult, type TimeBase } from './header.js';
import { MAX_ID, parseSwitchFields } from './schedFields.js';

const SPACE = 0x20;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const PERF_RECORD = bytes('PERF_RECORD_');
const SWITCH = bytes('PERF_RECORD_SWITCH');
const SWITCH_CPU_WIDE = bytes('PERF_RECORD_SWITCH_CPU_WIDE');
const SCHED = bytes('sched:');
const SCHED_SWITCH_NAME = 'sched:sched_switch';
const SCHED_WAKING_NAME = 'sched:sched_waking';
const SCHED_WAKEUP_NAME = 'sched:sched_wakeup';
const SWITCH_NAME = 'PERF_RECORD_SWITCH';
const SWITCH_CPU_WIDE_NAME = 'PERF_RECORD_SWITCH_CPU_WIDE';
const LOWER_G = 0x67;
const SCHED_SWITCH = bytes('sched_switch');
const SCHED_WAKING = bytes('sched_waking');
const SCHED_WAKEUP = bytes('sched_wakeup');
const PREV_COMM = bytes('prev_comm=');
const PID = bytes('pid=');
const PID_TID = bytes('pid/tid:');
const IN = bytes('IN');
const OUT = bytes('OUT');

/** Distinct strings interned per table at most; past that they are decoded each time. */
const MAX_STRINGS = 1 << 16;

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** What String.prototype.trim removes from latin1 text: \t \n \v \f \r, space and U+00A0. */
export function isJsSpaceByte(byte: number): boolean {
  return byte === SPACE || (byte >= 0x09 && byte <= 0x0d) || byte === 0xa0;
}

function startsWithAt(buf: Buffer, at: number, end: number, pattern: Buffer): boolean {
  if (at < 0 || at + pattern.length > end) return false;
  for (let i = 0; i < pattern.length; i++) if (buf[at + i] !== pattern[i]) return false;
  return true;
}

function sameBytes(buf: Buffer, start: number, end: number, pattern: Buffer): boolean {
  return end - start === pattern.length && startsWithAt(buf, start, end, pattern);
}

/** First `pattern` starting in `[from, end)` and ending by `end` (String.prototype.indexOf), or -1. */
function indexOfIn(buf: Buffer, from: number, end: number, pattern: Buffer): number {
  const first = pattern[0]!;
  for (let at = from; at + pattern.length <= end; at++) if (buf[at] === first && startsWithAt(buf, at, end, pattern)) return at;
  return -1;
}

function indexOfByte(buf: Buffer, from: number, end: number, byte: number): number {
  for (let at = from; at < end; at++) if (buf[at] === byte) return at;
  return -1;
}

/** header.ts's parseIntAt on `buf[start, end)`. */
function parseIntAt(buf: Buffer, start: number, end: number): number {
  let i = start;
  let sign = 1;
  if (i < end && buf[i] === MINUS) {
    sign = -1;
    i++;
  }
  let value = 0;
  const digitsStart = i;
  for (; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
  }
  return i === digitsStart || value > MAX_ID ? NaN : sign * value;
}

/** Strings interned by their bytes. */
class ByteStrings {
  private readonly keys = new ByteKeyTable();
  private readonly strings: string[] = [];

  constructor(private readonly encoding: 'latin1' | 'utf8') {}

  get(buf: Buffer, start: number, end: number): string {
    const id = this.keys.get(buf, start, end);
    if (id >= 0) return this.strings[id]!;
    const text = buf.toString(this.encoding, start, end);
    if (this.strings.length < MAX_STRINGS) {
      this.keys.add(buf, start, end, this.strings.length);
      this.strings.push(text);
    }
    return text;
  }
}

export class HeaderBytesParser {
  private readonly latin1 = new ByteStrings('latin1');
  private readonly utf8 = new ByteStrings('utf8');
  constructor(private readonly time: TimeBase) {}

  /**
   * The event of the header `buf[start, end)` (which holds no NUL byte), or undefined: ask header.ts.
   */
  parse(buf: Buffer, start: number, end: number, line: number): HeaderResult | undefined {
    if (start >= end || isJsSpaceByte(buf[start]!)) return undefined;
    // header.ts's findTimeColon: the first `:` after ` SECS.FRAC` (or SECS.FRAC at the line start).
    let colon = buf.indexOf(COLON, start);
    let dot = -1;
    let secsStart = -1;
    while (colon >= 0 && colon < end) {
      let i = colon - 1;
      while (i >= start && isDigit(buf[i]!)) i--;
      if (i !== colon - 1 && i >= start && buf[i] === DOT) {
        dot = i--;
        while (i >= start && isDigit(buf[i]!)) i--;
        if (i !== dot - 1 && (i < start || buf[i] === SPACE)) {
          secsStart = i + 1;
          break;
        }
      }
      colon = buf.indexOf(COLON, colon + 1);
    }
    if (secsStart < 0) return undefined;

    let idEnd = secsStart;
    while (idEnd > start && buf[idEnd - 1] === SPACE) idEnd--;
    let cpu = -1;
    if (idEnd > start && buf[idEnd - 1] === CLOSE_BRACKET) {
      let open = idEnd;
      while (open >= start && buf[open] !== OPEN_BRACKET) open--;
      if (open < start) return undefined;
      cpu = parseIntAt(buf, open + 1, end);
      idEnd = open;
      while (idEnd > start && buf[idEnd - 1] === SPACE) idEnd--;
    }
    let idStart = Math.max(idEnd - 1, start);
    while (idStart >= start && buf[idStart] !== SPACE) idStart--;
    idStart++;
    const slash = indexOfByte(buf, idStart, idEnd, SLASH);
    let pid: number | undefined;
    let tid: number;
    if (slash >= 0) {
      pid = parseIntAt(buf, idStart, end);
      tid = parseIntAt(buf, slash + 1, end);
    } else {
      tid = parseIntAt(buf, idStart, end);
    }
    if (Number.isNaN(tid) || Number.isNaN(pid)) return undefined;

    // A field header.ts takes from the header must be taken here too (test/perfFastPaths.test.ts
    // compares both parsers' events on every header of the fixtures and fails otherwise).
    const event = newEvent(line);
    event.cpu = cpu;
    event.pid = pid;
    event.tid = tid;
    if (!this.parseTail(buf, colon + 1, end, event)) return undefined;
    if (event.kind === EventKind.Wake) {
      // The waker's name (header.ts: the text before the ids, trailing blanks dropped, as UTF-8).
      let commEnd = idStart;
      while (commEnd > start && isJsSpaceByte(buf[commEnd - 1]!)) commEnd--;
      event.comm = this.utf8.get(buf, start, commEnd);
    }
    // Last, so that a header handed back to header.ts has not moved the time base.
    event.timeNs = this.time.toNsBytes(buf, secsStart, dot, colon);
    return event;
  }

  /** Fills the fields the text `buf[tail, end)` after the timestamp's colon gives; false: ask header.ts. */
  private parseTail(buf: Buffer, tail: number, end: number, event: PerfEvent): boolean {
    let at = tail;
    while (at < end && buf[at] === SPACE) at++;
    let digitsEnd = at;
    while (digitsEnd < end && isDigit(buf[digitsEnd]!)) digitsEnd++;
    if (digitsEnd > at && digitsEnd < end && buf[digitsEnd] === SPACE) {
      at = digitsEnd;
      while (at < end && buf[at] === SPACE) at++;
    }
    return startsWithAt(buf, at, end, PERF_RECORD) ? this.sideBand(buf, at, end, event) : this.sample(buf, at, end, event);
  }

  private sample(buf: Buffer, at: number, end: number, event: PerfEvent): boolean {
    let nameEnd = indexOfByte(buf, at, end, COLON);
    while (nameEnd >= 0 && nameEnd + 1 < end && buf[nameEnd + 1] !== SPACE) nameEnd = indexOfByte(buf, nameEnd + 1, end, COLON);
    if (nameEnd < 0 || nameEnd === at) return false;
    let shortStart = nameEnd;
    while (shortStart > at && buf[shortStart - 1] !== COLON) shortStart--;
    let fields = nameEnd + 1;
    while (fields < end && isJsSpaceByte(buf[fields]!)) fields++;
    // The usual names are constants: `sched:` and a short name compared already.
    const schedPrefix = shortStart - at === SCHED.length && startsWithAt(buf, at, shortStart, SCHED);
    if (sameBytes(buf, shortStart, nameEnd, SCHED_SWITCH)) {
      if (!this.switchFields(buf, fields, end, event)) return false;
      event.kind = EventKind.Switch;
      event.name = schedPrefix ? SCHED_SWITCH_NAME : this.latin1.get(buf, at, nameEnd);
    } else if (sameBytes(buf, shortStart, nameEnd, SCHED_WAKING) || sameBytes(buf, shortStart, nameEnd, SCHED_WAKEUP)) {
      const target = wakeTarget(buf, fields, end);
      if (Number.isNaN(target)) return false;
      event.kind = EventKind.Wake;
      event.otherTid = target;
      event.name = !schedPrefix ? this.latin1.get(buf, at, nameEnd) : buf[nameEnd - 1] === LOWER_G ? SCHED_WAKING_NAME : SCHED_WAKEUP_NAME;
    } else {
      event.name = this.latin1.get(buf, at, nameEnd);
    }
    return true;
  }

  /**
   * schedFields.ts's modern `key=value` layout; false for anything else. The five searches for its
   * keys run on a latin1 string of the fields, where V8's string search beats a byte loop in JS
   * (1.1 µs against 1.5 µs a header here).
   */
  private switchFields(buf: Buffer, fields: number, end: number, event: PerfEvent): boolean {
    if (!startsWithAt(buf, fields, end, PREV_COMM)) return false;
    const parsed = parseSwitchFields(buf.toString('latin1', fields, end));
    if (parsed === undefined) return false;
    event.prevComm = parsed.prevComm;
    event.prevPid = parsed.prevPid;
    event.prevState = parsed.prevState;
    event.nextComm = parsed.nextComm;
    event.nextPid = parsed.nextPid;
    return true;
  }

  /** `PERF_RECORD_SWITCH` and `PERF_RECORD_SWITCH_CPU_WIDE`; false for other side-band records. */
  private sideBand(buf: Buffer, at: number, end: number, event: PerfEvent): boolean {
    const nameEnd = indexOfByte(buf, at, end, SPACE);
    if (nameEnd < 0) return false;
    // header.ts trims the rest on both sides; trailing blanks cannot change what is searched here
    // (none of `IN`, `OUT`, `pid/tid:`, `/` or a digit is a blank), so only the leading ones are skipped.
    let rest = nameEnd + 1;
    while (rest < end && isJsSpaceByte(buf[rest]!)) rest++;
    const inward = startsWithAt(buf, rest, end, IN);
    if (!inward && !startsWithAt(buf, rest, end, OUT)) return false;
    if (sameBytes(buf, at, nameEnd, SWITCH)) {
      event.kind = inward ? EventKind.SwitchIn : EventKind.SwitchOut;
      event.name = SWITCH_NAME;
    } else if (sameBytes(buf, at, nameEnd, SWITCH_CPU_WIDE)) {
      const label = indexOfIn(buf, rest, end, PID_TID);
      const slash = label < 0 ? -1 : indexOfByte(buf, label + PID_TID.length, end, SLASH);
      const otherTid = slash < 0 ? NaN : parseIntAt(buf, slash + 1, end);
      if (Number.isNaN(otherTid)) return false;
      event.kind = inward ? EventKind.CpuWideIn : EventKind.CpuWideOut;
      event.otherTid = otherTid;
      event.name = SWITCH_CPU_WIDE_NAME;
    } else {
      return false;
    }
    return true;
  }
}

/** schedFields.ts's parseWakeTarget for the `pid=` field; NaN also when only perf 4's layout would give one. */
function wakeTarget(buf: Buffer, fields: number, end: number): number {
  for (let at = indexOfIn(buf, fields, end, PID); at >= 0; at = indexOfIn(buf, at + PID.length, end, PID)) {
    if (at === fields || buf[at - 1] === SPACE) return parseIntAt(buf, at + PID.length, end);
  }
  return NaN;
}
