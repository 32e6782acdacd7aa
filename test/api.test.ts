/** The package entry point as another project imports it. */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createGunzip } from 'node:zlib';
import { analyze, analyzeStream, formatFolded, offgil, OffGilAnalyzer, UserError } from 'offgil';
import { FIXTURES } from './helpers/paths.js';
import { GIL_WAIT_FOLDED, GIL_WAIT_STACK, sched_switch } from './helpers/perfText.js';

const fixture = join(FIXTURES, 'gil-3.11-switch.txt.gz');

test("offgil(path) reads .gz text; analyzeStream and OffGilAnalyzer agree with it", async () => {
  const fromPath = await offgil(fixture, { rootFrame: 'tid' });
  assert.equal(fromPath.totalUs, 460584);
  const streamed = await analyzeStream(createReadStream(fixture).pipe(createGunzip()), { rootFrame: 'tid' });
  assert.deepEqual([...streamed.stacks], [...fromPath.stacks]);
  const analyzer = new OffGilAnalyzer({ rootFrame: 'tid' });
  for await (const chunk of createReadStream(fixture).pipe(createGunzip())) analyzer.push(chunk as Buffer);
  assert.equal(formatFolded(analyzer.finish().stacks), formatFolded(fromPath.stacks));
});

test('analyze(lines) and the onInterval hook', () => {
  const seen: [number, string, number][] = [];
  const text =
    sched_switch({ time: '1.000000', prevPid: 10, nextPid: 0, stack: GIL_WAIT_STACK }) +
    sched_switch({ time: '1.000300', prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: 10 });
  const result = analyze(text.split('\n'), { onInterval: (interval, cls) => seen.push([interval.tid, cls, interval.endNs - interval.startNs]) });
  assert.deepEqual([...result.stacks], [[GIL_WAIT_FOLDED, 300]]);
  assert.deepEqual(seen, [[10, 'gil', 300_000]]);
});

test('input errors carry the file and line', async () => {
  await assert.rejects(offgil('/nonexistent/x.txt'), (error: unknown) => error instanceof UserError && error.message === '/nonexistent/x.txt: no such file');
  async function* garbage(): AsyncGenerator<string> {
    yield 'not perf\n';
  }
  await assert.rejects(offgil(garbage()), /^UserError: input:1: not a perf script header/);
});
