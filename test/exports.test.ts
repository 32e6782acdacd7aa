/**
 * The exports as pure functions of the timeline: Chrome trace, speedscope, pprof and DTrace text, on
 * hand-written traces with exact expected events and on real recordings with the fixtures' figures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze, type AnalyzeOptions } from '../src/analyze.js';
import { formatDtrace } from '../src/render/dtrace.js';
import { clockMicrosecondsText, microsecondsText, type ExportMeta } from '../src/render/exportCommon.js';
import { pprofProfile } from '../src/render/pprof.js';
import { speedscopeChunks, SPEEDSCOPE_SCHEMA } from '../src/render/speedscope.js';
import { emptyTraceCounts, traceChunks, type TraceOptions } from '../src/render/trace.js';
import type { Warning } from '../src/warnings.js';
import { assertTraceEventFormat, decodePprof, replayEvented, type SpeedscopeFile, type TraceEvent, type TraceFile } from './helpers/exports.js';
import { FIXTURES } from './helpers/paths.js';
import { frame, GIL_WAIT_FOLDED, GIL_WAIT_STACK, HOLDER_FOLDED, HOLDER_LEAF_FIRST, inTimeOrder, LIBPYTHON, offCpu, otherEvent, SLEEP_FOLDED, SLEEP_STACK, wake } from './helpers/perfText.js';

const META: ExportMeta = { input: 'test.txt', command: 'offgil test', states: ['gil'], warnings: [], generator: 'offgil test' };

/** Thread 2 waits 4 ms for the GIL (thread 1 holds it, then hands it off), runs 0.9 ms, sleeps 1 ms. */
const SCENARIO = inTimeOrder(
  otherEvent('1.000000', 1),
  offCpu(2, '1.000100', '1.004100'),
  wake({ time: '1.004000', waker: 1, target: 2 }),
  offCpu(2, '1.005000', '1.006000', { stack: SLEEP_STACK }),
);

function fixture(name: string): string {
  return gunzipSync(readFileSync(join(FIXTURES, name))).toString('utf8');
}

function timelineOf(text: string, options: AnalyzeOptions = {}) {
  const result = analyze(text, { holders: true, timeline: true, ...options });
  return { result, timeline: result.timeline! };
}

function trace(text: string, analyzeOptions: AnalyzeOptions = {}, options: TraceOptions = {}, meta = META): { file: TraceFile; chunks: string[]; counts: ReturnType<typeof emptyTraceCounts> } {
  const counts = emptyTraceCounts();
  const chunks = [...traceChunks(timelineOf(text, analyzeOptions).timeline, meta, options, counts)];
  const file = JSON.parse(chunks.join('')) as TraceFile;
  assertTraceEventFormat(file);
  return { file, chunks, counts };
}

function speedscope(text: string, analyzeOptions: AnalyzeOptions = {}, view: 'waiters' | 'with-holders' | 'holders' = 'waiters'): SpeedscopeFile {
  return JSON.parse([...speedscopeChunks(timelineOf(text, analyzeOptions).timeline, META, { view })].join('')) as SpeedscopeFile;
}

const xEvents = (file: TraceFile, tid: number): TraceEvent[] => file.traceEvents.filter((event) => event.ph === 'X' && event.tid === tid);

describe('exact microseconds', () => {
  test('from integer nanoseconds, without float drift', () => {
    assert.equal(microsecondsText(0), '0');
    assert.equal(microsecondsText(1), '0.001');
    assert.equal(microsecondsText(1_234_500), '1234.5');
    assert.equal(microsecondsText(100_000_010), '100000.01');
    assert.equal(microsecondsText(300), '0.3');
    // 0.1 + 0.2 in floating point would print 0.30000000000000004.
    assert.equal(microsecondsText(100 + 200), '0.3');
  });

  test('on perf’s clock, exact past 2^53 ns of uptime', () => {
    assert.equal(clockMicrosecondsText(1, 100_000), '1000100');
    assert.equal(clockMicrosecondsText(159, 179_033_123), '159179033.123');
    // 300 days of uptime: 2.6e16 ns, more than 2^53.
    assert.equal(clockMicrosecondsText(25_920_000, 999_999_999), '25920000999999.999');
    assert.equal(clockMicrosecondsText(10, -500), '9999999.5');
  });
});

