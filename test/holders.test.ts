/**
 * One test per rule of ../shared/docs/semantics.md §5 (holders), on small hand-written inputs with
 * exact expected stretches (µs after the first timestamp's second).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze, type AnalyzeOptions } from '../src/analyze.js';
import { HANDOFF, UNKNOWN, type AttributedWait } from '../src/holders/attribution.js';
import { holderStateOf } from '../src/holders/holderStats.js';
import {
  DROP_GIL_STACK,
  frame,
  FUTEX_WAKE_KERNEL,
  GIL_WAIT_FOLDED,
  HANDOFF_WAKE_STACK,
  HOLDER_FOLDED,
  HOLDER_LEAF_FIRST,
  inTimeOrder,
  KERNEL,
  LIBC,
  offCpu,
  otherEvent,
  SLEEP_STACK,
  wake,
} from './helpers/perfText.js';

type Label = number | 'handoff' | 'unknown';
/** [holder, start µs, end µs] of each stretch, consecutive stretches of one holder joined. */
type Stretches = [Label, number, number][];

function label(holder: number): Label {
  return holder === HANDOFF ? 'handoff' : holder === UNKNOWN ? 'unknown' : holder;
}

/** Every GIL wait's stretches, by waiter thread, in time order. */
function attribute(text: string, options: AnalyzeOptions = {}): Map<number, Stretches[]> {
  const waits: AttributedWait[] = [];
  analyze(text, { holders: true, onWait: (wait) => waits.push(wait), ...options });
  const byThread = new Map<number, Stretches[]>();
  for (const wait of waits.sort((a, b) => a.interval.startNs - b.interval.startNs)) {
    const joined: Stretches = [];
    for (const stretch of wait.stretches) {
      const last = joined[joined.length - 1];
      const holder = label(stretch.holder);
      if (last !== undefined && last[0] === holder && last[2] === stretch.startNs / 1000) last[2] = stretch.endNs / 1000;
      else joined.push([holder, stretch.startNs / 1000, stretch.endNs / 1000]);
    }
    const list = byThread.get(wait.interval.tid) ?? [];
    list.push(joined);
    byThread.set(wait.interval.tid, list);
  }
  return byThread;
}

const X = 1;
const T = 2;
/** Scenarios with threads that no hand-off joins print PID/TID headers, so that all share process P. */
const P = 50;
const inP = { pid: P };
const headerInP = (tid: number): string => `python3 ${P}/${tid}`;
const seenInP = (time: string, tid: number): string => otherEvent(time, tid, 'sched:sched_stat_runtime', headerInP(tid));
const wakeInP = (time: string, waker: number, target: number): string => wake({ time, waker, target, header: headerInP(waker) });

/** X is seen first; T waits from .000100 to .004100; X hands the GIL to T at .004000. */
const basic = inTimeOrder(otherEvent('1.000000', X), offCpu(T, '1.000100', '1.004100'), wake({ time: '1.004000', waker: X, target: T }));

