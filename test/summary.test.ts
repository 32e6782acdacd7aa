/**
 * The per-thread summary (table and JSON), the holder views' totals on real recordings, and each
 * finding of the diagnosis on a hand-written input that has the problem (and none on inputs without).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze, type AnalysisResult } from '../src/analyze.js';
import { formatSummaryTable } from '../src/render/summaryTable.js';
import { runOffgil } from './helpers/cli.js';
import { FIXTURES } from './helpers/paths.js';
import { FUTEX_KERNEL, frame, GIL_WAIT_STACK, inTimeOrder, KERNEL, LIBC, offCpu, otherEvent, SLEEP_STACK, wake } from './helpers/perfText.js';

const fixtureText = (name: string): string => gunzipSync(readFileSync(join(FIXTURES, name))).toString('utf8');

describe('holder views on real recordings', () => {
  for (const name of ['gil-3.8.txt.gz', 'gil-3.11-switch.txt.gz', 'gil-3.13-switch.txt.gz', 'io-3.13.txt.gz', 'jit-3.13-Xperf_jit.txt.gz', 'systemwide-3.11.txt.gz']) {
    test(`${name}: Σ --with-holders and Σ --holders equal the GIL total within 1 µs per line`, () => {
      const result = analyze(fixtureText(name), { holders: true, rootFrame: 'tid' });
      const sum = (stacks: ReadonlyMap<string, number>): number => [...stacks.values()].reduce((a, b) => a + b, 0);
      const plain = sum(result.stacks);
      for (const view of [result.holderViews!.withHolders, result.holderViews!.holders]) {
        const total = sum(view);
        assert.ok(total <= plain + result.stacks.size && total >= plain - view.size, `${total} vs ${plain}`);
      }
      for (const line of result.holderViews!.withHolders.keys()) assert.match(line, /;take_gil(?:\.constprop\.0)?;--;(?:drop_gil;|\(handoff\)|\(unknown\))/);
      const gilNs = result.threads.reduce((total, thread) => total + thread.gilNs, 0);
      const attributedNs = result.threads.reduce((total, thread) => total + (thread.waits ? thread.waits.namedNs + thread.waits.handoffNs + thread.waits.unknownNs : 0), 0);
      assert.equal(attributedNs, gilNs, 'every nanosecond of GIL wait is attributed once');
    });
  }

  test('--state gil-drop is not affected by --with-holders or --holders', () => {
    const text = fixtureText('gil-3.11-switch.txt.gz');
    const plain = analyze(text, { states: ['gil-drop'] }).stacks;
    const result = analyze(text, { states: ['gil-drop'], holders: true });
    assert.deepEqual([...result.holderViews!.withHolders], [...plain]);
    assert.deepEqual([...result.holderViews!.holders], [...plain]);
  });

  test('-X perf_jit recording: holder stacks show Python functions', () => {
    const holders = [...analyze(fixtureText('jit-3.13-Xperf_jit.txt.gz'), { holders: true }).holderViews!.holders.keys()];
    assert.ok(holders.some((line) => /py::|\.py/.test(line) && line.endsWith(';drop_gil')), holders.join('\n'));
  });
});

describe('summary JSON', () => {
  test('documented fields with exact figures (gil-3.11-switch-pid, thread 6060)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offgil-summary-'));
    const out = join(dir, 'summary.json');
    const run = runOffgil(['-i', join(FIXTURES, 'gil-3.11-switch-pid.txt.gz'), '--summary-json', out]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '', 'the JSON file replaces the folded output on stdout');
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(Object.keys(json), ['input', 'holders_attributed', 'threads', 'findings', 'warnings']);
    const thread = json.threads.find((t: { tid: number }) => t.tid === 6060);
    assert.deepEqual(
      {
        pid: thread.pid,
        comm: thread.comm,
        observed_us: thread.observed_us,
        running_us: thread.running_us,
        gil_wait_us: thread.gil_wait_us,
        gil_drop_us: thread.gil_drop_us,
        off_cpu_us: thread.off_cpu_us,
        acquisitions: thread.acquisitions,
        forced_switches: thread.forced_switches,
        caused_us: thread.caused_us,
        held_preempted_us: thread.held_preempted_us,
        held_blocked_us: thread.held_blocked_us,
      },
      {
        pid: 6057,
        comm: 'python3.11',
        observed_us: 211806,
        running_us: 52569,
        gil_wait_us: 148681,
        gil_drop_us: 10422,
        off_cpu_us: { gil: 148681, 'gil-drop': 10422, R: 134 },
        acquisitions: { count: 6, median_us: 5124, p95_us: 119217, max_us: 119217, reacquisitions: 0, reacquisition_median_us: 0 },
        forced_switches: 14,
        caused_us: 53178,
        held_preempted_us: 31,
        held_blocked_us: 0,
      },
    );
    assert.deepEqual(thread.wait_holders.slice(0, 2), [
      { tid: 6062, us: 53843 },
      { tid: 6061, us: 47105 },
    ]);
    assert.deepEqual(json.findings, []);
  });
});

const X = 1;
const T = 2;
const U = 3;

function findingsOf(text: string): AnalysisResult['findings'] {
  return analyze(text, { holders: true }).findings;
}

const USLEEP = [frame('__schedule', KERNEL), frame('do_nanosleep', KERNEL), frame('clock_nanosleep@GLIBC_2.2.5', LIBC), frame('usleep', LIBC), frame('_ctypes_callproc'), frame('start_thread', LIBC)];
const AFTER_READ = [...FUTEX_KERNEL, frame('pthread_cond_timedwait@@GLIBC_2.3.2', LIBC), frame('take_gil'), frame('PyEval_RestoreThread'), frame('_Py_read'), frame('os_read')];
const READ_SLEEP = [frame('__schedule', KERNEL), frame('pipe_read', KERNEL), frame('read', LIBC), frame('_Py_read'), frame('os_read')];

/** ms after 1 s as a perf timestamp. */
const at = (ms: number): string => `1.${String(Math.round(ms * 1000)).padStart(6, '0')}`;

