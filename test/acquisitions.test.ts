/**
 * semantics.md §6 on hand-written inputs: acquisitions (runs of GIL waits less than 200 µs apart) and
 * forced switch requests (GIL waits of 4.9 ms or more without a hand-off wake of the waiter).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze, type AnalyzeOptions } from '../src/analyze.js';
import { FUTEX_KERNEL, frame, inTimeOrder, LIBC, offCpu, otherEvent, wake } from './helpers/perfText.js';

const X = 1;
const T = 2;

function acquisitionsOf(text: string, options: AnalyzeOptions = {}) {
  return analyze(text, { holders: true, ...options }).threads.find((thread) => thread.tid === T)!.acquisitions!;
}

describe('acquisitions', () => {
  test('a GIL wait starting less than 200 µs after the previous one continues the acquisition; 200 µs starts a new one', () => {
    const text = inTimeOrder(
      otherEvent('1.000000', X),
      offCpu(T, '1.000000', '1.001000'),
      offCpu(T, '1.001199', '1.002000'),
      offCpu(T, '1.002200', '1.003000'),
      offCpu(T, '1.005000', '1.005500'),
    );
    const acquisitions = acquisitionsOf(text);
    assert.equal(acquisitions.count, 3);
    // Waits 1,801 µs (1,000 + 801), 800 µs and 500 µs: nearest-rank median and p95.
    assert.equal(acquisitions.medianNs, 800_000);
    assert.equal(acquisitions.p95Ns, 1_801_000);
    assert.equal(acquisitions.maxNs, 1_801_000);
  });

  test('an acquisition that takes the GIL back after a blocking call is a re-acquisition (PyEval_RestoreThread below take_gil)', () => {
    const wait = [...FUTEX_KERNEL, frame('pthread_cond_timedwait@@GLIBC_2.3.2', LIBC), frame('take_gil')];
    const afterRead = [...wait, frame('PyEval_RestoreThread'), frame('_Py_read'), frame('os_read')];
    const attach313 = [...wait, frame('_PyThreadState_Attach'), frame('PyEval_RestoreThread'), frame('sock_recv')];
    const text = inTimeOrder(
      offCpu(T, '1.000000', '1.005000', { stack: afterRead }),
      offCpu(T, '1.010000', '1.011000'),
      offCpu(T, '1.020000', '1.024000', { stack: attach313 }),
    );
    const acquisitions = acquisitionsOf(text);
    assert.equal(acquisitions.count, 3);
    assert.equal(acquisitions.reacquisitions, 2);
    // 5,000 and 4,000 µs; the eval-loop wait in between (GIL_WAIT_STACK) is not one.
    assert.equal(acquisitions.reacquisitionMedianNs, 4_000_000);
  });
});

describe('forced switch requests', () => {
  const forced = (durations: readonly string[], handOffAt?: string, options: AnalyzeOptions = {}): number | undefined => {
    const parts = [otherEvent('1.000000', X)];
    durations.forEach((end, i) => parts.push(offCpu(T, `1.${String(i + 1).padStart(2, '0')}0000`, `1.${String(i + 1).padStart(2, '0')}${end}`)));
    if (handOffAt !== undefined) parts.push(wake({ time: handOffAt, waker: X, target: T }));
    return acquisitionsOf(inTimeOrder(...parts), options).forcedSwitches;
  };

  test('a GIL wait of 4.9 ms or more without a hand-off wake of the waiter (its timed wait ran out)', () => {
    assert.equal(forced(['4900']), 1);
    assert.equal(forced(['4899']), 0);
    assert.equal(forced(['4900', '4950', '6000']), 3);
  });

  test('a hand-off wake inside the wait means it was handed the GIL, not forced', () => {
    assert.equal(forced(['4900'], '1.014000'), 0);
    assert.equal(forced(['4900'], '1.015000'), 1, 'a wake after the wait does not count');
  });

  test('--switch-interval scales the threshold (98 %)', () => {
    assert.equal(forced(['0980'], undefined, { switchIntervalMs: 1 }), 1);
    assert.equal(forced(['0979'], undefined, { switchIntervalMs: 1 }), 0);
  });

  test('unknown without holder attribution (no wake stacks read)', () => {
    const text = inTimeOrder(otherEvent('1.000000', X), offCpu(T, '1.010000', '1.015000'));
    assert.equal(analyze(text).threads.find((thread) => thread.tid === T)!.acquisitions!.forcedSwitches, undefined);
  });
});