describe('the first release after a moment names the holder', () => {
  test('the releaser held the GIL until its hand-off wake; the window to the switch-in is (handoff)', () => {
    assert.deepEqual(attribute(basic).get(T), [
      [
        [X, 100, 4000],
        ['handoff', 4000, 4100],
      ],
    ]);
  });

  test('--with-holders: WAITER;--;HOLDER leaf first; --holders: the holder stack root first; both sum to the plain total', () => {
    const result = analyze(basic, { holders: true });
    assert.deepEqual([...result.stacks], [[GIL_WAIT_FOLDED, 4000]]);
    assert.deepEqual([...result.holderViews!.withHolders], [
      [`${GIL_WAIT_FOLDED};--;(handoff)`, 100],
      [`${GIL_WAIT_FOLDED};--;${HOLDER_LEAF_FIRST}`, 3900],
    ]);
    assert.deepEqual([...result.holderViews!.holders], [
      ['(handoff)', 100],
      [HOLDER_FOLDED, 3900],
    ]);
  });

  test('root frames: the waiter’s first, the holder’s last (--tid, --pid, --comm)', () => {
    const views = (rootFrame: AnalyzeOptions['rootFrame']) => analyze(basic, { holders: true, rootFrame }).holderViews!;
    assert.deepEqual([...views('tid').withHolders.keys()], [
      `python3-2/2;${GIL_WAIT_FOLDED};--;(handoff)`,
      `python3-2/2;${GIL_WAIT_FOLDED};--;${HOLDER_LEAF_FIRST};python3-1/1`,
    ]);
    assert.deepEqual([...views('pid').holders.keys()], ['(handoff)', `python3-1;${HOLDER_FOLDED}`]);
    assert.deepEqual([...views('comm').holders.keys()], ['(handoff)', `python3;${HOLDER_FOLDED}`]);
  });

  test('without a release after it, the rest of a wait is (unknown)', () => {
    const text = inTimeOrder(seenInP('1.000000', X), offCpu(T, '1.000100', '1.004100', inP), wakeInP('1.002000', X, 5));
    assert.deepEqual(attribute(text).get(T), [
      [
        [X, 100, 2000],
        ['unknown', 2000, 4100],
      ],
    ]);
  });

  test('moments before the releaser’s first event are (unknown)', () => {
    const firstEventIsTheRelease = inTimeOrder(offCpu(T, '1.000100', '1.004100'), wake({ time: '1.004000', waker: X, target: T }));
    assert.deepEqual(attribute(firstEventIsTheRelease).get(T), [
      [
        ['unknown', 100, 4000],
        ['handoff', 4000, 4100],
      ],
    ]);
    const seenMidway = inTimeOrder(offCpu(T, '1.000100', '1.004100'), otherEvent('1.002000', X), wake({ time: '1.004000', waker: X, target: T }));
    assert.deepEqual(attribute(seenMidway).get(T), [
      [
        ['unknown', 100, 2000],
        [X, 2000, 4000],
        ['handoff', 4000, 4100],
      ],
    ]);
  });

  test('(handoff) when the next releaser is the waiter itself: it took a GIL that was free', () => {
    const text = inTimeOrder(
      otherEvent('1.000000', X),
      offCpu(T, '1.000100', '1.003100'),
      offCpu(X, '1.003000', '1.003200', { stack: DROP_GIL_STACK }),
      wake({ time: '1.006000', waker: T, target: X }),
    );
    const result = analyze(text, { holders: true });
    assert.equal(result.stats.holders!.dropSwitches, 1);
    assert.deepEqual(attribute(text).get(T), [
      [
        [X, 100, 3000],
        ['handoff', 3000, 3100],
      ],
    ]);
  });
});

describe('hand-off wakes', () => {
  const waitWithWake = (stack: readonly string[], event: 'sched_waking' | 'sched_wakeup' = 'sched_waking'): string =>
    inTimeOrder(otherEvent('1.000000', X), offCpu(T, '1.000100', '1.004100'), wake({ time: '1.004000', waker: X, target: T, stack, event }));
  const releases = (text: string): number => analyze(text, { holders: true }).stats.holders!.handoffWakes;

  test('a futex wake inside drop_gil is a release', () => {
    assert.equal(releases(waitWithWake(HANDOFF_WAKE_STACK)), 1);
  });

  test('not in interrupt or timer context: a timer firing on a traced thread’s CPU woke nobody on its behalf', () => {
    const timer = ['hrtimer_wakeup', '__hrtimer_run_queues', 'hrtimer_interrupt', '__sysvec_apic_timer_interrupt', 'sysvec_apic_timer_interrupt', 'asm_sysvec_apic_timer_interrupt'];
    const stack = [HANDOFF_WAKE_STACK[0]!, ...timer.map((name) => frame(name, KERNEL)), ...HANDOFF_WAKE_STACK.slice(1)];
    assert.equal(releases(waitWithWake(stack)), 0);
    assert.deepEqual(attribute(waitWithWake(stack)).get(T), [[['unknown', 100, 4100]]]);
    for (const name of ['asm_common_interrupt', 'irq_exit_rcu', '__irq_exit_rcu']) {
      assert.equal(releases(waitWithWake([frame(name, KERNEL), ...HANDOFF_WAKE_STACK])), 0, name);
    }
  });

  test('it needs a kernel futex frame and a drop_gil caller', () => {
    const noFutex = HANDOFF_WAKE_STACK.filter((line) => !/futex/.test(line));
    assert.equal(releases(waitWithWake(noFutex)), 0);
    const lockRelease = [...FUTEX_WAKE_KERNEL, frame('__GI___lll_lock_wake', LIBC), frame('lock_PyThread_release_lock'), frame('_PyEval_EvalFrameDefault')];
    assert.equal(releases(waitWithWake(lockRelease)), 0);
    // drop_gil's own mutex unlock waking a thread is a hand-off too (seen in the fixtures).
    const mutexWake = [...FUTEX_WAKE_KERNEL, frame('__GI___lll_lock_wake', LIBC), frame('__GI___pthread_mutex_unlock_usercnt', LIBC), frame('drop_gil')];
    assert.equal(releases(waitWithWake(mutexWake)), 1);
    const futexRequeue = [frame('try_to_wake_up', KERNEL), frame('futex_requeue', KERNEL), frame('pthread_cond_broadcast', LIBC), frame('drop_gil.constprop.0')];
    assert.equal(releases(waitWithWake(futexRequeue)), 1);
  });

  test('sched_wakeup counts only in an input without sched_waking', () => {
    assert.equal(releases(waitWithWake(HANDOFF_WAKE_STACK, 'sched_wakeup')), 1);
    const both = inTimeOrder(
      otherEvent('1.000000', X),
      wake({ time: '1.000050', waker: X, target: 7, stack: [frame('try_to_wake_up', KERNEL)] }),
      offCpu(T, '1.000100', '1.004100'),
      wake({ time: '1.004000', waker: X, target: T, event: 'sched_wakeup' }),
    );
    assert.equal(releases(both), 0);
  });
});