describe('--trace', () => {
  test('a GIL wait with its holders, the running stretch after it, names and the waiter counter', () => {
    const { file } = trace(SCENARIO);
    assert.deepEqual(xEvents(file, 2), [
      {
        name: 'GIL wait',
        cat: 'off-cpu',
        ph: 'X',
        ts: 1_000_100,
        dur: 4000,
        // Without PIDs in the input, the hand-off joins threads 1 and 2 into one process, named by the smaller id.
        pid: 1,
        tid: 2,
        cname: 'terrible',
        args: {
          stack: GIL_WAIT_FOLDED.split(';'),
          holders: [
            { tid: 1, us: 3900, state: 'running' },
            { tid: 'handoff', us: 100, state: 'running' },
          ],
        },
      },
      { name: 'running', cat: 'running', ph: 'X', ts: 1_004_100, dur: 900, pid: 1, tid: 2, cname: 'thread_state_running' },
    ]);
    const metadata = file.traceEvents.filter((event) => event.ph === 'M');
    assert.deepEqual(
      metadata.map((event) => [event.name, event.tid, event.args]),
      [
        ['process_name', 1, { name: 'python3' }],
        ['process_sort_index', 1, { sort_index: 0 }],
        ['thread_name', 2, { name: 'python3' }],
        ['thread_sort_index', 2, { sort_index: 0 }],
      ],
    );
    const counters = file.traceEvents.filter((event) => event.ph === 'C');
    assert.deepEqual(
      counters.map((event) => [event.name, event.pid, event.ts, event.args]),
      [
        ['GIL waiters', 1, 1_000_100, { threads: 1 }],
        ['GIL waiters', 1, 1_004_100, { threads: 0 }],
      ],
    );
    assert.deepEqual(file.otherData.warnings, []);
    assert.equal(file.otherData.generator, 'offgil test');
  });

  test('--state all shows the sleep; --trace-min-us drops the short running stretch and says so', () => {
    const all = trace(SCENARIO, { states: ['all'] }).file;
    assert.deepEqual(
      xEvents(all, 2).map((event) => [event.name, event.ts, event.dur, (event.args?.stack as string[] | undefined)?.join(';')]),
      [
        ['GIL wait', 1_000_100, 4000, GIL_WAIT_FOLDED],
        ['running', 1_004_100, 900, undefined],
        ['S', 1_005_000, 1000, SLEEP_FOLDED],
      ],
    );
    const { file, counts } = trace(SCENARIO, { states: ['all'] }, { minUs: 1000 });
    assert.deepEqual(
      xEvents(file, 2).map((event) => event.name),
      ['GIL wait', 'S'],
    );
    assert.equal(file.otherData.traceMinUs, 1000);
    assert.equal(file.otherData.droppedRunning, 1);
    assert.equal(file.otherData.droppedIntervals, 0);
    assert.equal(counts.droppedRunning, 1);
  });

  test('--with-holders adds each holder’s stack at its release (leaf last)', () => {
    const { file } = trace(SCENARIO, {}, { holderStacks: true });
    assert.deepEqual(xEvents(file, 2)[0]!.args!.holders, [
      { tid: 1, us: 3900, stack: HOLDER_FOLDED.split(';') },
      { tid: 'handoff', us: 100, stack: ['(handoff)'] },
    ]);
  });

  test('warnings go into otherData', () => {
    const warning: Warning = { code: 'lost-records', severity: 'warning', count: 2, message: 'perf lost records 2 time(s)' };
    const { file } = trace(SCENARIO, {}, {}, { ...META, warnings: [warning] });
    assert.deepEqual(file.otherData.warnings, ['warning: perf lost records 2 time(s)']);
  });

  test('a real recording: Σ GIL wait per thread as the summary’s, counters agree with the waits, written in chunks', () => {
    const text = fixture('gil-3.11-switch-pid.txt.gz');
    const { result } = timelineOf(text);
    const { file, chunks, counts } = trace(text);
    const waitUs = new Map<number, number>();
    for (const event of file.traceEvents) if (event.name === 'GIL wait') waitUs.set(event.tid!, (waitUs.get(event.tid!) ?? 0) + event.dur!);
    const floored = Object.fromEntries([...waitUs].map(([tid, us]) => [tid, Math.floor(us + 1e-6)]));
    assert.deepEqual(floored, { 6057: 34198, 6059: 131590, 6060: 148681, 6061: 85778, 6062: 60337 });
    for (const thread of result.threads) assert.ok(Math.abs(waitUs.get(thread.tid)! - thread.gilNs / 1000) < 1e-3, `thread ${thread.tid}`);
    // One process with five threads, the main thread first.
    assert.deepEqual(
      file.traceEvents.filter((event) => event.name === 'thread_sort_index').map((event) => [event.pid, event.tid, event.args!.sort_index]),
      [
        [6057, 6057, 0],
        [6057, 6059, 1],
        [6057, 6060, 2],
        [6057, 6061, 3],
        [6057, 6062, 4],
      ],
    );
    // The counter at each change equals the number of GIL waits that cover that moment.
    const waits = file.traceEvents.filter((event) => event.name === 'GIL wait');
    for (const counter of file.traceEvents.filter((event) => event.ph === 'C')) {
      const covering = waits.filter((wait) => wait.ts! <= counter.ts! && counter.ts! < wait.ts! + wait.dur!).length;
      assert.equal(counter.args!.threads, covering, `at ${counter.ts}`);
    }
    // Running stretches and intervals never overlap on a thread.
    for (const tid of waitUs.keys()) {
      const events = xEvents(file, tid);
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.ts! >= events[i - 1]!.ts! + events[i - 1]!.dur! - 1e-6);
    }
    assert.equal(counts.intervals, waits.length);
    assert.ok(chunks.length > 2, 'more than one chunk');
    assert.ok(Math.max(...chunks.map((chunk) => chunk.length)) < 80_000);
  });

  test('without PIDs in the input, threads joined by hand-offs form one process', () => {
    const { file } = trace(fixture('gil-3.11-switch.txt.gz'));
    assert.deepEqual([...new Set(file.traceEvents.map((event) => event.pid))], [6057]);
  });
});

