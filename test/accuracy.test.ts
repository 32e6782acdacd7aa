/**
 * GIL wait measured from scheduler events against ground truth from uprobes on take_gil entry and
 * return, recorded in the same run (semantics.md §2). Offgil must be within 10% per thread.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze } from '../src/analyze.js';
import { FIXTURES } from './helpers/paths.js';
import { findPythonWithSymbols, GIL_WORKLOAD, perfScriptText, recordSched } from './helpers/record.js';
import { perfUnavailable, requireOrSkip } from './helpers/system.js';
import { splitUprobes } from './helpers/uprobeTruth.js';

const MIN_TRUTH_NS = 10_000_000;

interface Ratios {
  perThread: Map<number, number>;
  total: number;
}

/** offgil's per-thread GIL wait over the truth, for threads that waited at least 10 ms. */
function ratios(perfScript: string): Ratios {
  const { truthNs, sleepingTruthNs, schedulerText } = splitUprobes(perfScript);
  const measured = new Map(analyze(schedulerText).threads.map((thread) => [thread.tid, thread.gilNs]));
  const perThread = new Map<number, number>();
  let truthTotal = 0;
  let measuredTotal = 0;
  for (const [tid, truth] of truthNs) {
    truthTotal += truth;
    measuredTotal += measured.get(tid) ?? 0;
    const visible = sleepingTruthNs.get(tid) ?? 0;
    if (visible >= MIN_TRUTH_NS) perThread.set(tid, (measured.get(tid) ?? 0) / visible);
  }
  return { perThread, total: measuredTotal / truthTotal };
}

function assertWithinTenPercent(result: Ratios, label: string): void {
  assert.ok(result.perThread.size >= 4, `${label}: at least 4 threads waited ≥ 10 ms (got ${result.perThread.size})`);
  for (const [tid, ratio] of result.perThread) {
    assert.ok(ratio >= 0.9 && ratio <= 1.1, `${label}: thread ${tid} measured/truth = ${ratio.toFixed(3)}`);
  }
  assert.ok(result.total >= 0.9 && result.total <= 1.1, `${label}: total measured/truth = ${result.total.toFixed(3)}`);
}

describe('GIL wait against uprobe ground truth', () => {
  for (const fixture of ['gil-uprobes-3.11.txt.gz', 'gil-uprobes-3.8.txt.gz']) {
    test(`recorded fixture ${fixture}`, () => {
      const text = gunzipSync(readFileSync(join(FIXTURES, fixture))).toString('utf8');
      const result = ratios(text);
      assertWithinTenPercent(result, fixture);
      // The figures docs/accuracy.md reports.
      assert.ok(result.total > 0.97, `total ${result.total}`);
    });
  }

  test('live recording with perf probe on take_gil', (t) => {
    const python = findPythonWithSymbols(['3.11.7', '3.12.1', '3.10.13']);
    if (!requireOrSkip(t, perfUnavailable() ?? (python === undefined ? 'no pyenv CPython 3.10–3.12 with libpython' : undefined))) return;
    const build = python!;
    const dir = mkdtempSync(join(tmpdir(), 'offgil-accuracy-'));
    const perf = (...args: string[]): string => execFileSync('perf', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const group = 'offgil_test';
    try {
      perf('probe', '-q', '-d', `${group}:*`);
    } catch {
      // Nothing left over from an earlier run.
    }
    try {
      perf('probe', '-q', '-x', build.libpython, '--add', `${group}:take_gil=take_gil`);
      perf('probe', '-q', '-x', build.libpython, '--add', `${group}:take_gil_exit=take_gil%return`);
      recordSched(join(dir, 'perf.data'), [build.python, GIL_WORKLOAD, '4', '5000'], [
        '-e',
        `${group}:take_gil/call-graph=no/`,
        '-e',
        `${group}:take_gil_exit__return/call-graph=no/`,
      ]);
    } finally {
      perf('probe', '-q', '-d', `${group}:*`);
    }
    const result = ratios(perfScriptText(join(dir, 'perf.data')));
    assertWithinTenPercent(result, `live ${build.version}`);
    t.diagnostic(`live ${build.version}: total ${result.total.toFixed(3)}, per thread ${[...result.perThread.values()].map((r) => r.toFixed(3)).join(' ')}`);
  });
});
