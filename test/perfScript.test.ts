/**
 * perf script in parallel time slices (src/io/perfScript.ts): the slices' text, each without the
 * side-band records perf prints outside its range, concatenates to exactly what one run prints.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { perfScriptArgs } from '../src/io/input.js';
import { nsToTime, perfScriptChunks, SideBandFilter, timeSlices, timeToNs } from '../src/io/perfScript.js';
import { findPythonWithSymbols, recordSched } from './helpers/record.js';
import { FIXTURES } from './helpers/paths.js';
import { perfUnavailable, requireOrSkip } from './helpers/system.js';

describe('time slices', () => {
  test('times as integer nanoseconds both ways', () => {
    assert.equal(timeToNs('926.411976500'), 926_411_976_500n);
    assert.equal(timeToNs('1235.794762'), 1_235_794_762_000n);
    assert.equal(nsToTime(926_411_976_500n), '926.411976500');
    assert.equal(nsToTime(5n), '0.000000005');
  });

  test('slices cover the span without overlap: each ends 1 ns before the next, the outer ends open', () => {
    assert.deepEqual(timeSlices(1_000n, 1_300n, 3), [
      { fromNs: undefined, toNs: 1_099n },
      { fromNs: 1_100n, toNs: 1_199n },
      { fromNs: 1_200n, toNs: undefined },
    ]);
  });

  test('the side-band filter drops PERF_RECORD lines outside the slice, at any chunking, and keeps everything else', () => {
    const text = [
      'python3 1/2 [000] 1.000000099: PERF_RECORD_SWITCH OUT',
      'python3 1/2 [000] 1.000000100: sched:sched_switch: prev_comm=python3 prev_pid=2 prev_state=S ==> next_comm=swapper/0 next_pid=0',
      '\tffffffff schedule ([kernel.kallsyms])',
      '',
      '      python3 1/2 [000] 1.000000100: PERF_RECORD_SWITCH IN  ',
      'python3 1/2 [001] 1.000000200: PERF_RECORD_LOST lost 3',
      'python3 1/2 [001] 1.000000201: PERF_RECORD_SWITCH OUT',
      '',
    ].join('\n');
    const expected = text.split('\n').filter((_, i) => i !== 0 && i !== 6).join('\n');
    for (const size of [1, 7, 64, text.length]) {
      const filter = new SideBandFilter({ fromNs: 1_000_000_100n, toNs: 1_000_000_200n });
      const parts: Buffer[] = [];
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += size) parts.push(filter.push(bytes.subarray(at, at + size)));
      parts.push(filter.end());
      assert.equal(Buffer.concat(parts).toString(), expected, `chunks of ${size}`);
    }
  });
});

test('a real recording: three parallel slices give the bytes of one perf script run', async (t) => {
  const build = findPythonWithSymbols();
  if (!requireOrSkip(t, perfUnavailable() ?? (build === undefined ? 'no pyenv CPython with libpython' : undefined))) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-slices-'));
  const data = join(dir, 'perf.data');
  recordSched(data, [build!.python, join(FIXTURES, 'workloads', 'io_and_cpu.py')]);
  const args = perfScriptArgs(data);
  const one = execFileSync('perf', args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  const parts: Buffer[] = [];
  for await (const chunk of perfScriptChunks(data, args, 3)) parts.push(chunk);
  const sliced = Buffer.concat(parts);
  assert.ok(one.length > 100_000, 'a recording with some events');
  assert.ok(sliced.equals(one), `sliced ${sliced.length} bytes, one run ${one.length} bytes`);
});
