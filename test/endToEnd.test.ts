/** Record a short GIL-bound Python program with real perf and run the offgil command on the perf.data. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { pageData } from './helpers/page.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runOffgil, runOffgilAsync } from './helpers/cli.js';
import { ROOT } from './helpers/paths.js';
import { findPythonWithSymbols, GIL_WORKLOAD, recordSched } from './helpers/record.js';
import { perfUnavailable, requireOrSkip } from './helpers/system.js';

test('perf record → offgil reads ./perf-sched.data itself and shows the GIL waits', (t) => {
  const build = findPythonWithSymbols();
  if (!requireOrSkip(t, perfUnavailable() ?? (build === undefined ? 'no pyenv CPython with libpython' : undefined))) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-e2e-'));
  recordSched(join(dir, 'perf-sched.data'), [build!.python, GIL_WORKLOAD, '3', '4000']);

  const result = runOffgil(['--summary', '--tid'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.ok(lines.length >= 3, `one GIL tower per worker at least:\n${result.stdout}`);
  let total = 0;
  const threads = new Set<string>();
  for (const line of lines) {
    const match = /^(python3\.\d+-\d+\/\d+);(.*);(take_gil[\w.]*) (\d+)$/.exec(line);
    assert.ok(match, `a stripped GIL stack with a thread root frame: ${line}`);
    threads.add(match[1]!);
    total += Number(match[4]);
  }
  assert.ok(threads.size >= 3, `three worker threads wait for the GIL: ${[...threads].join(', ')}`);
  // Three CPU-bound threads share one GIL for ~0.3 s: each waits about two thirds of the time on an
  // idle machine, less when the other tests keep the CPUs busy.
  assert.ok(total > 30_000, `total GIL wait ${total} µs`);
  assert.match(result.stderr, /thread\s+pid\s+tid\s+observed\s+running\s+GIL wait/);
  const rows = result.stderr.split('\n').filter((row) => /^python3\.\d+\s+\d+/.test(row));
  // Columns: thread, pid, tid, observed, running, GIL wait (ms).
  const waiting = rows.filter((row) => Number(row.trim().split(/\s+/)[5]) > 5);
  assert.ok(waiting.length >= 3, `summary rows with > 5 ms GIL wait:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /warning/);
});

test('offgil record -- python3.12 -X perf: Python frames from the trampolines, folded and HTML written', (t) => {
  const build = findPythonWithSymbols(['3.12.1']);
  if (!requireOrSkip(t, perfUnavailable() ?? (build === undefined ? 'no pyenv CPython 3.12' : undefined))) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-record-'));
  const result = runOffgil(
    ['record', '--data', join(dir, 'perf-sched.data'), '-o', join(dir, 'out.folded'), '--html', join(dir, 'out.html'), '--', build!.python, '-X', 'perf', GIL_WORKLOAD, '3', '3000'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.equal(result.status, 0, result.stderr);
  const folded = readFileSync(join(dir, 'out.folded'), 'utf8');
  assert.match(folded, /^is_prime \(gil_contention\.py\);take_gil \d+$/m, folded);
  assert.ok(pageData(readFileSync(join(dir, 'out.html'), 'utf8')).names.includes('is_prime (gil_contention.py)'));
  assert.match(result.stderr, /primes: \[430, 430, 430\]/, "the recorded program's own output passes through, on stderr");
  assert.equal(result.stdout, '', "offgil's stdout carries only its results (here they went to -o)");
});

test('offgil record -- python3.13 -X perf_jit: perf inject --jit runs, full Python stacks', (t) => {
  const build = findPythonWithSymbols(['3.13.0']);
  if (!requireOrSkip(t, perfUnavailable() ?? (build === undefined ? 'no pyenv CPython 3.13' : undefined))) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-record-jit-'));
  const result = runOffgil(['record', '--data', join(dir, 'perf-sched.data'), '--', build!.python, '-X', 'perf_jit', GIL_WORKLOAD, '3', '3000'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /primes:/, "the program's print() never becomes a folded line");
  assert.match(result.stdout, /;Thread\.run \(threading\.py\);worker \(gil_contention\.py\);count_primes \(gil_contention\.py\);is_prime \(gil_contention\.py\);take_gil \d+$/m, result.stdout);
});

test('offgil record of a command that cannot run: one-line error, exit 2', (t) => {
  if (!requireOrSkip(t, perfUnavailable())) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-record-bad-'));
  const result = runOffgil(['record', '--data', join(dir, 'perf-sched.data'), '--', '/nonexistent/program'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /\noffgil: perf record failed \(exit status 255\) and left no usable recording: .*perf-sched\.data: perf script failed: .*\n$/);
});

test('offgil record -X perf: a subprocess started without -X gets perf support too (PYTHONPERFSUPPORT)', (t) => {
  const build = findPythonWithSymbols(['3.12.1']);
  if (!requireOrSkip(t, perfUnavailable() ?? (build === undefined ? 'no pyenv CPython 3.12' : undefined))) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-record-child-'));
  // The child reports its pid and whether perf support reached it; its perf map proves the trampolines ran.
  const child = 'import os, sys; print("child", os.getpid(), os.environ.get("PYTHONPERFSUPPORT"), sys._xoptions, file=sys.stderr)';
  const parent = `import subprocess, sys; subprocess.run([sys.executable, '-c', ${JSON.stringify(child)}], check=True)`;
  const result = runOffgil(['record', '--data', join(dir, 'perf-sched.data'), '--', build!.python, '-X', 'perf', '-c', parent], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(result.status, 0, result.stderr);
  const match = /child (\d+) 1 \{\}/.exec(result.stderr);
  assert.ok(match, `the child got PYTHONPERFSUPPORT=1 without -X:\n${result.stderr}`);
  assert.ok(existsSync(`/tmp/perf-${match[1]}.map`), 'and wrote its perf map');
  rmSync(`/tmp/perf-${match[1]}.map`, { force: true });
});

test('offgil record --pid PID --duration S attaches to a running program', async (t) => {
  const build = findPythonWithSymbols();
  if (!requireOrSkip(t, perfUnavailable() ?? (build === undefined ? 'no pyenv CPython with libpython' : undefined))) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-record-pid-'));
  const program = spawn(build!.python, [GIL_WORKLOAD, '3', '40000'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await runOffgilAsync(['record', '--data', join(dir, 'perf-sched.data'), '--pid', String(program.pid), '--duration', '0.5', '--tid', '--summary'], dir);
    assert.equal(result.status, 0, result.stderr);
    const roots = new Set(result.stdout.trimEnd().split('\n').map((line) => line.split(';')[0]));
    assert.ok(roots.size >= 3, `three threads wait for the GIL: ${[...roots].join(', ')}`);
    for (const root of roots) assert.match(root!, new RegExp(`^python3\\.\\d+-${program.pid}/\\d+$`));
    assert.match(result.stderr, /findings:/);
  } finally {
    program.kill();
  }
});

test('offgil record -- sleep (no Python): says that no Python thread was seen', (t) => {
  if (!requireOrSkip(t, perfUnavailable())) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-record-sleep-'));
  const result = runOffgil(['record', '--data', join(dir, 'perf-sched.data'), '--', 'sleep', '0.2'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /offgil: warning: no Python thread was seen: none of the \d+ switch-out stacks passes through a Python interpreter/);
});

test('offgil record: SIGTERM to offgil stops perf and the program, and what was recorded is analysed', async (t) => {
  const build = findPythonWithSymbols();
  if (!requireOrSkip(t, perfUnavailable() ?? (build === undefined ? 'no pyenv CPython with libpython' : undefined))) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-record-term-'));
  // Three contending threads for ~30 s unless stopped; it says when they run (its stdout goes to offgil's stderr).
  const program =
    `import sys, threading; sys.path.insert(0, ${JSON.stringify(join(ROOT, 'fixtures', 'workloads'))}); from gil_contention import count_primes\n` +
    `threads = [threading.Thread(target=count_primes, args=(200000,)) for _ in range(3)]\n` +
    `[t.start() for t in threads]; print('started', flush=True); [t.join() for t in threads]`;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'offgil'), 'record', '--data', join(dir, 'perf-sched.data'), '--tid', '--', build!.python, '-c', program], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  for (const deadline = Date.now() + 60_000; !stderr.includes('started') && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 700));
  const started = Date.now();
  child.kill('SIGTERM');
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.ok(Date.now() - started < 20_000, 'stopped well before the program would have ended');
  assert.match(stderr, /the recorded command exited with status/);
  assert.ok(stdout.trimEnd().split('\n').length >= 2, `the recording was analysed:\n${stdout}\n${stderr}`);
  assert.equal(status, 0, stderr);
  const left = spawnSync('pgrep', ['-f', 'args=\\(200000,\\)'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', 'no recorded program left running');
});
