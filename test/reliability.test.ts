/**
 * Inputs that would once have given silently wrong numbers (docs/reliability.md): time going back,
 * stacks of 100,000 frames, a million distinct stacks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze } from '../src/analyze.js';
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

describe('ids that do not fit', () => {
  test('a thread id beyond 32 bits is never merged with another or printed as 1e+30: the event is skipped and counted', () => {
    const huge = '1000000000000000000000000000000';
    const text =
      sched_switch({ time: '1.000000', prevPid: 10, nextPid: 0, stack: GIL_WAIT_STACK }) +
      switchIn('1.000300', 10) +
      sched_switch({ time: '1.000400', prevPid: 11, nextPid: 0, stack: GIL_WAIT_STACK }).replace('prev_pid=11', `prev_pid=${huge}`) +
      switchIn('1.000900', 11);
    const result = analyze(text, { rootFrame: 'tid', states: ['all'] });
    assert.deepEqual([...result.stacks], [[`python3-10/10;${GIL_WAIT_FOLDED}`, 300]]);
    assert.deepEqual(result.warnings.map((w) => [w.code, w.count]).filter(([code]) => code === 'skipped-events'), [['skipped-events', 1]]);
    assert.ok(!formatFolded(result.stacks).includes('e+'));
  });
});
