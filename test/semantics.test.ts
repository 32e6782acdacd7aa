/**
 * One test per rule of ../shared/docs/semantics.md §2–4, on small hand-written inputs with exact
 * expected folded lines (counts in µs).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fold, run } from './helpers/fold.js';
import {
  cpuWideRecord,
  frame,
  FUTEX_KERNEL,
  GIL_WAIT_FOLDED,
  GIL_WAIT_STACK,
  KERNEL,
  LIBC,
  otherEvent,
  sched_switch,
  sched_wake,
  SLEEP_FOLDED,
  SLEEP_STACK,
  switchRecord,
} from './helpers/perfText.js';

const T = 10;
const gilOut = (time: string, extra: Partial<Parameters<typeof sched_switch>[0]> = {}): string =>
  sched_switch({ time, prevPid: T, nextPid: 0, stack: GIL_WAIT_STACK, ...extra });
const switchInOfT = (time: string): string => sched_switch({ time, prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: T });

describe('the contract example: OUT records arrive after the switch-out', () => {
  // Verbatim from semantics.md §2 (CPython 3.11, --switch-events), with the blank line perf prints after stacks.
  const example = [
    'python3.11  8352 [001]  159.179033: sched:sched_switch: prev_comm=python3.11 prev_pid=8352 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120',
    'python3.11  8354 [000]  159.179055: PERF_RECORD_SWITCH IN',
    'python3.11  8354 [000]  159.179135: sched:sched_waking: comm=python3.11 pid=8352 prio=120 target_cpu=001',
    'python3.11  8352 [001]  159.179159: PERF_RECORD_SWITCH OUT',
    'python3.11  8352 [001]  159.179170: PERF_RECORD_SWITCH IN',
  ].join('\n');

  test('--until wakeup: the sched_waking closes it after 102 µs (rule 1)', () => {
    const result = run(example, { until: 'wakeup', states: ['all'] });
    assert.deepEqual([...result.stacks], [['[no stack]', 102]]);
    assert.deepEqual(result.stats.closedBy, { wakeup: 1, 'switch-in': 0, 'own event': 0 });
  });

  test('default (--until switch-in): the OUT record shows nothing, the IN closes it after 137 µs (rule 2)', () => {
    const result = run(example, { states: ['all'] });
    assert.deepEqual([...result.stacks], [['[no stack]', 137]]);
    assert.deepEqual(result.stats.closedBy, { wakeup: 0, 'switch-in': 1, 'own event': 0 });
  });
});

describe('opening', () => {
  test('a switch-out opens an interval carrying its stack; switch-in mode opens for every state', () => {
    const text = gilOut('1.000000') + switchInOfT('1.000250');
    assert.deepEqual(fold(text), [[GIL_WAIT_FOLDED, 250]]);
    const preempted = sched_switch({ time: '2.000000', prevPid: T, state: 'R+', nextPid: 11, stack: SLEEP_STACK }) + switchInOfT('2.000040');
    assert.deepEqual(fold(preempted, { states: ['R+'] }), [[SLEEP_FOLDED, 40]]);
  });

  test('--until wakeup opens only for states not starting with R', () => {
    const text =
      sched_switch({ time: '1.000000', prevPid: T, state: 'R', nextPid: 11, stack: SLEEP_STACK }) +
      switchInOfT('1.000100') +
      sched_switch({ time: '1.000200', prevPid: T, state: 'R+', nextPid: 11, stack: SLEEP_STACK }) +
      switchInOfT('1.000300') +
      sched_switch({ time: '1.000400', prevPid: T, state: 'D', nextPid: 11, stack: SLEEP_STACK }) +
      switchInOfT('1.000500');
    const result = run(text, { until: 'wakeup', states: ['all'] });
    assert.deepEqual([...result.stacks], [[SLEEP_FOLDED, 100]]);
    assert.deepEqual(result.stats.classNs, { D: 100_000 });
    assert.deepEqual(run(text, { states: ['all'] }).stats.classNs, { R: 100_000, 'R+': 100_000, D: 100_000 });
  });

  test('the interval takes the PID of a PID/TID header whose TID is the thread, else the thread id', () => {
    const text =
      sched_switch({ time: '1.000000', prevPid: T, nextPid: 0, header: 'python3  9/10', stack: GIL_WAIT_STACK }) +
      switchInOfT('1.000100') +
      sched_switch({ time: '1.000200', prevPid: T, nextPid: 0, header: 'python3  9/9', stack: GIL_WAIT_STACK }) +
      switchInOfT('1.000500');
    assert.deepEqual(fold(text, { rootFrame: 'pid' }), [
      [`python3-10;${GIL_WAIT_FOLDED}`, 300],
      [`python3-9;${GIL_WAIT_FOLDED}`, 100],
    ]);
  });

  test('thread id 0 (idle) and -1 never open or close an interval', () => {
    const text =
      sched_switch({ time: '1.000000', prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: 11, stack: SLEEP_STACK }) +
      sched_switch({ time: '1.000100', prevComm: ':-1', prevPid: -1, header: ':-1    -1', state: 'S', nextPid: 0, stack: SLEEP_STACK }) +
      sched_switch({ time: '1.000300', prevPid: 11, state: 'S', nextPid: 0, stack: SLEEP_STACK }) +
      sched_switch({ time: '1.000500', prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: 11 });
    const result = run(text, { states: ['all'] });
    assert.equal(result.stats.intervals, 1);
    assert.deepEqual([...result.stacks], [[SLEEP_FOLDED, 200]]);
  });
});

describe('closing', () => {
  test('rule 1 (--until wakeup only): sched_waking or sched_wakeup of T; ignored in switch-in mode', () => {
    for (const event of ['sched_waking', 'sched_wakeup']) {
      const text = gilOut('1.000000') + sched_wake('1.000100', 9, T, event) + switchInOfT('1.000250');
      assert.deepEqual(fold(text, { until: 'wakeup' }), [[GIL_WAIT_FOLDED, 100]], event);
      assert.deepEqual(fold(text), [[GIL_WAIT_FOLDED, 250]], event);
    }
  });

  test("rule 1: the idle task's wakeup of T counts", () => {
    const text = gilOut('1.000000') + sched_wake('1.000070', 0, T, 'sched_waking', 'swapper') + switchInOfT('1.000250');
    assert.deepEqual(fold(text, { until: 'wakeup' }), [[GIL_WAIT_FOLDED, 70]]);
  });

  test('rule 2: sched_switch next_pid=T, PERF_RECORD_SWITCH IN of T, CPU-wide IN of T, CPU-wide OUT naming T', () => {
    const cases: [string, string, number][] = [
      ['sched_switch next_pid', switchInOfT('1.000250'), 250],
      ['PERF_RECORD_SWITCH IN', switchRecord('1.000300', T, 'IN'), 300],
      ['PERF_RECORD_SWITCH_CPU_WIDE IN', cpuWideRecord('1.000400', T, 'IN', 0), 400],
      ['PERF_RECORD_SWITCH_CPU_WIDE OUT next pid/tid', cpuWideRecord('1.000500', 0, 'OUT preempt', T, 'swapper'), 500],
    ];
    for (const [name, closer, us] of cases) {
      const result = run(gilOut('1.000000') + closer);
      assert.deepEqual([...result.stacks], [[GIL_WAIT_FOLDED, us]], name);
      assert.equal(result.stats.closedBy['switch-in'], 1, name);
    }
  });

  test('rule 3: any event T runs closes its interval (missed wakeups and switch-ins)', () => {
    const tracepoint = run(gilOut('1.000000') + otherEvent('1.000600', T) + switchInOfT('1.000900'));
    assert.deepEqual([...tracepoint.stacks], [[GIL_WAIT_FOLDED, 600]]);
    assert.deepEqual(tracepoint.stats.closedBy, { wakeup: 0, 'switch-in': 0, 'own event': 1 });
    assert.deepEqual(tracepoint.stats.otherEvents, { 'sched:sched_stat_runtime': 1 });
    const wakingOther = run(gilOut('1.000000') + sched_wake('1.000450', T, 12));
    assert.deepEqual([...wakingOther.stacks], [[GIL_WAIT_FOLDED, 450]]);
  });

  test('rule 3 exception: switch-out records of T (written after its sched_switch) do not close it', () => {
    const perThread = gilOut('1.000000') + switchRecord('1.000005', T, 'OUT') + switchRecord('1.000009', T, 'OUT preempt') + switchInOfT('1.000700');
    assert.deepEqual(fold(perThread), [[GIL_WAIT_FOLDED, 700]]);
    const cpuWide = gilOut('1.000000') + cpuWideRecord('1.000005', T, 'OUT', 0) + cpuWideRecord('1.000700', T, 'IN', 0);
    assert.deepEqual(fold(cpuWide), [[GIL_WAIT_FOLDED, 700]]);
  });

  test("rule 3: T's last switch printed under a :-1 -1 header still closes T's interval", () => {
    const text = gilOut('1.000000') + sched_switch({ time: '1.000800', prevPid: T, state: 'X', nextPid: 0, header: ':-1    -1' });
    const result = run(text);
    assert.deepEqual([...result.stacks], [[GIL_WAIT_FOLDED, 800]]);
    assert.equal(result.stats.closedBy['own event'], 1);
    assert.equal(result.stats.openAtEnd, 1, 'the exit switch opens an interval that never closes');
  });

  test("T's own next sched_switch closes the old interval, then opens the new one", () => {
    const text = gilOut('1.000000') + sched_switch({ time: '1.000900', prevPid: T, nextPid: 0, stack: SLEEP_STACK }) + switchInOfT('1.001200');
    assert.deepEqual(fold(text, { states: ['all'] }), [
      [GIL_WAIT_FOLDED, 900],
      [SLEEP_FOLDED, 300],
    ]);
  });

  test('intervals still open at the end are dropped and counted', () => {
    const result = run(gilOut('1.000000') + switchInOfT('1.000100') + gilOut('1.000200'));
    assert.deepEqual([...result.stacks], [[GIL_WAIT_FOLDED, 100]]);
    assert.equal(result.stats.openAtEnd, 1);
    assert.ok(result.warnings.some((warning) => warning.code === 'open-intervals' && warning.count === 1));
  });

  test('an event satisfying several rules counts once, for the first rule', () => {
    // The wakeup closes the interval (rule 1); the later switch-in finds nothing open.
    const result = run(gilOut('1.000000') + sched_wake('1.000100', 9, T) + switchInOfT('1.000200'), { until: 'wakeup' });
    assert.deepEqual(result.stats.closedBy, { wakeup: 1, 'switch-in': 0, 'own event': 0 });
    // A CPU-wide IN record of T is both a switch-in (rule 2) and T's own event (rule 3).
    const both = run(gilOut('1.000000') + cpuWideRecord('1.000100', T, 'IN', 0));
    assert.deepEqual(both.stats.closedBy, { wakeup: 0, 'switch-in': 1, 'own event': 0 });
  });
});

describe('classes', () => {
  const classOf = (stack: readonly string[], state = 'S'): string => {
    const result = run(sched_switch({ time: '1.000000', prevPid: T, state, nextPid: 0, stack }) + switchInOfT('1.000100'), { states: ['all'] });
    return Object.keys(result.stats.classNs).join(',');
  };

  test('gil: a frame containing take_gil, GCC clones included', () => {
    assert.equal(classOf(GIL_WAIT_STACK), 'gil');
    assert.equal(classOf([...FUTEX_KERNEL, frame('pthread_cond_timedwait@@GLIBC_2.3.2', LIBC), frame('take_gil.constprop.0'), frame('PyEval_RestoreThread')]), 'gil');
  });

  test('gil: inlined take_gil — kernel frames, wait primitives, then an acquiring function', () => {
    const inlined = [
      ...FUTEX_KERNEL,
      frame('__GI___lll_lock_wait', LIBC),
      frame('___pthread_mutex_lock', LIBC),
      frame('PyEval_RestoreThread.constprop.0'),
      frame('acquire_timed'),
      frame('start_thread', LIBC),
    ];
    assert.equal(classOf(inlined), 'gil');
    for (const acquirer of ['PyEval_AcquireThread', 'PyEval_AcquireLock', '_PyThreadState_Attach', 'PyGILState_Ensure.part.0']) {
      assert.equal(classOf([...FUTEX_KERNEL, frame('__condvar_dec_grefs', LIBC), frame(acquirer)]), 'gil', acquirer);
    }
    assert.deepEqual(fold(sched_switch({ time: '1.000000', prevPid: T, nextPid: 0, stack: inlined }) + switchInOfT('1.000100')), [
      ['start_thread;acquire_timed;PyEval_RestoreThread.constprop.0', 100],
    ]);
  });

  test('not inlined gil: no wait primitive, or the frame after them is not an acquirer', () => {
    assert.equal(classOf([...FUTEX_KERNEL, frame('PyEval_RestoreThread'), frame('sock_recv')]), 'S');
    assert.equal(classOf([...FUTEX_KERNEL, frame('pthread_cond_wait', LIBC), frame('sock_recv'), frame('PyEval_RestoreThread')]), 'S');
    assert.equal(classOf([...FUTEX_KERNEL, frame('pthread_cond_wait', LIBC), frame('PyEval_RestoreThreadX')]), 'S');
  });

  test('gil-drop: drop_gil and no take_gil; cut at the root-most drop_gil', () => {
    const dropStack = [...FUTEX_KERNEL, frame('pthread_cond_wait@@GLIBC_2.3.2', LIBC), frame('drop_gil'), frame('_PyEval_EvalFrameDefault'), frame('start_thread', LIBC)];
    assert.equal(classOf(dropStack), 'gil-drop');
    const text = sched_switch({ time: '1.000000', prevPid: T, nextPid: 0, stack: dropStack }) + switchInOfT('1.000030');
    assert.deepEqual(fold(text), []);
    assert.deepEqual(fold(text, { states: ['gil-drop'] }), [['start_thread;drop_gil', 30]]);
  });

  test('lock: inside CPython\'s lock acquisition, when neither gil nor gil-drop', () => {
    const semWait = [...FUTEX_KERNEL, frame('__futex_abstimed_wait_common', LIBC), frame('__new_sem_wait_slow64.constprop.0', LIBC)];
    assert.equal(classOf([...semWait, frame('PyThread_acquire_lock_timed'), frame('acquire_timed'), frame('lock_PyThread_acquire_lock')]), 'lock');
    assert.equal(classOf([...semWait, frame('PyThread_acquire_lock_timed'), frame('acquire_timed'), frame('rlock_acquire')]), 'lock');
    assert.equal(classOf([...FUTEX_KERNEL, frame('__futex_abstimed_wait_common', LIBC), frame('_PySemaphore_Wait'), frame('_PyParkingLot_Park'), frame('_PyMutex_LockTimed')]), 'lock');
    // Re-taking the GIL after the lock was acquired is a GIL wait; dropping it on request a gil-drop.
    assert.equal(classOf([...GIL_WAIT_STACK.slice(0, 9), frame('PyEval_RestoreThread'), frame('acquire_timed'), frame('lock_PyThread_acquire_lock')]), 'gil');
    assert.equal(classOf([...FUTEX_KERNEL, frame('pthread_cond_wait', LIBC), frame('drop_gil'), frame('PyEval_SaveThread'), frame('acquire_timed')]), 'gil-drop');
    const text = sched_switch({ time: '1.000000', prevPid: T, nextPid: 0, stack: [...semWait, frame('PyThread_acquire_lock_timed')] }) + switchInOfT('1.000070');
    assert.deepEqual(fold(text, { states: ['lock'] }), [['PyThread_acquire_lock_timed;__new_sem_wait_slow64.constprop.0;__futex_abstimed_wait_common;entry_SYSCALL_64_after_hwframe;__x64_sys_futex;do_futex;futex_wait;schedule;__schedule', 70]]);
    assert.deepEqual(fold(text, { states: ['S'] }), []);
  });

  test('otherwise the prev_state verbatim', () => {
    assert.equal(classOf(SLEEP_STACK, 'D'), 'D');
    assert.equal(classOf(SLEEP_STACK, 'R+'), 'R+');
    assert.equal(classOf([], 'S'), 'S');
  });

  test('--state keeps gil by default, one class, a comma list, or all', () => {
    const text =
      gilOut('1.000000') +
      switchInOfT('1.000100') +
      sched_switch({ time: '1.000200', prevPid: T, state: 'S', nextPid: 0, stack: SLEEP_STACK }) +
      switchInOfT('1.000500') +
      sched_switch({ time: '1.000600', prevPid: T, state: 'D', nextPid: 0, stack: SLEEP_STACK }) +
      switchInOfT('1.001600');
    assert.deepEqual(fold(text), [[GIL_WAIT_FOLDED, 100]]);
    assert.deepEqual(fold(text, { states: ['S'] }), [[SLEEP_FOLDED, 300]]);
    assert.deepEqual(fold(text, { states: ['gil', 'D'] }), [
      [GIL_WAIT_FOLDED, 100],
      [SLEEP_FOLDED, 1000],
    ]);
    assert.deepEqual(fold(text, { states: ['all'] }), [
      [GIL_WAIT_FOLDED, 100],
      [SLEEP_FOLDED, 1300],
    ]);
  });
});

describe('stacks and folded output', () => {
  test('strip: the leaf is the take_gil frame nearest the root; --no-strip-take-gil keeps all frames', () => {
    const twice = [...FUTEX_KERNEL, frame('take_gil'), frame('PyEval_RestoreThread'), frame('take_gil.cold'), frame('main')];
    const text = sched_switch({ time: '1.000000', prevPid: T, nextPid: 0, stack: twice }) + switchInOfT('1.000100');
    assert.deepEqual(fold(text), [['main;take_gil.cold', 100]]);
    assert.deepEqual(fold(text, { stripTakeGil: false }), [
      ['main;take_gil.cold;take_gil;entry_SYSCALL_64_after_hwframe;__x64_sys_futex;do_futex;futex_wait;schedule;__schedule', 100],
    ]);
  });

  test('other classes are not cut', () => {
    const text = sched_switch({ time: '1.000000', prevPid: T, nextPid: 0, stack: SLEEP_STACK }) + switchInOfT('1.000100');
    assert.deepEqual(fold(text, { states: ['S'] }), [[SLEEP_FOLDED, 100]]);
  });

  test('frame names drop +0x offsets and (DSO); [unknown] stays', () => {
    const stack = [frame('__schedule', KERNEL), frame('[unknown]', '/usr/bin/x'), frame('take_gil'), frame('[unknown]', '[unknown]')];
    const text = sched_switch({ time: '1.000000', prevPid: T, nextPid: 0, stack }) + switchInOfT('1.000100');
    assert.deepEqual(fold(text), [['[unknown];take_gil', 100]]);
  });

  test('counts: sum the nanoseconds of a stack, then floor to µs once; zero counts are left out', () => {
    const text =
      gilOut('1.000000000') +
      switchInOfT('1.000001500') +
      gilOut('1.000002000') +
      switchInOfT('1.000003500') +
      sched_switch({ time: '1.000004000', prevPid: T, nextPid: 0, stack: SLEEP_STACK }) +
      switchInOfT('1.000004999');
    assert.deepEqual(fold(text, { states: ['all'] }), [[GIL_WAIT_FOLDED, 3]]);
  });

  test('lines are sorted as UTF-8 bytes (code points), thread names decoded as UTF-8', () => {
    const text = ['Ａ', '😀', 'z', 'é']
      .map((comm, i) => sched_switch({ time: `1.00${i}000`, prevComm: comm, prevPid: 20 + i, nextPid: 0, stack: GIL_WAIT_STACK }) +
        sched_switch({ time: `1.00${i}100`, prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: 20 + i }))
      .join('');
    assert.deepEqual(
      fold(text, { rootFrame: 'comm' }).map(([stack]) => stack.split(';')[0]),
      ['z', 'é', 'Ａ', '😀'],
    );
  });

  test('--tid, --pid, --comm root frames use the prev_comm', () => {
    const text = sched_switch({ time: '1.000000', prevComm: 'worker 1', prevPid: T, nextPid: 0, header: 'python3  9/10', stack: GIL_WAIT_STACK }) + switchInOfT('1.000100');
    assert.deepEqual(fold(text, { rootFrame: 'tid' }), [[`worker 1-9/10;${GIL_WAIT_FOLDED}`, 100]]);
    assert.deepEqual(fold(text, { rootFrame: 'pid' }), [[`worker 1-9;${GIL_WAIT_FOLDED}`, 100]]);
    assert.deepEqual(fold(text, { rootFrame: 'comm' }), [[`worker 1;${GIL_WAIT_FOLDED}`, 100]]);
  });

  test('--min-us / --max-us filter single intervals before aggregation', () => {
    const text = [100, 500, 2000]
      .map((us, i) => gilOut(`${i + 1}.000000`) + switchInOfT(`${i + 1}.${String(us).padStart(6, '0')}`))
      .join('');
    assert.deepEqual(fold(text), [[GIL_WAIT_FOLDED, 2600]]);
    assert.deepEqual(fold(text, { minUs: 500 }), [[GIL_WAIT_FOLDED, 2500]]);
    assert.deepEqual(fold(text, { maxUs: 500 }), [[GIL_WAIT_FOLDED, 600]]);
    assert.deepEqual(fold(text, { minUs: 200, maxUs: 1000 }), [[GIL_WAIT_FOLDED, 500]]);
  });
});
