/**
 * Ground truth for GIL holders from uprobes recorded together with the scheduler events
 * (fixtures/record-holders.sh, fixtures/HOLDERS.md):
 *
 * - `GROUP:take_gil` on the entry of take_gil (and of its GCC clones),
 * - `GROUP:take_gil_retN` on each `ret` instruction of each take_gil copy,
 * - `GROUP:drop_gil` on the entry of drop_gil (clones and inlined copies too), with a call graph.
 *
 * A thread holds the GIL from a take_gil ret to its next drop_gil entry, and waits for it from a
 * take_gil entry to the ret. The probe events are removed from the text, so that an analyzer sees only
 * what a normal recording has. Return probes (`take_gil__return`, older fixtures) count as rets.
 *
 * Times are integer nanoseconds computed with BigInt, counted from the whole seconds of the first
 * timestamp of `schedulerText`: the time base offgil's parser uses on that text (src/perf/header.ts).
 */

/** `[startNs, endNs)`: thread `tid` held the GIL. */
export interface Holding {
  tid: number;
  /** From the header's `PID/TID`, else from `options.pidOfTid`, else undefined. */
  pid: number | undefined;
  comm: string;
  startNs: number;
  endNs: number;
  /** False when the first GIL event of the thread is a drop_gil: it held the GIL from before the input; startNs is then the first timestamp. */
  startSeen: boolean;
  /** False when the holding is still open at the end of the input; endNs is then the last timestamp. */
  endSeen: boolean;
  /** The frame lines of the drop_gil entry that ends the holding, verbatim, leaf first ([] when `!endSeen`). */
  releaseStack: string[];
  /** 1-based line number of that drop_gil header in the input (0 when `!endSeen`). */
  releaseLine: number;
}

/** `[entryNs, retNs)`: thread `tid` was inside take_gil. */
export interface TakeGilCall {
  tid: number;
  pid: number | undefined;
  entryNs: number;
  retNs: number;
  /** The number of `sched_switch` events with `prev_pid` = tid during the call. */
  switches: number;
  /** switches > 0: the thread slept (or was preempted) inside take_gil, so a scheduler trace can see the wait. */
  switchedOut: boolean;
}

export interface ThreadTruth {
  tid: number;
  pid: number | undefined;
  comm: string;
  holdings: Holding[];
  calls: TakeGilCall[];
  /** Sum of the holdings' lengths. */
  holdingNs: number;
  /** Sum of the calls' lengths. */
  waitNs: number;
}

export interface ProbeCounts {
  /** take_gil entry hits. */
  entries: number;
  /** take_gil ret (or return probe) hits. */
  rets: number;
  /** drop_gil entry hits. */
  drops: number;
  /** Lines removed from the input (probe headers, their frames and blank lines). */
  removedLines: number;
}

export interface HolderTruth {
  /** The input with every probe event removed (header, frames, trailing blank line), otherwise byte for byte. */
  schedulerText: string;
  /** Whole seconds subtracted from every timestamp: those of the first timestamp in `schedulerText`. */
  baseSeconds: bigint;
  /** First and last timestamp of the input (probe events included). */
  firstNs: number;
  lastNs: number;
  /** Per thread id, in order of first appearance. */
  threads: Map<number, ThreadTruth>;
  /** Every holding, sorted by start. */
  holdings: Holding[];
  /** Every completed take_gil call, sorted by entry. */
  calls: TakeGilCall[];
  counts: ProbeCounts;
  /** Probe sequences that do not fit the model (a ret with no entry, two drops in a row, …), with line numbers. */
  anomalies: string[];
  /**
   * The holding of process `pid` that contains `timeNs` (start ≤ t < end), or undefined when nobody in
   * that process held the GIL (it was being handed off, or the time is outside every holding). `pid`
   * undefined selects the threads whose pid is unknown. When holdings overlap, the latest start wins.
   */
  holderAt(pid: number | undefined, timeNs: number): Holding | undefined;
}

export interface HolderTruthOptions {
  /** Thread id → process id, for inputs printed without `PID/TID` (see {@link pidsOfTids}). */
  pidOfTid?: ReadonlyMap<number, number>;
}

export type ProbeKind = 'entry' | 'ret' | 'drop';

/**
 * `COMM [PID/]TID [CPU] SECS.FRAC: REST`. COMM may contain blanks; a probe event without call graph has
 * its COMM right-aligned (leading blanks).
 */
