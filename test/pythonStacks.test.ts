/**
 * Python-aware stacks on real recordings of CPython 3.8–3.13: interpreter frames removed or marked,
 * perf trampoline frames (-X perf, -X perf_jit) named readably, VizTracer stacks injected, --python-only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../src/analyze.js';
import { DEFAULT_EVAL_FRAMES, EVAL_MARK } from '../src/stacks/cpythonFrames.js';
import { ViztracerStacks } from '../src/stacks/viztracer/callStacks.js';
import { parseViztracerTrace } from '../src/stacks/viztracer/traceFile.js';
import { runOffgil } from './helpers/cli.js';
import { FIXTURES } from './helpers/paths.js';
import { timelineOf, viztracerJson, WORKER_STACK } from './helpers/viztracerTrace.js';

const NEVER = /(?!)/;

function fixtureText(name: string): string {
  return gunzipSync(readFileSync(join(FIXTURES, `${name}.txt.gz`))).toString('utf8');
}

function lines(result: AnalysisResult): string[] {
  return [...result.stacks].map(([stack, us]) => `${stack} ${us}`);
}

function withViztracer(name: string, json: string, options: AnalyzeOptions = {}): AnalysisResult {
  return analyze(fixtureText(name), { ...options, viztracer: new ViztracerStacks(parseViztracerTrace(json, 'trace.json')) });
}

const ALL_VERSIONS = ['gil-3.8', 'gil-3.10', 'gil-3.11', 'gil-3.12', 'gil-3.13', 'io-3.13', 'trampoline-3.12-Xperf', 'jit-3.13-Xperf_jit'];

describe('CPython interpreter frames', () => {
  for (const name of ALL_VERSIONS) {
    test(`${name}: removed by default, kept and marked with --keep-cpython-evals`, () => {
      const text = fixtureText(name);
      const stripped = analyze(text, { states: ['all'] });
      for (const stack of stripped.stacks.keys()) {
        for (const frame of stack.split(';')) assert.doesNotMatch(frame, DEFAULT_EVAL_FRAMES, `${frame} in ${stack}`);
      }
      const kept = analyze(text, { states: ['all'], keepCpythonEvals: true });
      const raw = analyze(text, { states: ['all'], evalFrames: NEVER });
      const marked = [...kept.stacks.keys()].filter((stack) => stack.includes(EVAL_MARK));
      assert.ok(marked.length > 0, 'some stacks hold marked interpreter frames');
      assert.deepEqual(
        lines(kept).map((line) => line.replaceAll(EVAL_MARK, '')).sort(),
        lines(raw).sort(),
        'the marks are the only difference to the raw stacks',
      );
      assert.equal(stripped.totalUs, raw.totalUs, 'removing frames never changes the time');
    });
  }

  test('--eval-frames replaces the list', () => {
    const result = analyze(fixtureText('gil-3.11'), { evalFrames: /^thread_run$/ });
    const stacks = [...result.stacks.keys()];
    assert.ok(stacks.every((stack) => !stack.split(';').includes('thread_run')));
    assert.ok(stacks.some((stack) => stack.includes('_PyEval_EvalFrameDefault')));
  });

  test('the frame a GIL stack is cut at stays (inlined take_gil: PyEval_RestoreThread)', () => {
    // As if the compiler had inlined take_gil into its callers: drop its frame lines.
    const text = fixtureText('gil-3.11').replaceAll(/\n\t\s*[0-9a-f]+ take_gil\+0x\w+ \([^)]*\)/g, '');
    const stacks = [...analyze(text).stacks.keys()];
    assert.ok(stacks.length >= 2);
    for (const stack of stacks) assert.match(stack, /;(PyEval_RestoreThread|PyEval_AcquireThread)$/);
  });
});

describe('Python frames from perf trampolines', () => {
  test('3.12 -X perf: the waiting Python function directly under take_gil or the C call that released the GIL', () => {
    assert.deepEqual(lines(analyze(fixtureText('trampoline-3.12-Xperf'))), [
      'Condition.wait (threading.py);lock_PyThread_acquire_lock;acquire_timed;take_gil 43712',
      'Thread._wait_for_tstate_lock (threading.py);lock_PyThread_acquire_lock;acquire_timed;take_gil 1732',
      'clone3;start_thread;pythread_wrapper;thread_run;take_gil 14753',
      'is_prime (gil_contention.py);take_gil 548490',
    ]);
  });

  test('3.13 -X perf_jit + perf inject --jit: full mixed stacks, Python frames between the C frames', () => {
    const result = lines(analyze(fixtureText('jit-3.13-Xperf_jit')));
    assert.ok(
      result.includes(
        'clone3;start_thread;pythread_wrapper;thread_run;Thread._bootstrap (threading.py);Thread._bootstrap_inner (threading.py);' +
          'Thread.run (threading.py);worker (gil_contention.py);count_primes (gil_contention.py);is_prime (gil_contention.py);take_gil 594833',
      ),
      result.join('\n'),
    );
    assert.ok(
      result.includes(
        '_start;__libc_start_main@@GLIBC_2.34;__libc_start_call_main;<module> (gil_contention.py);main (gil_contention.py);' +
          'Thread.start (threading.py);Event.wait (threading.py);Condition.wait (threading.py);lock_PyThread_acquire_lock;' +
          'PyThread_acquire_lock_timed_with_retries;take_gil 76673',
      ),
    );
  });

  test('--full-paths', () => {
    const stacks = [...analyze(fixtureText('trampoline-3.12-Xperf'), { fullPaths: true }).stacks.keys()];
    assert.ok(stacks.includes('is_prime (/work/main/fixtures/workloads/gil_contention.py);take_gil'));
    assert.ok(stacks.includes('Condition.wait (/root/.pyenv/versions/3.12.1/lib/python3.12/threading.py);lock_PyThread_acquire_lock;acquire_timed;take_gil'));
  });

  test('-X perf_jit without perf inject: the missing symbols are reported', () => {
    const result = analyze(fixtureText('jit-3.13-Xperf_jit-noinject'));
    const warning = result.warnings.find((w) => w.code === 'unresolved-python-frames');
    assert.ok(warning);
    assert.match(warning.message, /\/tmp\/perf-6470\.map/);
  });
});

describe('Python frames from VizTracer', () => {
  for (const name of ['gil-3.8', 'gil-3.10', 'gil-3.11']) {
    test(`${name}: the waiting Python function directly under take_gil`, () => {
      const timeline = timelineOf(fixtureText(name));
      const result = withViztracer(name, viztracerJson(timeline));
      const stacks = [...result.stacks.keys()];
      assert.ok(stacks.some((stack) => stack.endsWith(';worker (gil_contention.py:31);count_primes (gil_contention.py:23);is_prime (gil_contention.py:14);take_gil')), stacks.join('\n'));
      assert.ok(
        stacks.some((stack) => /;main \(gil_contention\.py:35\);Thread\.join \(threading\.py:1087\);Thread\._wait_for_tstate_lock \(threading\.py:1125\);lock_PyThread_acquire_lock;acquire_timed;take_gil/.test(stack)),
        stacks.join('\n'),
      );
      assert.equal(result.stats.viztracer.mismatched, 0);
      assert.ok(result.stats.viztracer.matched > 100);
      assert.ok(result.stats.viztracer.benign > 0, 'thread start: Python frames in VizTracer, none on the native stack');
      assert.equal(result.totalUs, analyze(fixtureText(name)).totalUs, 'injection never changes the time');
    });
  }

  test('with --keep-cpython-evals the Python frames follow the interpreter frames that ran them', () => {
    const timeline = timelineOf(fixtureText('gil-3.11'));
    const stacks = [...withViztracer('gil-3.11', viztracerJson(timeline), { keepCpythonEvals: true }).stacks.keys()];
    assert.ok(stacks.some((stack) => stack.includes('cpyeval::_PyEval_EvalFrameDefault;Thread._bootstrap (threading.py:988);')), stacks.join('\n'));
  });

  test('a Python stack with more segments than the native stack has entries is a mismatch; --pedantic counts thread starts too', () => {
    const timeline = timelineOf(fixtureText('gil-3.11'));
    const split = [...WORKER_STACK.slice(0, 5), 'builtins.map', WORKER_STACK[5]!];
    const result = withViztracer('gil-3.11', viztracerJson(timeline, split));
    assert.ok(result.stats.viztracer.mismatched > 100);
    assert.ok(result.warnings.some((w) => w.code === 'viztracer-mismatch'));
    assert.ok([...result.stacks.keys()].every((stack) => !stack.includes('is_prime')), 'mismatched stacks get no Python frames');
    const pedantic = withViztracer('gil-3.11', viztracerJson(timeline), { pedantic: true });
    const plain = withViztracer('gil-3.11', viztracerJson(timeline));
    assert.equal(pedantic.stats.viztracer.mismatched, plain.stats.viztracer.benign);
  });

  test('switch-outs before the trace starts are counted, not matched', () => {
    const timeline = timelineOf(fixtureText('gil-3.11'));
    const late = viztracerJson(timeline, WORKER_STACK, (timeline.firstUs + timeline.lastUs) / 2);
    const result = withViztracer('gil-3.11', late);
    assert.ok(result.stats.viztracer.outsideTrace > 50);
    assert.ok(result.stats.viztracer.matched > 50);
  });

  test('CLI: --viztracer / --input-viztracer, mismatch is an error unless --allow-mismatch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offgil-viz-'));
    const timeline = timelineOf(fixtureText('gil-3.11'));
    writeFileSync(join(dir, 'good.json'), viztracerJson(timeline));
    writeFileSync(join(dir, 'split.json'), viztracerJson(timeline, [...WORKER_STACK.slice(0, 5), 'builtins.map', WORKER_STACK[5]!]));
    const input = join(FIXTURES, 'gil-3.11.txt.gz');
    for (const flag of ['--viztracer', '--input-viztracer']) {
      const good = runOffgil(['-i', input, flag, join(dir, 'good.json')]);
      assert.equal(good.status, 0, good.stderr);
      assert.match(good.stdout, /;is_prime \(gil_contention\.py:14\);take_gil \d+\n/);
    }
    const bad = runOffgil(['-i', input, '--viztracer', join(dir, 'split.json'), '-o', join(dir, 'out.folded')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /split\.json: the Python stacks of \d+ switch-out\(s\) do not fit the native stacks \(first at .*gil-3\.11\.txt\.gz:\d+\); --allow-mismatch keeps going/);
    const allowed = runOffgil(['-i', input, '--viztracer', join(dir, 'split.json'), '--allow-mismatch']);
    assert.equal(allowed.status, 0);
    assert.match(allowed.stderr, /warning: \d+ switch-out\(s\) whose VizTracer stack does not fit/);
    const missing = runOffgil(['-i', input, '--viztracer', join(dir, 'none.json')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /none\.json: cannot read the VizTracer trace \(ENOENT\)/);
    writeFileSync(join(dir, 'broken.json'), '{"traceEvents": [');
    assert.match(runOffgil(['-i', input, '--viztracer', join(dir, 'broken.json')]).stderr, /broken\.json: not a VizTracer JSON file/);
  });
});

describe('--python-only', () => {
  test('system-wide recording: only the Python process threads remain', () => {
    const text = fixtureText('systemwide-3.11');
    const all = analyze(text, { states: ['all'], rootFrame: 'comm' });
    const python = analyze(text, { states: ['all'], rootFrame: 'comm', pythonOnly: true });
    const roots = (result: AnalysisResult): Set<string> => new Set([...result.stacks.keys()].map((stack) => stack.split(';')[0]!));
    assert.ok(roots(all).size > roots(python).size, `${[...roots(all)].join(',')}`);
    assert.deepEqual([...roots(python)], ['python3.11']);
    assert.ok(python.threads.every((thread) => thread.comm === 'python3.11'));
    assert.equal(python.threads.length, 5);
  });
});
