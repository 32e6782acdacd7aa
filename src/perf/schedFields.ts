/**
 * Field parsers for the scheduler tracepoints offgil reads, in both layouts perf has printed:
 * the modern `key=value` form and perf 4's `comm:pid [prio] state` form.
 */

export interface SwitchFields {
  prevComm: string;
  prevPid: number;
  prevState: string;
  nextComm: string;
  nextPid: number;
}

const ARROW = ' ==> ';

/** Text of a latin1-decoded slice re-read as UTF-8 (thread names may hold any bytes). */
export function utf8FromLatin1(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.from(text, 'latin1').toString('utf8');
  }
  return text;
}

/** The largest thread, process or CPU id (pid_t is a signed 32-bit integer). */
export const MAX_ID = 0x7fffffff;

/** Integer at `text[start…]` up to the first non-digit (a leading `-` allowed); NaN when there is none. */
export function parseIntAt(text: string, start: number): number {
  let i = start;
  let sign = 1;
  if (text.charCodeAt(i) === 0x2d) {
    sign = -1;
    i++;
  }
  let value = 0;
  const digitsStart = i;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
  }
  // Linux ids are 32-bit: a longer number is not an id (and past 2^53 it would not even be exact).
  return i === digitsStart || value > MAX_ID ? NaN : sign * value;
}

function valueAfter(fields: string, key: string, from: number): number {
  const at = fields.indexOf(key, from);
  return at < 0 ? -1 : at + key.length;
}

/** Parses `sched_switch` fields; undefined when neither layout matches. */
export function parseSwitchFields(fields: string): SwitchFields | undefined {
  const arrow = fields.indexOf(ARROW);
  if (arrow < 0) return undefined;
  return fields.startsWith('prev_comm=') ? parseModernSwitch(fields, arrow) : parseLegacySwitch(fields, arrow);
}

function parseModernSwitch(fields: string, arrow: number): SwitchFields | undefined {
  // prev_comm may contain spaces, so it ends where ` prev_pid=` starts.
  const prevPidKey = fields.lastIndexOf(' prev_pid=', arrow);
  const stateAt = valueAfter(fields, 'prev_state=', prevPidKey);
  const nextCommAt = valueAfter(fields, 'next_comm=', arrow);
  const nextPidKey = fields.lastIndexOf(' next_pid=');
  if (prevPidKey < 0 || stateAt < 0 || stateAt > arrow || nextCommAt < 0 || nextPidKey < nextCommAt) {
    return undefined;
  }
  const prevPid = parseIntAt(fields, prevPidKey + ' prev_pid='.length);
  const nextPid = parseIntAt(fields, nextPidKey + ' next_pid='.length);
  if (Number.isNaN(prevPid) || Number.isNaN(nextPid)) return undefined;
  return {
    prevComm: utf8FromLatin1(fields.slice('prev_comm='.length, prevPidKey)),
    prevPid,
    prevState: fields.slice(stateAt, arrow).trim(),
    nextComm: utf8FromLatin1(fields.slice(nextCommAt, nextPidKey)),
    nextPid,
  };
}

interface LegacyTask {
  comm: string;
  pid: number;
  /** Index just past the `[prio]` group. */
  end: number;
}

/** perf 4's `comm:pid [prio]`, found from the last ` [` so that comm may contain spaces and colons. */
function parseLegacyTask(text: string): LegacyTask | undefined {
  const bracket = text.lastIndexOf(' [');
  const close = text.indexOf(']', bracket);
  const colon = text.lastIndexOf(':', bracket);
  if (bracket < 0 || close < 0 || colon < 0) return undefined;
  const pid = parseIntAt(text, colon + 1);
  if (Number.isNaN(pid)) return undefined;
  return { comm: utf8FromLatin1(text.slice(0, colon)), pid, end: close + 1 };
}

function parseLegacySwitch(fields: string, arrow: number): SwitchFields | undefined {
  const prev = parseLegacyTask(fields.slice(0, arrow));
  const nextText = fields.slice(arrow + ARROW.length).trimEnd();
  const next = parseLegacyTask(nextText);
  if (prev === undefined || next === undefined) return undefined;
  return {
    prevComm: prev.comm,
    prevPid: prev.pid,
    prevState: fields.slice(prev.end, arrow).trim(),
    nextComm: next.comm,
    nextPid: next.pid,
  };
}

/**
 * Target of `sched_waking` / `sched_wakeup`: the first field named exactly `pid` (not `prev_pid`,
 * `child_pid`, …), or the pid of perf 4's leading `comm:pid [prio]`. NaN when there is none.
 */
export function parseWakeTarget(fields: string): number {
  for (let at = fields.indexOf('pid='); at >= 0; at = fields.indexOf('pid=', at + 4)) {
    if (at === 0 || fields.charCodeAt(at - 1) === 0x20) return parseIntAt(fields, at + 4);
  }
  const bracket = fields.indexOf(' [');
  if (bracket < 0) return NaN;
  const colon = fields.lastIndexOf(':', bracket);
  return colon < 0 ? NaN : parseIntAt(fields, colon + 1);
}