describe('hand-off windows', () => {
  const Y = 2;
  const W = 3;
  const Z = 4;

  test('a hand-off wake of a thread that is not in a GIL wait opens no window, but is a release', () => {
    const text = inTimeOrder(
      otherEvent('1.000000', X),
      offCpu(W, '1.000100', '1.009000'),
      offCpu(Y, '1.000100', '1.002500', { stack: SLEEP_STACK }),
      wake({ time: '1.002000', waker: X, target: Y }),
      wake({ time: '1.008000', waker: Y, target: W }),
    );
    assert.equal(analyze(text, { holders: true }).stats.holders!.windows, 1);
    assert.deepEqual(attribute(text).get(W), [
      [
        [X, 100, 2000],
        [Y, 2000, 8000],
        ['handoff', 8000, 9000],
      ],
    ]);
  });

  const extension = (state: string, start: string): string =>
    inTimeOrder(
      otherEvent('1.000000', X),
      offCpu(W, '1.000100', '1.008000'),
      offCpu(Y, '1.000200', '1.002200'),
      wake({ time: '1.002000', waker: X, target: Y }),
      offCpu(Y, start, '1.002500', { state }),
      wake({ time: '1.007000', waker: Y, target: W }),
    );

  test('a window extends over the woken thread’s next GIL wait when it starts < 100 µs later, preempted', () => {
    const result = attribute(extension('R', '1.002250'));
    assert.deepEqual(result.get(W), [
      [
        [X, 100, 2000],
        ['handoff', 2000, 2500],
        [Y, 2500, 7000],
        ['handoff', 7000, 8000],
      ],
    ]);
    assert.deepEqual(result.get(Y), [
      [
        [X, 200, 2000],
        ['handoff', 2000, 2200],
      ],
      [['handoff', 2250, 2500]],
    ]);
  });

  test('no extension for a sleeping wait, or one starting 100 µs or more after the end', () => {
    for (const [state, start] of [
      ['S', '1.002250'],
      ['R', '1.002300'],
    ] as const) {
      const result = attribute(extension(state, start));
      assert.deepEqual(
        result.get(W),
        [
          [
            [X, 100, 2000],
            ['handoff', 2000, 2200],
            [Y, 2200, 7000],
            ['handoff', 7000, 8000],
          ],
        ],
        `${state} at ${start}`,
      );
      // Y's own second wait: the next release is Y's own.
      assert.deepEqual(result.get(Y)![1], [['handoff', Number(start.slice(2)), 2500]]);
    }
  });

  test('a window is cut back where another thread’s GIL wait ends first (it took the free GIL)', () => {
    const text = inTimeOrder(
      seenInP('1.000000', X),
      offCpu(W, '1.000100', '1.008100', inP),
      offCpu(Z, '1.000150', '1.002100', inP),
      offCpu(Y, '1.000200', '1.003000', inP),
      wakeInP('1.002000', X, Y),
      offCpu(Z, '1.006000', '1.006100', { stack: DROP_GIL_STACK, ...inP }),
      wakeInP('1.008000', Y, W),
    );
    const result = attribute(text);
    assert.deepEqual(result.get(W), [
      [
        [X, 100, 2000],
        ['handoff', 2000, 2100],
        [Z, 2100, 6000],
        [Y, 6000, 8000],
        ['handoff', 8000, 8100],
      ],
    ]);
    assert.deepEqual(result.get(Y), [
      [
        [X, 200, 2000],
        ['handoff', 2000, 2100],
        [Z, 2100, 3000],
      ],
    ]);
    assert.deepEqual(result.get(Z)![0], [
      [X, 150, 2000],
      ['handoff', 2000, 2100],
    ]);
  });

  test('--until wakeup: the hand-off ends the wait, windows are empty and the rule applies as written', () => {
    const result = attribute(basic, { until: 'wakeup' });
    assert.deepEqual(result.get(T), [[[X, 100, 4000]]]);
  });
});