describe('--speedscope', () => {
  test('one evented profile per thread on the recording’s clock, frames opened root first', () => {
    const file = speedscope(SCENARIO);
    assert.equal(file.$schema, SPEEDSCOPE_SCHEMA);
    assert.equal(file.profiles.length, 1);
    const profile = file.profiles[0]!;
    assert.deepEqual({ ...profile, events: undefined }, { type: 'evented', name: 'python3-2/2', unit: 'microseconds', startValue: 1_000_000, endValue: 1_006_000, events: undefined });
    const names = GIL_WAIT_FOLDED.split(';');
    assert.deepEqual(
      file.shared.frames.map((frame) => frame.name),
      names,
    );
    assert.deepEqual(profile.events, [
      ...names.map((_, frame) => ({ type: 'O', frame, at: 1_000_100 })),
      ...names.map((_, frame) => ({ type: 'C', frame: names.length - 1 - frame, at: 1_004_100 })),
    ]);
    assert.deepEqual(replayEvented(file, 0), { totalUs: 4000, stacks: new Map([[GIL_WAIT_FOLDED, 4000]]) });
  });

  test('an input without intervals still gives a file speedscope can import (one empty profile)', () => {
    const file = speedscope(otherEvent('1.000000', 1));
    assert.deepEqual(
      file.profiles.map((profile) => [profile.name, profile.events.length]),
      [['no off-CPU intervals in test.txt', 0]],
    );
  });

  test('--with-holders: the holder’s frames above the waiter’s, at the real times; --holders: the holder’s alone', () => {
    const withHolders = speedscope(SCENARIO, {}, 'with-holders');
    assert.deepEqual(
      replayEvented(withHolders, 0).stacks,
      new Map([
        [`${GIL_WAIT_FOLDED};--;${HOLDER_LEAF_FIRST}`, 3900],
        [`${GIL_WAIT_FOLDED};--;(handoff)`, 100],
      ]),
    );
    const holders = speedscope(SCENARIO, {}, 'holders');
    assert.deepEqual(
      replayEvented(holders, 0).stacks,
      new Map([
        [HOLDER_FOLDED, 3900],
        ['(handoff)', 100],
      ]),
    );
  });

  test('a real recording: Σ per profile = the thread’s shown µs in every view, profiles line up, frames deduplicated', () => {
    const text = fixture('gil-3.11-switch-pid.txt.gz');
    const { result } = timelineOf(text, { rootFrame: 'tid' });
    for (const view of ['waiters', 'with-holders', 'holders'] as const) {
      const file = speedscope(text, { rootFrame: 'tid' }, view);
      assert.equal(new Set(file.shared.frames.map((frame) => frame.name)).size, file.shared.frames.length);
      assert.equal(new Set(file.profiles.map((profile) => `${profile.startValue}-${profile.endValue}`)).size, 1, 'one time range');
      assert.deepEqual(
        file.profiles.map((profile) => profile.name),
        ['python3.11-6057/6057', 'python3.11-6057/6059', 'python3.11-6057/6060', 'python3.11-6057/6061', 'python3.11-6057/6062'],
      );
      assert.equal(file.profiles[file.activeProfileIndex]!.name, 'python3.11-6057/6060');
      file.profiles.forEach((profile, index) => {
        const tid = Number(profile.name.split('/')[1]);
        const thread = result.threads.find((t) => t.tid === tid)!;
        const { totalUs } = replayEvented(file, index);
        assert.ok(Math.abs(totalUs - thread.gilNs / 1000) <= thread.gilNs / 1000 / 100, `${view} ${profile.name}: ${totalUs} µs`);
      });
      if (view === 'waiters') {
        // The same stacks as the folded output, split by thread.
        const folded = new Map<string, number>();
        file.profiles.forEach((_, index) => {
          for (const [stack, us] of replayEvented(file, index).stacks) folded.set(stack, (folded.get(stack) ?? 0) + us);
        });
        assert.deepEqual(new Set(folded.keys()), new Set(result.stacks.keys()));
        for (const [stack, us] of folded) assert.equal(Math.floor(us + 1e-6), result.stacks.get(stack), stack);
      }
    }
  });
});