describe('findings', () => {
  test('blocked-while-holding: the holder slept holding the GIL while others waited', () => {
    const text = inTimeOrder(
      otherEvent(at(0), X),
      offCpu(X, at(1), at(11), { stack: USLEEP, state: 'S' }),
      offCpu(T, at(0.5), at(12.1)),
      wake({ time: at(12), waker: X, target: T }),
    );
    const findings = findingsOf(text);
    assert.deepEqual(
      findings.map((finding) => [finding.kind, finding.threads]),
      [['blocked-while-holding', [X]]],
    );
    assert.match(findings[0]!.message, /slept 10\.0 ms while holding the GIL, in clock_nanosleep@GLIBC_2\.2\.5 ← usleep ← _ctypes_callproc; other threads waited 10\.0 ms/);
  });

  test('preempted-while-holding: the holder itself waited for a CPU', () => {
    const text = inTimeOrder(
      otherEvent(at(0), X),
      offCpu(X, at(1), at(6), { stack: SLEEP_STACK, state: 'R+' }),
      offCpu(T, at(0.5), at(10.1)),
      wake({ time: at(10), waker: X, target: T }),
    );
    const findings = findingsOf(text);
    assert.deepEqual(
      findings.map((finding) => [finding.kind, finding.threads]),
      [['preempted-while-holding', [X]]],
    );
    assert.match(findings[0]!.message, /^52 % of all GIL wait \(5\.0 ms\) passed while the holder, thread 1, was itself preempted/);
  });

  test('convoy: a thread that takes the GIL back after each read waits a switch interval each time', () => {
    const parts = [otherEvent(at(0), X)];
    for (let i = 0; i < 12; i++) {
      const start = 1 + 7 * i;
      parts.push(offCpu(T, at(start), at(start + 1), { stack: READ_SLEEP }));
      parts.push(offCpu(T, at(start + 1.05), at(start + 6.1), { stack: AFTER_READ }));
      parts.push(wake({ time: at(start + 6.05), waker: X, target: T }));
    }
    const findings = findingsOf(inTimeOrder(...parts));
    assert.deepEqual(
      findings.map((finding) => [finding.kind, finding.threads]),
      [['convoy', [T, X]]],
    );
    assert.match(findings[0]!.message, /^convoy: thread 2 waits about a switch interval \(median 5\.0 ms, 12 times\) each time it takes the GIL back after I\/O or a GIL-releasing call, because thread 1 keeps the GIL/);
  });

  test('not-the-gil: GIL waits small next to lock waits and disk I/O', () => {
    const lockWait = [...FUTEX_KERNEL, frame('__new_sem_wait_slow64.constprop.0', LIBC), frame('PyThread_acquire_lock_timed'), frame('lock_PyThread_acquire_lock')];
    const parts = [otherEvent(at(0), X), offCpu(U, at(1), at(2), { stack: GIL_WAIT_STACK }), wake({ time: at(1.9), waker: X, target: U })];
    // 25 lock waits of 3 ms, running 2 ms between them.
    for (let i = 0; i < 25; i++) parts.push(offCpu(T, at(1 + 5 * i), at(4 + 5 * i), { stack: lockWait }));
    const findings = findingsOf(inTimeOrder(...parts));
    assert.deepEqual(
      findings.map((finding) => finding.kind),
      ['not-the-gil'],
    );
    assert.match(findings[0]!.message, /GIL wait 1\.0 ms is 1 % of the time they waited for locks \(75\.0 ms\) and disk I\/O \(0\.0 ms\) in 25 waits/);
    // One long wait (an idle Event.wait) is no finding.
    const idle = inTimeOrder(otherEvent(at(0), X), offCpu(T, at(1), at(101), { stack: lockWait }), offCpu(U, at(1), at(2), { stack: GIL_WAIT_STACK }));
    assert.deepEqual(findingsOf(idle), []);
  });

  test('none on recordings without the problems (CPU-bound contention without blocking holders)', () => {
    for (const name of ['gil-3.11-switch.txt.gz', 'gil-3.13-switch.txt.gz', 'pool-3.12.txt.gz', 'io-3.13.txt.gz']) {
      assert.deepEqual(findingsOf(fixtureText(name)), [], name);
    }
  });

  test('none when the input cannot show GIL waits (stripped interpreter): no conclusion rests on zeros', () => {
    const result = analyze(fixtureText('numpy-debian-3.11.txt.gz'), { holders: true });
    assert.ok(result.warnings.some((warning) => warning.code === 'unsymbolized-python'));
    assert.deepEqual(result.findings, []);
  });
});

