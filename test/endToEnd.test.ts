/** Record a short GIL-bound Python program with real perf and run the offgil command on the perf.data. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runOffgil } from './helpers/cli.js';
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
  // Three CPU-bound threads share one GIL for ~0.3 s: each waits about two thirds of the time.
  assert.ok(total > 100_000, `total GIL wait ${total} µs`);
  assert.match(result.stderr, /thread\s+tid\s+observed µs\s+GIL wait µs/);
  const rows = result.stderr.split('\n').filter((row) => /^python3\.\d+\s+\d+/.test(row));
  const waiting = rows.filter((row) => Number(row.trim().split(/\s+/)[3]) > 10_000);
  assert.ok(waiting.length >= 3, `summary rows with > 10 ms GIL wait:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /warning/);
});
