/**
 * Inputs that would once have given silently wrong numbers (docs/reliability.md): time going back,
 * stacks of 100,000 frames, a million distinct stacks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, OffGilAnalyzer } from '../src/analyze.js';
import { PerfInputError } from '../src/perf/scriptParser.js';
import { MAX_LINE_BYTES } from '../src/util/lineLength.js';
import { runBin, runOffgil } from './helpers/cli.js';
import { formatFolded } from '../src/render/folded.js';
import { frame, GIL_WAIT_FOLDED, GIL_WAIT_STACK, KERNEL, sched_switch } from './helpers/perfText.js';

const switchIn = (time: string, tid: number): string => sched_switch({ time, prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: tid });

describe('time that goes back', () => {
  test('an event earlier than one before it is skipped and counted: no negative duration', () => {
    const text =
      sched_switch({ time: '2.000000', prevPid: 10, nextPid: 0, stack: GIL_WAIT_STACK }) +
      switchIn('1.000500', 10) + // from an older recording pasted after it
      switchIn('2.000300', 10);
    const result = analyze(text, { holders: true });
    assert.deepEqual([...result.stacks], [[GIL_WAIT_FOLDED, 300]]);
    assert.ok(result.threads.every((thread) => thread.gilNs >= 0 && thread.observedNs >= 0 && thread.runningNs >= 0));
    const warning = result.warnings.find((w) => w.code === 'time-goes-back')!;
    assert.equal(warning.count, 1);
    assert.match(warning.message, /^1 event\(s\) earlier than an event before them were skipped \(first at line 17\)/);
  });
});

describe('deep stacks', () => {
  test('a 100,000-frame switch-out stack folds without recursion', () => {
    const deep = [...GIL_WAIT_STACK.slice(0, 9), ...Array.from({ length: 100_000 }, (_, i) => frame(`f${i}`)), frame('start_thread', KERNEL)];
    const text = sched_switch({ time: '1.000000', prevPid: 10, nextPid: 0, stack: deep }) + switchIn('1.000500', 10);
    const result = analyze(text, { holders: true, timeline: true });
    const [line] = formatFolded(result.stacks).split('\n');
    assert.equal(line!.split(';').length, 100_002);
    assert.ok(line!.startsWith('start_thread;f99999;f99998;') && line!.endsWith(';f0;take_gil 500'));
  });
});

describe('line-length limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offgil-long-'));
  const wait = sched_switch({ time: '1.000000', prevPid: 10, nextPid: 0, stack: GIL_WAIT_STACK }) + switchIn('1.000500', 10);
  const longLine = 'x'.repeat(MAX_LINE_BYTES + 1000);

  test('a line longer than 16 MiB without a newline: one error naming the line, in linear time; --partial keeps what came before', () => {
    const input = join(dir, 'long.txt');
    writeFileSync(input, wait + longLine);
    const started = Date.now();
    const result = runOffgil(['-i', input]);
    assert.equal(result.status, 2);
    const line = wait.split('\n').length;
    assert.equal(result.stderr, `offgil: ${input}:${line}: line longer than 16 MiB without a newline: not perf script text (the limit is in docs/reliability.md)\n`);
    const partial = runOffgil(['-i', input, '--partial']);
    assert.equal(partial.status, 2);
    assert.equal(partial.stdout, `${GIL_WAIT_FOLDED} 500\n`);
    const folded = join(dir, 'long.folded');
    writeFileSync(folded, `a;b 1\n${longLine}`);
    const flamegraph = runBin('flamegraph', [folded]);
    assert.equal(flamegraph.status, 2);
    assert.match(flamegraph.stderr, /^flamegraph: .*long\.folded:2: line longer than 16 MiB without a newline: not folded stacks/);
    assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
  });

  test('the analyzer checks it for library callers too, whatever the chunks', () => {
    const analyzer = new OffGilAnalyzer();
    analyzer.push(Buffer.from(wait));
    for (let i = 0; i < 16; i++) analyzer.push(Buffer.alloc(1 << 20, 0x61));
    assert.throws(() => analyzer.push(Buffer.alloc(10, 0x61)), (error: unknown) => error instanceof PerfInputError && error.line === wait.split('\n').length);
  });
});
