/**
 * Real recordings made on this machine (fixtures/README.md): every fixture parses, and invariants hold
 * that any correct reading of a scheduler trace must satisfy. A few exact figures pin the totals.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze, analyzeStream, type AnalysisResult, type AnalyzeOptions } from '../src/analyze.js';
import { FIXTURES } from './helpers/paths.js';
import { frame, KERNEL, LIBC, sched_switch } from './helpers/perfText.js';

const FIXTURE_FILES = readdirSync(FIXTURES).filter((name) => name.endsWith('.txt.gz'));

function fixtureText(name: string): string {
  return gunzipSync(readFileSync(join(FIXTURES, name))).toString('utf8');
}

function analyzeFixture(name: string, options: AnalyzeOptions = {}): AnalysisResult {
  return analyze(fixtureText(name), options);
}

function leafOf(stack: string): string {
  return stack.slice(stack.lastIndexOf(';') + 1);
}

test('the fixture set covers the recordings the contract needs', () => {
  for (const name of ['gil-3.8', 'gil-3.11', 'gil-3.12', 'gil-3.13', 'gil-3.11-switch', 'io-3.13', 'sched-all-3.11', 'systemwide-3.11']) {
    assert.ok(FIXTURE_FILES.includes(`${name}.txt.gz`), name);
  }
});

describe('every fixture', () => {
  for (const name of FIXTURE_FILES) {
    test(name, () => {
      const all = analyzeFixture(name, { states: ['all'] });
      assert.ok(all.stats.switchEvents > 50, 'has sched_switch events');
      assert.equal(all.stats.skippedEvents, 0, 'every event understood');
      for (const thread of all.threads) {
        const offCpu = thread.gilNs + thread.gilDropNs + thread.otherNs;
        assert.ok(offCpu <= thread.observedNs, `thread ${thread.tid}: off-CPU ${offCpu} ≤ observed ${thread.observedNs}`);
      }
      const gil = analyzeFixture(name);
      for (const stack of gil.stacks.keys()) assert.match(leafOf(stack), /^take_gil(\.\w+)*$/, 'every GIL tower ends in take_gil');
      for (const stack of analyzeFixture(name, { states: ['gil-drop'] }).stacks.keys()) assert.match(leafOf(stack), /^drop_gil/);
      const gilNs = all.stats.classNs.gil ?? 0;
      assert.equal(gil.totalUs <= gilNs / 1000, true, 'folded µs never exceed the intervals');
      const wakeup = analyzeFixture(name, { until: 'wakeup' });
      assert.ok(wakeup.totalUs <= gil.totalUs, `blocked time ${wakeup.totalUs} ≤ off-CPU time ${gil.totalUs}`);
    });
  }
});

describe('GIL contention recordings, CPython 3.8–3.13', () => {
  for (const version of ['3.8', '3.10', '3.11', '3.12', '3.13']) {
    test(`gil-${version}: four workers wait for the GIL most of the time`, () => {
      const result = analyzeFixture(`gil-${version}.txt.gz`);
      assert.deepEqual(result.warnings.filter((warning) => warning.severity === 'warning'), []);
      const mainTid = Math.min(...result.threads.map((thread) => thread.tid));
      const workers = result.threads.filter((thread) => thread.tid !== mainTid);
      assert.equal(workers.length, 4, 'four workers');
      for (const worker of workers) {
        assert.ok(worker.gilNs > 0.45 * worker.observedNs, `worker ${worker.tid} waits ${worker.gilNs} of ${worker.observedNs} ns`);
      }
      assert.ok(result.totalUs > 400_000, `total GIL wait ${result.totalUs} µs`);
    });
  }
});

describe('exact figures', () => {
  test('gil-3.11-switch per-thread GIL wait (µs), rule counts', () => {
    const result = analyzeFixture('gil-3.11-switch.txt.gz');
    const gilUs = Object.fromEntries(result.threads.map((thread) => [thread.tid, Math.floor(thread.gilNs / 1000)]));
    assert.deepEqual(gilUs, { 6057: 34198, 6059: 131590, 6060: 148681, 6061: 85778, 6062: 60337 });
    assert.equal(result.totalUs, 460584);
    assert.deepEqual(result.stats.closedBy, { wakeup: 0, 'switch-in': 238, 'own event': 0 });
    assert.equal(result.stats.openAtEnd, 0);
  });

  test('the same recording printed with -F +pid (PID/TID headers) gives the same stacks', () => {
    const plain = analyzeFixture('gil-3.11-switch.txt.gz', { states: ['all'] });
    const withPid = analyzeFixture('gil-3.11-switch-pid.txt.gz', { states: ['all'] });
    assert.deepEqual([...withPid.stacks], [...plain.stacks]);
    const pidRoots = new Set([...analyzeFixture('gil-3.11-switch-pid.txt.gz', { rootFrame: 'tid' }).stacks.keys()].map((s) => s.split(';')[0]));
    assert.deepEqual([...pidRoots].sort(), ['python3.11-6057/6057', 'python3.11-6057/6059', 'python3.11-6057/6060', 'python3.11-6057/6061', 'python3.11-6057/6062']);
  });

  test('io-3.13: sleeps, reads and lock waits next to the GIL waits', () => {
    const result = analyzeFixture('io-3.13.txt.gz', { states: ['S', 'D'] });
    const stacks = [...result.stacks.keys()].join('\n');
    assert.match(stacks, /time_sleep/);
    assert.doesNotMatch(stacks, /PyThread_acquire_lock_timed/);
    assert.ok(Object.keys(result.stats.classNs).includes('D'), 'D-state reads at start-up');
    const locks = [...analyzeFixture('io-3.13.txt.gz', { states: ['lock'] }).stacks.keys()];
    assert.ok(locks.length > 0 && locks.every((stack) => /PyThread_acquire_lock_timed|_PyMutex_LockTimed|_PyParkingLot_Park|PyEvent_WaitTimed/.test(stack)), locks.join('\n'));
  });

  test('named-3.12: thread names with spaces, digits and colons as root frames', () => {
    const roots = new Set([...analyzeFixture('named-3.12.txt.gz', { rootFrame: 'comm', states: ['all'] }).stacks.keys()].map((s) => s.split(';')[0]));
    for (const comm of ['prime worker 0', '42', 'gil: [x] 2', 'w 3']) assert.ok(roots.has(comm), comm);
  });

  test('sched-all-3.11: other sched events are counted and show their thread awake', () => {
    const result = analyzeFixture('sched-all-3.11.txt.gz');
    assert.ok((result.stats.otherEvents['sched:sched_stat_runtime'] ?? 0) > 300);
    assert.ok(result.stats.otherEvents['sched:sched_process_exit']! >= 4);
  });

  test('systemwide-3.11: CPU-wide switch records close intervals; idle and :-1 never open one', () => {
    const result = analyzeFixture('systemwide-3.11.txt.gz', { states: ['all'] });
    assert.ok(result.stats.closedBy['switch-in'] > 250);
    assert.ok(result.threads.every((thread) => thread.tid > 0));
    assert.ok(analyzeFixture('systemwide-3.11.txt.gz').totalUs > 400_000);
  });

  test('numpy-debian-3.11: the stripped interpreter is reported instead of silently showing nothing', () => {
    const result = analyzeFixture('numpy-debian-3.11.txt.gz');
    assert.equal(result.stacks.size, 0);
    const warning = result.warnings.find((w) => w.code === 'unsymbolized-python');
    assert.ok(warning);
    assert.match(warning.message, /\/usr\/bin\/python3\.11/);
  });

  test('stacks cut short in libc (perf record -g, or libunwind failing): said instead of silently showing nothing', () => {
    for (const [name, cut, of] of [
      ['framepointer-3.11.txt.gz', 54, 80],
      ['systemwide-3.11-truncated.txt.gz', 262, 305],
    ] as const) {
      const result = analyzeFixture(name, { holders: true });
      assert.equal(result.stacks.size, 0, name);
      const warning = result.warnings.find((w) => w.code === 'truncated-stacks');
      assert.ok(warning, name);
      assert.match(warning.message, new RegExp(`^${cut} of ${of} switch-out stacks stop inside the C library.*--call-graph dwarf`));
      assert.deepEqual(result.findings, [], 'no finding rests on the zeros');
    }
    for (const name of ['gil-3.8.txt.gz', 'systemwide-3.11.txt.gz', 'numpy-3.11.txt.gz', 'jit-3.13-Xperf_jit.txt.gz']) {
      assert.ok(!analyzeFixture(name).warnings.some((w) => w.code === 'truncated-stacks'), name);
    }
  });

  test('a recording without any Python thread says so', () => {
    const stack = [frame('__schedule', KERNEL), frame('do_nanosleep', KERNEL), frame('clock_nanosleep@GLIBC_2.2.5', LIBC), frame('main', '/usr/bin/sleep'), frame('__libc_start_main', LIBC), frame('_start', '/usr/bin/sleep')];
    const text = sched_switch({ time: '1.000000', prevComm: 'sleep', prevPid: 10, nextPid: 0, stack }) + sched_switch({ time: '1.200000', prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: 10 });
    const result = analyze(text);
    assert.deepEqual(result.warnings.map((w) => w.code), ['no-python']);
    assert.match(result.warnings[0]!.message, /^no Python thread was seen: none of the 1 switch-out stacks/);
  });

  test('streaming in 7-byte chunks gives the same result as one piece', async () => {
    const bytes = gunzipSync(readFileSync(join(FIXTURES, 'io-3.13.txt.gz')));
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let at = 0; at < bytes.length; at += 7) yield bytes.subarray(at, at + 7);
    }
    const streamed = await analyzeStream(chunks(), { states: ['all'], rootFrame: 'tid' });
    const whole = analyze(bytes.toString('utf8'), { states: ['all'], rootFrame: 'tid' });
    assert.deepEqual([...streamed.stacks], [...whole.stacks]);
    assert.deepEqual(streamed.threads, whole.threads);
  });
});
