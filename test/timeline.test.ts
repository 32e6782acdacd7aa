/** The timeline model: every interval of every thread, with folded stacks and GIL holders. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze } from '../src/analyze.js';
import { FIXTURES } from './helpers/paths.js';
import { GIL_WAIT_FOLDED, inTimeOrder, offCpu, otherEvent, SLEEP_FOLDED, SLEEP_STACK, wake } from './helpers/perfText.js';

test('lanes hold every class, shown or not, with stacks and holders', () => {
  const text = inTimeOrder(
    otherEvent('1.000000', 1),
    offCpu(2, '1.000100', '1.004100'),
    wake({ time: '1.004000', waker: 1, target: 2 }),
    offCpu(2, '1.005000', '1.006000', { stack: SLEEP_STACK }),
  );
  const timeline = analyze(text, { holders: true, timeline: true }).timeline!;
  assert.deepEqual(
    timeline.threads().map((lane) => [lane.tid, lane.length]),
    [[2, 2]],
  );
  const [wait, sleep] = [...timeline.lane(2)!.intervals()];
  assert.deepEqual({ ...wait, stack: timeline.stacks[wait!.stack]!.join(';') }, {
    startNs: 100_000,
    endNs: 4_100_000,
    cls: 'gil',
    stack: GIL_WAIT_FOLDED,
    shown: true,
    holders: [
      { tid: 1, ns: 3_900_000, state: 'running' },
      { tid: -1, ns: 100_000, state: 'running' },
    ],
  });
  assert.deepEqual({ ...sleep, stack: timeline.stacks[sleep!.stack]!.join(';') }, { startNs: 5_000_000, endNs: 6_000_000, cls: 'S', stack: SLEEP_FOLDED, shown: false, holders: undefined });
  assert.equal(timeline.lane(2)!.runningNs(), 900_000);
  assert.equal(timeline.baseSeconds, 1);
  assert.equal(timeline.endNs, 6_000_000);
});

test('a real recording: per thread, the lane’s GIL waits add up to the summary’s', () => {
  const text = gunzipSync(readFileSync(join(FIXTURES, 'io-3.13.txt.gz'))).toString('utf8');
  const result = analyze(text, { holders: true, timeline: true });
  for (const thread of result.threads) {
    let gilNs = 0;
    let holderNs = 0;
    for (const interval of result.timeline!.lane(thread.tid)!.intervals()) {
      if (interval.cls !== 'gil') continue;
      gilNs += interval.endNs - interval.startNs;
      holderNs += interval.holders!.reduce((sum, holder) => sum + holder.ns, 0);
    }
    assert.equal(gilNs, thread.gilNs, `thread ${thread.tid}`);
    assert.equal(holderNs, thread.gilNs, `thread ${thread.tid} holders`);
  }
});