describe('--pprof', () => {
  test('samples per thread, class and holder, with labels, deduplicated functions and locations', () => {
    const { timeline } = timelineOf(SCENARIO, { states: ['all'] });
    const decoded = decodePprof(pprofProfile(timeline, META));
    assert.deepEqual(decoded.types, ['intervals/count', 'off_cpu/nanoseconds']);
    assert.equal(decoded.defaultType, 'off_cpu');
    const samples = decoded.samples.map((sample) => ({ ...sample, frames: sample.frames.join(';') }));
    assert.deepEqual(samples, [
      { frames: GIL_WAIT_FOLDED, labels: { thread_id: 2, thread_name: 'python3', pid: 1, class: 'gil', holder: 1 }, values: [1, 3_900_000] },
      { frames: GIL_WAIT_FOLDED, labels: { thread_id: 2, thread_name: 'python3', pid: 1, class: 'gil', holder: 'handoff' }, values: [0, 100_000] },
      { frames: SLEEP_FOLDED, labels: { thread_id: 2, thread_name: 'python3', pid: 1, class: 'S' }, values: [1, 1_000_000] },
    ]);
    assert.equal(new Set(decoded.functions).size, decoded.functions.length);
    assert.equal(decoded.locations, decoded.functions.length);
    assert.equal(decoded.functions.filter((name) => name === 'start_thread').length, 1);
    assert.match(decoded.comments[0]!, /off-CPU time of the classes gil from test\.txt/);
  });

  test('--with-holders puts the holder’s frames on top of the waiter’s; --holders the holder’s alone', () => {
    const { timeline } = timelineOf(SCENARIO);
    const frames = (view: 'with-holders' | 'holders'): [string, number][] =>
      decodePprof(pprofProfile(timeline, META, { view })).samples.map((sample) => [sample.frames.join(';'), sample.values[1]!]);
    assert.deepEqual(frames('with-holders'), [
      [`${GIL_WAIT_FOLDED};--;${HOLDER_LEAF_FIRST}`, 3_900_000],
      [`${GIL_WAIT_FOLDED};--;(handoff)`, 100_000],
    ]);
    assert.deepEqual(frames('holders'), [
      [HOLDER_FOLDED, 3_900_000],
      ['(handoff)', 100_000],
    ]);
  });

  test('a real recording: per thread and in all, the shown time', () => {
    const { result, timeline } = timelineOf(fixture('gil-3.11-switch-pid.txt.gz'), { states: ['all'] });
    for (const view of ['waiters', 'with-holders', 'holders'] as const) {
      const decoded = decodePprof(pprofProfile(timeline, META, { view }));
      const byThread = new Map<number, number>();
      let intervals = 0;
      for (const sample of decoded.samples) {
        byThread.set(sample.labels.thread_id as number, (byThread.get(sample.labels.thread_id as number) ?? 0) + sample.values[1]!);
        intervals += sample.values[0]!;
      }
      for (const thread of result.threads) assert.equal(byThread.get(thread.tid), thread.gilNs + thread.gilDropNs + thread.otherNs, `${view} ${thread.tid}`);
      assert.equal(intervals, result.stats.keptIntervals);
      const total = [...byThread.values()].reduce((sum, ns) => sum + ns, 0);
      assert.ok(Math.abs(total / 1000 - result.totalUs) <= result.totalUs / 100);
    }
  });
});

