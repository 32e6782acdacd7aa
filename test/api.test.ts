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

test('holders through the package API: onWait stretches, holderStack, holderViews and findings', async () => {
  const { OffGilAnalyzer: Analyzer, HANDOFF, holderStateOf, offgil: run } = await import('offgil');
  const seen = new Map<string, number>();
  const analyzer = new Analyzer({
    holders: true,
    onWait(wait) {
      for (const stretch of wait.stretches) {
        const who = stretch.holder === HANDOFF ? '(handoff)' : String(stretch.holder);
        const key = `${wait.interval.tid}<-${who}:${holderStateOf(stretch.holderInterval)}:${stretch.release ? analyzer.holderStack(stretch.release).at(-1) : ''}`;
        seen.set(key, (seen.get(key) ?? 0) + stretch.endNs - stretch.startNs);
      }
    },
  });
  for await (const chunk of createReadStream(fixture).pipe(createGunzip())) analyzer.push(chunk as Buffer);
  const result = analyzer.finish();
  // Thread 6060's wait is covered exactly by its stretches; 6062 held the GIL for 53.8 ms of it (summary JSON test).
  const waitedNs = [...seen].filter(([key]) => key.startsWith('6060<-')).reduce((sum, [, ns]) => sum + ns, 0);
  assert.equal(waitedNs, result.threads.find((thread) => thread.tid === 6060)!.gilNs);
  const by6062 = [...seen].filter(([key]) => key.startsWith('6060<-6062:')).reduce((sum, [, ns]) => sum + ns, 0);
  assert.equal(Math.floor(by6062 / 1000), 53_843);
  assert.ok(seen.has('6060<-6062:running:drop_gil'));
  const fromPath = await run(fixture, { holders: true, rootFrame: 'tid' });
  assert.equal([...fromPath.holderViews!.withHolders.values()].reduce((a, b) => a + b, 0), 460584);
  assert.deepEqual(result.findings, []);
});