describe('summary table', () => {
  test('one row per thread with acquisitions and holder columns; --top sums the rest', () => {
    const result = analyze(fixtureText('gil-3.11-switch.txt.gz'), { holders: true });
    const table = formatSummaryTable(result.threads, result.findings, { holders: true, top: 2 }).split('\n');
    assert.match(table[1]!, /^thread\s+pid\s+tid\s+observed\s+running\s+GIL wait\s+GIL drop\s+lock\s+sleep\s+I\/O\s+preempted\s+other\s+acq\s+median\s+p95\s+max\s+forced\s+caused\s+held preempted\s+held blocked$/);
    assert.match(table[2]!, /^python3\.11\s+6060\s+6060\s+211\.8\s+52\.6\s+148\.7\s+10\.4\s+0\.0\s+0\.0\s+0\.0\s+0\.1\s+0\.0\s+6\s+5\.1\s+119\.2\s+119\.2\s+14\s+53\.2\s+0\.0\s+0\.0$/);
    assert.match(table[4]!, /^\(3 more threads\)\s+502\.7\s+140\.6\s+180\.3/);
    assert.equal(table[5], 'findings: none');
  });

  test('offgil --summary --top 1 on the command line', () => {
    const run = runOffgil(['-i', join(FIXTURES, 'gil-3.11-switch.txt.gz'), '--summary', '--top', '1', '-o', '/dev/null']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /\(4 more threads\)/);
    assert.equal(runOffgil(['-i', join(FIXTURES, 'gil-3.11-switch.txt.gz'), '--top', '0']).status, 2);
  });
});