describe('hostile names survive every export', () => {
  const EVIL = 'evil</script><b>"q"\\\u0007\u001b[31m é 🐍';
  const text = inTimeOrder(
    otherEvent('1.000000', 1),
    offCpu(2, '1.000100', '1.004100', { stack: [...GIL_WAIT_STACK.slice(0, 11), frame(EVIL, LIBPYTHON), ...GIL_WAIT_STACK.slice(11)] }),
    wake({ time: '1.004000', waker: 1, target: 2 }),
  );

  test('trace, speedscope and pprof keep the name byte for byte', () => {
    const { file } = trace(text);
    assert.ok((xEvents(file, 2)[0]!.args!.stack as string[]).includes(EVIL));
    assert.ok(speedscope(text).shared.frames.some((f) => f.name === EVIL));
    assert.ok(decodePprof(pprofProfile(timelineOf(text).timeline, META)).functions.includes(EVIL));
  });
});

describe('--format dtrace', () => {
  test('three header lines, then each stack leaf first, its count and a blank line', () => {
    const stacks = new Map([
      ['a;b;c', 10],
      ['a;d', 5],
    ]);
    assert.equal(
      formatDtrace(stacks, ['offgil warning: lost\nrecords']),
      "offgil: folded stacks in DTrace's form (frames leaf first, then µs); stackcollapse.pl skips these 3 lines\n" +
        'offgil warning: lost records\n\n' +
        'c\nb\na\n10\n\nd\na\n5\n\n',
    );
  });
});