const HEADER = /^\s*(.*?)\s+(?:(-?\d+)\/)?(-?\d+)\s+(?:\[\d+\]\s+)?(\d+)\.(\d+):\s+(\S+)/;
const PREV_PID = /\bprev_pid=(-?\d+)/;

/** The kind of probe an event name (`GROUP:NAME:` or `GROUP:NAME`) is, or undefined for other events. */
export function probeKind(event: string): ProbeKind | undefined {
  const colon = event.indexOf(':');
  if (colon < 0) return undefined;
  const name = event.slice(colon + 1).replace(/:$/, '');
  if (/^drop_gil\w*$/.test(name)) return 'drop';
  if (/^take_gil\w*?(?:_ret\d*|__return)$/.test(name)) return 'ret';
  if (/^take_gil\w*$/.test(name)) return 'entry';
  return undefined;
}

/** `SECS.FRAC` → integer ns since `baseSeconds` (FRAC right-padded to 9 digits), exactly. */
export function timestampNs(seconds: string, fraction: string, baseSeconds: bigint): number {
  const ns = (BigInt(seconds) - baseSeconds) * 1_000_000_000n + BigInt(fraction.slice(0, 9).padEnd(9, '0'));
  return Number(ns);
}

/**
 * A frame line's name as the contract (semantics.md §1) defines it: the text after the address without
 * its trailing ` (DSO)` group and then without a trailing `+0x<hex>`.
 */
export function frameName(line: string): string {
  let rest = line.trimStart();
  const space = rest.indexOf(' ');
  rest = space < 0 ? '' : rest.slice(space + 1);
  if (rest.endsWith(')')) {
    let depth = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      const c = rest[i];
      if (c === ')') depth++;
      else if (c === '(' && --depth === 0) {
        if (i > 0 && rest[i - 1] === ' ') rest = rest.slice(0, i - 1);
        break;
      }
    }
  }
  return rest.replace(/\+0x[0-9a-f]+$/, '');
}

/** Thread id → process id from every `PID/TID` header of a text printed with `-F +pid,…`. */
export function pidsOfTids(text: string): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('\t')) continue;
    const match = HEADER.exec(line);
    if (match?.[2] !== undefined) pids.set(Number(match[3]), Number(match[2]));
  }
  return pids;
}

interface Line {
  text: string;
  /** Offset of the line's first character, and of the character after its `\n` (or the end). */
  start: number;
  next: number;
}

function* lines(text: string): Generator<Line> {
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    yield { text: text.slice(start, end), start, next: newline < 0 ? text.length : newline + 1 };
    start = end + 1;
  }
}

interface ThreadState {
  truth: ThreadTruth;
  /** The open take_gil call. */
  call: { entryNs: number; switches: number; line: number } | undefined;
  /** The open holding. */
  holding: { startNs: number; startSeen: boolean } | undefined;
  /** Whether any probe of this thread was seen yet. */
  seen: boolean;
}

function firstSchedulerSeconds(text: string): bigint | undefined {
  let first: bigint | undefined;
  for (const line of lines(text)) {
    if (line.text === '' || line.text.startsWith('\t')) continue;
    const match = HEADER.exec(line.text);
    if (match === null) continue;
    first ??= BigInt(match[4]!);
    if (probeKind(match[6]!) === undefined) return BigInt(match[4]!);
  }
  return first;
}

/** Holdings sorted by start, with the running maximum of their ends, for {@link HolderTruth.holderAt}. */
class HoldingIndex {
  private readonly byProcess = new Map<string, { holdings: Holding[]; maxEnd: number[] }>();

  constructor(holdings: readonly Holding[]) {
    for (const holding of holdings) {
      const key = String(holding.pid);
      let entry = this.byProcess.get(key);
      if (entry === undefined) this.byProcess.set(key, (entry = { holdings: [], maxEnd: [] }));
      entry.holdings.push(holding);
    }
    for (const entry of this.byProcess.values()) {
      entry.holdings.sort((a, b) => a.startNs - b.startNs);
      let max = -Infinity;
      entry.maxEnd = entry.holdings.map((holding) => (max = Math.max(max, holding.endNs)));
    }
  }

  at(pid: number | undefined, timeNs: number): Holding | undefined {
    const entry = this.byProcess.get(String(pid));
    if (entry === undefined) return undefined;
    const { holdings, maxEnd } = entry;
    let lo = 0;
    let hi = holdings.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (holdings[mid]!.startNs <= timeNs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && maxEnd[i]! > timeNs; i--) {
      if (holdings[i]!.endNs > timeNs) return holdings[i];
    }
    return undefined;
  }
}