describe('processes', () => {
  // Two processes, A (100: releaser 100, waiter 101) and B (200: 200, 201), and a lone thread 300.
  const scenario = (withPids: boolean): string => {
    const pid = (p: number) => (withPids ? { pid: p } : {});
    const header = (p: number, tid: number) => (withPids ? `python3 ${p}/${tid}` : `python3 ${String(tid).padStart(5)}`);
    return inTimeOrder(
      otherEvent('1.000000', 100, 'sched:sched_stat_runtime', header(100, 100)),
      otherEvent('1.000000', 200, 'sched:sched_stat_runtime', header(200, 200)),
      offCpu(101, '1.000100', '1.006100', pid(100)),
      offCpu(201, '1.000200', '1.003100', pid(200)),
      offCpu(300, '1.002000', '1.002050', { stack: DROP_GIL_STACK, ...pid(300) }),
      wake({ time: '1.003000', waker: 200, target: 201, header: header(200, 200) }),
      wake({ time: '1.006000', waker: 100, target: 101, header: header(100, 100) }),
    );
  };
  const expected = new Map<number, Stretches[]>([
    [
      101,
      [
        [
          [100, 100, 6000],
          ['handoff', 6000, 6100],
        ],
      ],
    ],
    [
      201,
      [
        [
          [200, 200, 3000],
          ['handoff', 3000, 3100],
        ],
      ],
    ],
  ]);

  test('the holder is a thread of the waiter’s process: the PID of PID/TID headers', () => {
    assert.deepEqual(attribute(scenario(true)), expected);
    const roots = [...analyze(scenario(true), { holders: true, rootFrame: 'tid' }).holderViews!.holders.keys()].map((line) => line.split(';')[0]);
    assert.deepEqual(roots, ['(handoff)', 'python3-100/100', 'python3-200/200']);
  });

  test('without PIDs, threads joined by hand-off wakes form a process; a thread joined to none is alone', () => {
    assert.deepEqual(attribute(scenario(false)), expected);
  });
});

describe('what the holder was doing', () => {
  const USLEEP_STACK = [
    frame('__schedule', KERNEL),
    frame('do_nanosleep', KERNEL),
    frame('clock_nanosleep@GLIBC_2.2.5', LIBC),
    frame('usleep', LIBC),
    frame('ffi_call_unix64', '/usr/lib/x86_64-linux-gnu/libffi.so.8'),
    frame('_ctypes_callproc', '/root/.pyenv/versions/3.11.7/lib/python3.11/lib-dynload/_ctypes.so'),
    frame('_PyEval_EvalFrameDefault'),
    frame('py::blocker:/app/work.py', '/tmp/perf-50.map'),
    frame('start_thread', LIBC),
  ];
  const U = 3;
  const text = inTimeOrder(
    seenInP('1.000000', X),
    offCpu(T, '1.000100', '1.009100', inP),
    offCpu(U, '1.000100', '1.009100', inP),
    offCpu(X, '1.001000', '1.002000', { stack: SLEEP_STACK, state: 'R+', ...inP }),
    offCpu(X, '1.003000', '1.005000', { stack: USLEEP_STACK, state: 'S', ...inP }),
    wakeInP('1.009000', X, T),
  );

  test('stretches split at the holder’s own intervals: running, preempted, blocked', () => {
    const waits: AttributedWait[] = [];
    analyze(text, { holders: true, onWait: (wait) => waits.push(wait) });
    const states = waits[0]!.stretches.map((stretch) => [label(stretch.holder), holderStateOf(stretch.holderInterval), stretch.startNs / 1000, stretch.endNs / 1000]);
    assert.deepEqual(states, [
      [X, 'running', 100, 1000],
      [X, 'preempted', 1000, 2000],
      [X, 'running', 2000, 3000],
      [X, 'blocked', 3000, 5000],
      [X, 'running', 5000, 9000],
      ['handoff', 'running', 9000, 9100],
    ]);
  });

  test('held-while time is wall-clock, caused time counts every waiter; blocking stacks by their top frames', () => {
    const holder = analyze(text, { holders: true }).threads.find((thread) => thread.tid === X)!.holder!;
    assert.equal(holder.causedNs, 2 * 8_900_000);
    assert.deepEqual(holder.heldNs, { running: 5_900_000, preempted: 1_000_000, blocked: 2_000_000, waiting: 0 });
    assert.deepEqual(holder.causedByStateNs, { running: 11_800_000, preempted: 2_000_000, blocked: 4_000_000, waiting: 0 });
    assert.deepEqual(holder.blockingStacks, [{ frames: ['clock_nanosleep@GLIBC_2.2.5', 'usleep', 'ffi_call_unix64', '…', 'blocker (work.py)'], ns: 2_000_000 }]);
  });
});
