/**
 * The GIL-holder ground truth (test/helpers/holderTruth.ts) on hand-written input and on the real
 * holders-*.txt.gz recordings (fixtures/HOLDERS.md): probe events are cut out byte for byte, the
 * holdings of a process never overlap, and the figures HOLDERS.md reports.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze } from '../src/analyze.js';
import { EventKind, type PerfEvent } from '../src/perf/events.js';
import { PerfScriptParser } from '../src/perf/scriptParser.js';
import {
  frameName,
  holderTruth,
  maxHoldingOverlapNs,
  pidsOfTids,
  probeKind,
  timestampNs,
  waitCoverage,
  type HolderTruth,
} from './helpers/holderTruth.js';
import { FIXTURES } from './helpers/paths.js';

const HOLDER_FILES = readdirSync(FIXTURES).filter((name) => /^holders-.*\.txt\.gz$/.test(name));

const texts = new Map<string, string>();
function fixtureText(name: string): string {
  let text = texts.get(name);
  if (text === undefined) texts.set(name, (text = gunzipSync(readFileSync(join(FIXTURES, name))).toString('utf8')));
  return text;
}

/** An independent, line-based version of the probe removal: probe header, its frame lines, one blank line. */
function withoutProbes(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n');
  let inProbe = false;
  for (const [i, line] of lines.entries()) {
    if (inProbe) {
      if (line.startsWith('\t')) continue;
      inProbe = false;
      // (the '' after the text's final newline is no line)
      if (line === '' && i < lines.length - 1) continue;
    }
    if (/^\s*\S.*\d+\.\d+:\s+gil_truth:\w+:/.test(line)) {
      inProbe = true;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

function parseEvents(text: string): PerfEvent[] {
  const events: PerfEvent[] = [];
  const parser = new PerfScriptParser({ keepStack: () => false, onEvent: (event) => events.push({ ...event }) });
  parser.push(Buffer.from(text, 'latin1'));
  parser.end();
  return events;
}

/** sched_switch events whose prev thread held the GIL at that moment (it went off-CPU holding it), by prev_state. */
function switchesWhileHolding(truth: HolderTruth): Map<string, PerfEvent[]> {
  const byState = new Map<string, PerfEvent[]>();
  for (const event of parseEvents(truth.schedulerText)) {
    if (event.kind !== EventKind.Switch) continue;
    const holder = truth.holderAt(truth.threads.get(event.prevPid)?.pid, event.timeNs);
    if (holder?.tid !== event.prevPid) continue;
    const list = byState.get(event.prevState) ?? [];
    list.push(event);
    byState.set(event.prevState, list);
  }
  return byState;
}

interface ThreadFigures {
  tid: number;
  holdings: number;
  holdingNs: number;
  calls: number;
  switchedOut: number;
  waitNs: number;
}

function figures(truth: HolderTruth): ThreadFigures[] {
  return [...truth.threads.values()].map((thread) => ({
    tid: thread.tid,
    holdings: thread.holdings.length,
    holdingNs: thread.holdingNs,
    calls: thread.calls.length,
    switchedOut: thread.calls.filter((call) => call.switchedOut).length,
    waitNs: thread.waitNs,
  }));
}

const LIB = '/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0';
const probe = (tid: number, time: string, event: string, rest: string): string =>
  `${'python3.11'.padStart(16)} ${String(tid).padStart(5)} [000] ${time.padStart(12)}: ${event.padStart(26)}: ${rest}`;
const entry = (tid: number, time: string): string => probe(tid, time, 'gil_truth:take_gil', `(7f00000007b0)     7f00000007b0 take_gil+0x0 (${LIB})`);
const ret = (tid: number, time: string): string => probe(tid, time, 'gil_truth:take_gil_ret0', `(7f00000009f4)     7f00000009f4 take_gil+0x244 (${LIB})`);
const drop = (tid: number, time: string, frames: string[]): string =>
  [`python3.11 ${String(tid).padStart(5)} [001] ${time.padStart(12)}:      gil_truth:drop_gil: (7f00000003e0)`, ...frames, ''].join('\n');
const SWITCH_OUT = (tid: number, time: string, next: number): string =>
  `python3.11 ${String(tid).padStart(5)} [000] ${time.padStart(12)}: sched:sched_switch: prev_comm=python3.11 prev_pid=${tid} prev_prio=120 prev_state=S ==> next_comm=python3.11 next_pid=${next} next_prio=120\n\tffffffff82265908 __schedule+0x628 ([kernel.kallsyms])\n\t          24f918 take_gil+0x168 (${LIB})\n`;
const DROP_FRAMES = [`\t          24f3e0 drop_gil+0x0 (${LIB})`, `\t           fcdd4 _PyEval_EvalFrameDefault+0x2264 (${LIB})`];

describe('holderTruth on hand-written input', () => {
  // 11 holds the GIL from before the input; 12 waits (and sleeps) in take_gil until 11 drops it.
  const scheduler = [
    `python3.11    12 [001]    99.999990: PERF_RECORD_SWITCH IN         `,
    SWITCH_OUT(12, '100.000100', 0),
    `python3.11    11 [000]   100.000200: PERF_RECORD_SWITCH OUT preempt`,
  ];
  const input = [
    scheduler[0],
    entry(12, '100.000050'),
    scheduler[1],
    drop(11, '100.000150', DROP_FRAMES),
    scheduler[2],
    ret(12, '100.000300'),
    // a drop_gil whose dwarf call chain came out empty: header and blank line
    drop(12, '100.000400', []),
    entry(12, '100.000500'),
    ret(12, '100.000512345'),
    ret(13, '101.000000001'),
  ].join('\n');
  const truth = holderTruth(input);

  test('the probe events are cut out, everything else stays byte for byte', () => {
    assert.equal(truth.schedulerText, `${scheduler.join('\n')}\n`);
    assert.deepEqual(truth.counts, { entries: 2, rets: 3, drops: 2, removedLines: 11 });
  });

  test('times are exact ns from the whole seconds of the first scheduler timestamp', () => {
    assert.equal(truth.baseSeconds, 99n);
    assert.equal(truth.firstNs, 999_990_000);
    assert.equal(truth.lastNs, 2_000_000_001);
    assert.equal(timestampNs('1700', '023998', 1699n), 1_023_998_000);
    assert.equal(timestampNs('1700', '123456789', 1000n), 700_123_456_789);
    assert.equal(timestampNs('86400000', '000000001', 86_399_999n), 1_000_000_001, 'no floating point error after months of uptime');
  });

  test('holdings run from a take_gil ret to the next drop_gil entry', () => {
    const held = truth.holdings.map((h) => [h.tid, h.startNs, h.endNs, h.startSeen, h.endSeen, h.releaseLine]);
    assert.deepEqual(held, [
      [11, 999_990_000, 1_000_150_000, false, true, 7],
      [12, 1_000_300_000, 1_000_400_000, true, true, 13],
      [12, 1_000_512_345, 2_000_000_001, true, false, 0],
      [13, 2_000_000_001, 2_000_000_001, true, false, 0],
    ]);
    assert.deepEqual(truth.holdings[0]!.releaseStack, DROP_FRAMES);
    assert.deepEqual(truth.holdings[0]!.releaseStack.map(frameName), ['drop_gil', '_PyEval_EvalFrameDefault']);
    assert.deepEqual(truth.holdings[1]!.releaseStack, []);
  });

  test('take_gil calls, and whether the thread switched out inside', () => {
    const calls = truth.calls.map((c) => [c.tid, c.entryNs, c.retNs, c.switches, c.switchedOut]);
    assert.deepEqual(calls, [
      [12, 1_000_050_000, 1_000_300_000, 1, true],
      [12, 1_000_500_000, 1_000_512_345, 0, false],
    ]);
    assert.deepEqual(truth.anomalies, ['line 17: take_gil ret of 13 without an entry']);
  });

  test('holderAt', () => {
    assert.equal(truth.holderAt(undefined, 1_000_100_000)?.tid, 11);
    assert.equal(truth.holderAt(undefined, 1_000_150_000), undefined, 'the end is exclusive: being handed off');
    assert.equal(truth.holderAt(undefined, 1_000_300_000)?.tid, 12);
    assert.equal(truth.holderAt(undefined, 1_000_450_000), undefined);
    assert.equal(truth.holderAt(123, 1_000_100_000), undefined, 'no thread of that process');
    const [coverage] = waitCoverage(truth);
    assert.deepEqual(coverage, { tid: 12, pid: undefined, waitNs: 262_345, sleptWaitNs: 250_000, heldNs: 100_000, sleptHeldNs: 100_000 });
  });

  test('probe names', () => {
    assert.equal(probeKind('gil_truth:take_gil:'), 'entry');
    assert.equal(probeKind('probe_libpython3:take_gil_constprop_0:'), 'entry');
    assert.equal(probeKind('gil_truth:take_gil_ret1:'), 'ret');
    assert.equal(probeKind('probe_libpython3:take_gil__return:'), 'ret');
    assert.equal(probeKind('probe_libpython3:take_gil_constprop_0__return:'), 'ret');
    assert.equal(probeKind('gil_truth:drop_gil:'), 'drop');
    assert.equal(probeKind('sched:sched_switch:'), undefined);
    assert.equal(probeKind('PERF_RECORD_SWITCH'), undefined);
  });

  test('PID/TID headers give the process', () => {
    const text = input.replace(/^(\s*python3\.11) +(\d+) /gm, (_, comm: string, tid: string) => `${comm} 7/${tid} `);
    const withPids = holderTruth(text);
    assert.ok(withPids.holdings.every((h) => h.pid === 7));
    assert.equal(withPids.holderAt(7, 1_000_100_000)?.tid, 11);
    assert.equal(withPids.holderAt(undefined, 1_000_100_000), undefined);
    assert.deepEqual([...pidsOfTids(text)], [[12, 7], [11, 7], [13, 7]]);
  });
});

describe('every holders-* recording', () => {
  test('the set of recordings', () => {
    const workloads = new Set(HOLDER_FILES.map((name) => name.replace(/^holders-(.*?)-3\.\d+.*$/, '$1')));
    assert.deepEqual([...workloads].sort(), ['blocking', 'gil', 'hashlib', 'idle', 'idle-io', 'locks', 'numpy', 'twoproc', 'twoproc-fork']);
    for (const version of ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']) {
      assert.ok(HOLDER_FILES.some((name) => name.startsWith(`holders-gil-${version}`)), `gil ${version}`);
      assert.ok(HOLDER_FILES.some((name) => name.startsWith(`holders-locks-${version}`)), `locks ${version}`);
    }
  });

  for (const name of HOLDER_FILES) {
    test(name, () => {
      const text = fixtureText(name);
      // The two-process recordings print no PIDs; their -pid variant (same data) has them.
      const pidVariant = name.replace(/\.txt\.gz$/, '-pid.txt.gz');
      const pidOfTid = HOLDER_FILES.includes(pidVariant) ? pidsOfTids(fixtureText(pidVariant)) : undefined;
      const truth = holderTruth(text, { pidOfTid });
      const scheduler = truth.schedulerText;

      // Removal: byte for byte what an independent line filter gives, nothing of the probes left.
      assert.equal(scheduler, withoutProbes(text));
      assert.equal(count(scheduler, /gil_truth:/g), 0);
      assert.equal(count(scheduler, /sched:sched_switch:/g), count(text, /sched:sched_switch:/g));
      assert.equal(count(scheduler, /\n/g) + truth.counts.removedLines, count(text, /\n/g));
      assert.equal(truth.counts.entries + truth.counts.rets + truth.counts.drops, count(text, /^\s*\S.*\d+\.\d+:\s+gil_truth:\w+:/gm));

      // The truth is consistent: every entry returns, at most one holding per process is open at the end.
      assert.deepEqual(truth.anomalies, []);
      assert.equal(truth.counts.entries, truth.counts.rets);
      const open = truth.holdings.filter((holding) => !holding.endSeen);
      assert.ok(open.length <= (name.includes('twoproc') ? 2 : 1), `${open.length} holdings open at the end`);
      assert.equal(truth.holdings.filter((holding) => !holding.startSeen).length, 0, 'every holding starts at a ret');
      assert.ok(maxHoldingOverlapNs(truth) <= 5_000, `holdings overlap by ${maxHoldingOverlapNs(truth)} ns`);

      // holderAt agrees with the holdings, and never names a waiter inside its own take_gil call.
      for (const holding of truth.holdings) {
        if (holding.endNs === holding.startNs) continue;
        assert.equal(truth.holderAt(holding.pid, holding.startNs), holding);
        assert.equal(truth.holderAt(holding.pid, holding.endNs - 1), holding);
      }
      for (const call of truth.calls) {
        for (const t of [call.entryNs, (call.entryNs + call.retNs) / 2, call.retNs - 1]) {
          if (t >= call.entryNs && t < call.retNs) assert.notEqual(truth.holderAt(call.pid, t)?.tid, call.tid);
        }
      }

      // Same time base as offgil's parser on the scheduler text.
      const events = parseEvents(scheduler);
      const headers = scheduler.split('\n').filter((line) => line !== '' && !line.startsWith('\t'));
      assert.equal(events.length, headers.length);
      const first = /(\d+)\.(\d+):/.exec(headers[0]!)!;
      assert.equal(truth.baseSeconds, BigInt(first[1]!));
      for (const [i, header] of headers.entries()) {
        const m = /\s(\d+)\.(\d+):/.exec(header)!;
        assert.equal(events[i]!.timeNs, timestampNs(m[1]!, m[2]!, truth.baseSeconds));
      }

      // offgil understands the scheduler text as a normal recording.
      const result = analyze(scheduler, { states: ['all'] });
      assert.equal(result.stats.skippedEvents, 0);
    });
  }
});

describe('figures of the recordings (HOLDERS.md)', () => {
  test('holders-gil-3.11-switch: main (imports, then joins) and 4 workers', () => {
    const truth = holderTruth(fixtureText('holders-gil-3.11-switch.txt.gz'));
    assert.equal(truth.baseSeconds, 1645n);
    assert.deepEqual(truth.counts, { entries: 1727, rets: 1727, drops: 1726, removedLines: 57349 });
    assert.deepEqual(figures(truth), [
      { tid: 26106, holdings: 1685, holdingNs: 82_452_000, calls: 1685, switchedOut: 5, waitNs: 76_793_000 },
      { tid: 26108, holdings: 12, holdingNs: 60_384_000, calls: 12, switchedOut: 11, waitNs: 161_393_000 },
      { tid: 26109, holdings: 11, holdingNs: 60_629_000, calls: 11, switchedOut: 11, waitNs: 159_418_000 },
      { tid: 26110, holdings: 10, holdingNs: 60_698_000, calls: 10, switchedOut: 10, waitNs: 134_844_000 },
      { tid: 26111, holdings: 9, holdingNs: 57_000_000, calls: 9, switchedOut: 9, waitNs: 138_805_000 },
    ]);
    // Another worker held the GIL for 98 % of each worker's wait; the rest is hand-off.
    for (const coverage of waitCoverage(truth).slice(1)) assert.ok(coverage.heldNs / coverage.waitNs > 0.97, `${coverage.tid}`);
    // The workers' releases are eval-loop drops (drop_gil <- _PyEval_EvalFrameDefault), with the whole stack.
    for (const holding of truth.holdings.filter((h) => h.tid !== 26106 && h.endSeen)) {
      const frames = holding.releaseStack.map(frameName);
      assert.equal(frames[0], 'drop_gil');
      assert.ok(['_PyEval_EvalFrameDefault', '_PyThreadState_DeleteCurrent'].includes(frames[1]!), frames[1]);
      assert.equal(frames.at(-2), 'start_thread');
      assert.equal(frames.at(-1), 'clone3');
    }
  });

  test('holders-gil-3.8: take_gil and take_gil.constprop.0, one ret probe each', () => {
    const text = fixtureText('holders-gil-3.8.txt.gz');
    const truth = holderTruth(text);
    // PyEval_RestoreThread calls the clone; the plain copy is called from the eval loop and at startup.
    assert.equal(count(text, /gil_truth:take_gil_ret0:/g), 50);
    assert.equal(count(text, /gil_truth:take_gil_ret1:/g), 735);
    assert.equal(count(text, /gil_truth:take_gil_ret0: .* take_gil\+0x177 /g), 50);
    assert.equal(count(text, /gil_truth:take_gil_ret1: .* take_gil\.constprop\.0\+0x182 /g), 735);
    assert.deepEqual(figures(truth), [
      { tid: 25815, holdings: 731, holdingNs: 31_997_000, calls: 731, switchedOut: 5, waitNs: 41_743_000 },
      { tid: 25817, holdings: 12, holdingNs: 73_246_000, calls: 12, switchedOut: 11, waitNs: 144_215_000 },
      { tid: 25818, holdings: 14, holdingNs: 80_276_000, calls: 14, switchedOut: 13, waitNs: 224_008_000 },
      { tid: 25819, holdings: 14, holdingNs: 78_756_000, calls: 14, switchedOut: 14, waitNs: 211_583_000 },
      { tid: 25820, holdings: 14, holdingNs: 85_206_000, calls: 14, switchedOut: 13, waitNs: 179_766_000 },
    ]);
  });

  test('holders-gil-3.13-switch (-X perf_jit + inject): releases carry Python frames', () => {
    const truth = holderTruth(fixtureText('holders-gil-3.13-switch.txt.gz'));
    assert.deepEqual(truth.counts, { entries: 660, rets: 660, drops: 660, removedLines: 19986 });
    const workers = truth.holdings.filter((h) => h.tid !== 26300);
    const withPython = workers.filter((h) => h.releaseStack.some((line) => line.includes(' py::is_prime:')));
    assert.equal(workers.length, 50);
    assert.ok(withPython.length >= 40, `${withPython.length} of 50 worker releases under py::is_prime`);
  });

  test('holders-twoproc-fork-3.11-switch: two GILs; PIDs from the -pid variant', () => {
    const plainText = fixtureText('holders-twoproc-fork-3.11-switch.txt.gz');
    const pidText = fixtureText('holders-twoproc-fork-3.11-switch-pid.txt.gz');
    const withPids = holderTruth(pidText);
    const pidOfTid = pidsOfTids(pidText);
    assert.deepEqual([...pidOfTid].sort((a, b) => a[0] - b[0]), [
      [27178, 27178],
      [27180, 27180],
      [27181, 27178],
      [27182, 27180],
      [27183, 27178],
      [27184, 27180],
    ]);
    const plain = holderTruth(plainText, { pidOfTid });
    const key = (truth: HolderTruth): string[] => truth.holdings.map((h) => `${h.pid}/${h.tid} ${h.startNs} ${h.endNs}`);
    assert.deepEqual(key(plain), key(withPids));
    assert.equal(plain.holdings.length, 1993);
    // Each process has its own GIL: the two processes' holdings overlap, each process's never do.
    assert.equal(maxHoldingOverlapNs(plain), 0);
    const merged = holderTruth(plainText);
    assert.ok(maxHoldingOverlapNs(merged) > 1_000_000, 'without PIDs the two GILs look like one that is held twice');
    let bothHeld = 0;
    for (let t = plain.firstNs; t < plain.lastNs; t += 100_000) {
      if (plain.holderAt(27178, t) !== undefined && plain.holderAt(27180, t) !== undefined) bothHeld++;
    }
    assert.ok(bothHeld > 1000, `${bothHeld} of ~5000 sampled moments with both GILs held`);
    assert.deepEqual(figures(plain).map((f) => [f.tid, f.holdings, f.holdingNs]), [
      [27178, 1939, 221_333_000],
      [27180, 15, 59_004_000],
      [27181, 11, 124_919_000],
      [27182, 10, 108_114_000],
      [27183, 10, 110_132_000],
      [27184, 8, 91_425_000],
    ]);
  });

  for (const version of ['3.8', '3.11-switch', '3.13']) {
    test(`holders-blocking-${version}: the blocker sleeps 40 times holding the GIL`, () => {
      const truth = holderTruth(fixtureText(`holders-blocking-${version}.txt.gz`));
      const whileHolding = switchesWhileHolding(truth);
      const asleep = whileHolding.get('S') ?? [];
      assert.equal(asleep.length, 40, 'one S switch-out per usleep');
      assert.equal(new Set(asleep.map((event) => event.prevPid)).size, 1, 'all by the blocker thread');
      // besides at most one page fault (D) while holding
      assert.ok((whileHolding.get('D') ?? []).length <= 1);
      assert.deepEqual([...whileHolding.keys()].filter((state) => !/^[RSD]/.test(state)), []);
    });
  }

  test('no other recording has a thread asleep while holding the GIL (D sleeps aside)', () => {
    // D: 8 waits for the page cache (page faults, a read; the fork recording counts twice, with its -pid
    // variant) and, in holders-gil-3.13-switch, one wait for the uprobe code's lock in uprobe_notify_resume.
    let dSleeps = 0;
    for (const name of HOLDER_FILES.filter((n) => !n.startsWith('holders-blocking-') && !n.startsWith('holders-locks-'))) {
      const whileHolding = switchesWhileHolding(holderTruth(fixtureText(name)));
      assert.deepEqual([...whileHolding.keys()].filter((state) => !/^[RD]/.test(state)), [], name);
      dSleeps += (whileHolding.get('D') ?? []).length;
    }
    assert.equal(dSleeps, 9);
  });

  test('holders-idle-3.11-switch: no contention', () => {
    const truth = holderTruth(fixtureText('holders-idle-3.11-switch.txt.gz'));
    const coverage = waitCoverage(truth);
    const heldWait = coverage.reduce((sum, c) => sum + c.sleptHeldNs, 0);
    // idle-sleep's wakeups during main's work are the only waits for a held GIL: about 5 ms.
    assert.equal(heldWait, 5_152_000);
    assert.ok(truth.threads.get(28312)!.holdingNs > 300_000_000, 'main computes for 0.3 s');
  });

  test('holders-locks-*: no probes, the text is left as it is', () => {
    for (const name of HOLDER_FILES.filter((n) => n.startsWith('holders-locks-'))) {
      const text = fixtureText(name);
      const truth = holderTruth(text);
      assert.equal(truth.schedulerText, text, name);
      assert.equal(truth.holdings.length, 0);
    }
  });
});