/** Reads the truth from the `perf script` text of a recording made by fixtures/record-holders.sh. */
export function holderTruth(text: string, options: HolderTruthOptions = {}): HolderTruth {
  const baseSeconds = firstSchedulerSeconds(text) ?? 0n;
  const threads = new Map<number, ThreadState>();
  const anomalies: string[] = [];
  const counts: ProbeCounts = { entries: 0, rets: 0, drops: 0, removedLines: 0 };
  const kept: string[] = [];
  let keptFrom = 0;
  let firstNs: number | undefined;
  let lastNs = 0;

  // The drop_gil event being read: its frames follow its header.
  let release: { state: ThreadState; timeNs: number; line: number; stack: string[] } | undefined;
  let removing = false;
  let lineNumber = 0;

  const stateOf = (tid: number, pid: number | undefined, comm: string): ThreadState => {
    let state = threads.get(tid);
    if (state === undefined) {
      state = {
        truth: { tid, pid, comm, holdings: [], calls: [], holdingNs: 0, waitNs: 0 },
        call: undefined,
        holding: undefined,
        seen: false,
      };
      threads.set(tid, state);
    }
    state.truth.pid ??= pid;
    return state;
  };

  const finishRelease = (): void => {
    if (release === undefined) return;
    const { state, timeNs, line, stack } = release;
    release = undefined;
    const open = state.holding;
    state.holding = undefined;
    if (open === undefined) {
      anomalies.push(`line ${line}: drop_gil of ${state.truth.tid} while not holding the GIL`);
      return;
    }
    addHolding(state, open.startNs, timeNs, open.startSeen, true, stack, line);
  };

  const addHolding = (state: ThreadState, startNs: number, endNs: number, startSeen: boolean, endSeen: boolean, stack: string[], line: number): void => {
    const { truth } = state;
    truth.holdings.push({
      tid: truth.tid,
      pid: truth.pid,
      comm: truth.comm,
      startNs,
      endNs,
      startSeen,
      endSeen,
      releaseStack: stack,
      releaseLine: line,
    });
    truth.holdingNs += endNs - startNs;
  };

  for (const line of lines(text)) {
    lineNumber++;
    const isFrame = line.text.startsWith('\t');
    if (removing) {
      if (isFrame) {
        release?.stack.push(line.text);
        counts.removedLines++;
        continue;
      }
      removing = false;
      finishRelease();
      if (line.text === '') {
        counts.removedLines++;
        keptFrom = line.next;
        continue;
      }
      keptFrom = line.start;
    }
    if (isFrame || line.text === '') continue;
    const match = HEADER.exec(line.text);
    if (match === null) continue;
    const [, commText, pidText, tidText, seconds, fraction, event] = match;
    const timeNs = timestampNs(seconds!, fraction!, baseSeconds);
    firstNs ??= timeNs;
    lastNs = timeNs;
    const tid = Number(tidText);
    const kind = probeKind(event!);
    if (kind === undefined) {
      if (event === 'sched:sched_switch:') {
        const prev = PREV_PID.exec(line.text);
        const call = prev === null ? undefined : threads.get(Number(prev[1]))?.call;
        if (call !== undefined) call.switches++;
      }
      continue;
    }

    // A probe event: cut it out of the text.
    kept.push(text.slice(keptFrom, line.start));
    removing = true;
    counts.removedLines++;
    const pid = pidText !== undefined ? Number(pidText) : options.pidOfTid?.get(tid);
    const state = stateOf(tid, pid, commText!);
    const firstProbe = !state.seen;
    state.seen = true;
    if (kind === 'entry') {
      counts.entries++;
      if (state.call !== undefined) anomalies.push(`line ${lineNumber}: take_gil entry of ${tid} inside an open call (entered at line ${state.call.line})`);
      if (state.holding !== undefined) {
        anomalies.push(`line ${lineNumber}: take_gil entry of ${tid} while holding the GIL (held since ${state.holding.startNs} ns)`);
        state.holding = undefined;
      }
      state.call = { entryNs: timeNs, switches: 0, line: lineNumber };
    } else if (kind === 'ret') {
      counts.rets++;
      const call = state.call;
      state.call = undefined;
      if (call === undefined) anomalies.push(`line ${lineNumber}: take_gil ret of ${tid} without an entry`);
      else {
        const retNs = timeNs;
        state.truth.calls.push({ tid, pid: state.truth.pid, entryNs: call.entryNs, retNs, switches: call.switches, switchedOut: call.switches > 0 });
        state.truth.waitNs += retNs - call.entryNs;
      }
      if (state.holding !== undefined) anomalies.push(`line ${lineNumber}: take_gil ret of ${tid} while already holding the GIL`);
      state.holding = { startNs: timeNs, startSeen: true };
    } else {
      counts.drops++;
      if (state.call !== undefined) {
        // take_gil took the GIL and dropped it again without returning (the thread must exit).
        anomalies.push(`line ${lineNumber}: drop_gil of ${tid} inside take_gil (entered at line ${state.call.line})`);
        state.call = undefined;
        state.holding ??= { startNs: timeNs, startSeen: true };
      }
      if (firstProbe && state.holding === undefined) state.holding = { startNs: firstNs, startSeen: false };
      release = { state, timeNs, line: lineNumber, stack: [] };
    }
  }
  if (removing) {
    finishRelease();
    keptFrom = text.length;
  }
  kept.push(text.slice(keptFrom));

  for (const state of threads.values()) {
    if (state.call !== undefined) anomalies.push(`end: take_gil call of ${state.truth.tid} entered at line ${state.call.line} never returned`);
    if (state.holding !== undefined) addHolding(state, state.holding.startNs, lastNs, state.holding.startSeen, false, [], 0);
  }
  const truths = [...threads.values()].map((state) => state.truth);
  const holdings = truths.flatMap((truth) => truth.holdings).sort((a, b) => a.startNs - b.startNs || a.tid - b.tid);
  const calls = truths.flatMap((truth) => truth.calls).sort((a, b) => a.entryNs - b.entryNs || a.tid - b.tid);
  const index = new HoldingIndex(holdings);
  return {
    schedulerText: kept.join(''),
    baseSeconds,
    firstNs: firstNs ?? 0,
    lastNs,
    threads: new Map(truths.map((truth) => [truth.tid, truth])),
    holdings,
    calls,
    counts,
    anomalies,
    holderAt: (pid, timeNs) => index.at(pid, timeNs),
  };
}

/** How a thread's take_gil time splits into "another thread held the GIL" and "nobody held it" (hand-off). */
export interface WaitCoverage {
  tid: number;
  pid: number | undefined;
  /** Time inside take_gil (all calls / the calls that switched out). */
  waitNs: number;
  sleptWaitNs: number;
  /** Of that, time during which another thread of the process held the GIL. */
  heldNs: number;
  sleptHeldNs: number;
}

/** Union of intervals, sorted and merged. */
function merge(intervals: [number, number][]): [number, number][] {
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of intervals) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function coveredNs(merged: readonly [number, number][], start: number, end: number): number {
  let lo = 0;
  let hi = merged.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (merged[mid]![1] <= start) lo = mid + 1;
    else hi = mid;
  }
  let covered = 0;
  for (let i = lo; i < merged.length && merged[i]![0] < end; i++) covered += Math.min(end, merged[i]![1]) - Math.max(start, merged[i]![0]);
  return covered;
}

/** Per thread with take_gil calls: how much of its wait some other thread of its process held the GIL. */
export function waitCoverage(truth: HolderTruth): WaitCoverage[] {
  const result: WaitCoverage[] = [];
  for (const thread of truth.threads.values()) {
    if (thread.calls.length === 0) continue;
    const others = merge(
      truth.holdings.filter((holding) => holding.pid === thread.pid && holding.tid !== thread.tid).map((holding) => [holding.startNs, holding.endNs]),
    );
    const coverage: WaitCoverage = { tid: thread.tid, pid: thread.pid, waitNs: 0, sleptWaitNs: 0, heldNs: 0, sleptHeldNs: 0 };
    for (const call of thread.calls) {
      const held = coveredNs(others, call.entryNs, call.retNs);
      coverage.waitNs += call.retNs - call.entryNs;
      coverage.heldNs += held;
      if (call.switchedOut) {
        coverage.sleptWaitNs += call.retNs - call.entryNs;
        coverage.sleptHeldNs += held;
      }
    }
    result.push(coverage);
  }
  return result;
}

/** The largest overlap between two holdings of the same process, in ns (0 when none overlap). */
export function maxHoldingOverlapNs(truth: HolderTruth): number {
  const ends = new Map<string, number>();
  let max = 0;
  for (const holding of truth.holdings) {
    const key = String(holding.pid);
    const end = ends.get(key);
    if (end !== undefined) max = Math.max(max, Math.min(end, holding.endNs) - holding.startNs);
    ends.set(key, Math.max(end ?? -Infinity, holding.endNs));
  }
  return max;
}
