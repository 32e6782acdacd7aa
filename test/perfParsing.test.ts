/** semantics.md §1: header lines, side-band records, timestamps, frame names. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventKind, type PerfEvent } from '../src/perf/events.js';
import { newFrameLineRanges, scanFrameLine } from '../src/perf/frameLine.js';
import { isHeaderError, parseHeader, TimeBase } from '../src/perf/header.js';

function header(text: string, time = new TimeBase()): PerfEvent {
  const result = parseHeader(text, 1, time);
  if (isHeaderError(result)) assert.fail(`not parsed: ${result.error}`);
  return result;
}

function frameName(line: string): { name: string; symbol: string; dso: string } {
  const buf = Buffer.from(line, 'utf8');
  const r = newFrameLineRanges();
  scanFrameLine(buf, 0, buf.length, r);
  return {
    name: buf.toString('utf8', r.nameStart, r.nameEnd),
    symbol: buf.toString('utf8', r.nameStart, r.symbolEnd),
    dso: buf.toString('utf8', r.dsoStart, r.dsoEnd),
  };
}

describe('header lines', () => {
  test('COMM TID [CPU] SECS.FRAC: EVENT: FIELDS (modern sched_switch)', () => {
    const event = header(
      'python3.11  8352 [001]  159.179033: sched:sched_switch: prev_comm=python3.11 prev_pid=8352 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120',
    );
    assert.equal(event.kind, EventKind.Switch);
    assert.equal(event.tid, 8352);
    assert.equal(event.pid, undefined);
    assert.equal(event.cpu, 1);
    assert.equal(event.name, 'sched:sched_switch');
    assert.equal(event.prevComm, 'python3.11');
    assert.equal(event.prevPid, 8352);
    assert.equal(event.prevState, 'S');
    assert.equal(event.nextComm, 'swapper/1');
    assert.equal(event.nextPid, 0);
  });

  test('COMM PID/TID without [CPU], comm padded by -F and containing spaces', () => {
    const event = header(
      'V8 WorkerThread 24636/25607 1.500000: sched:sched_switch: prev_comm=V8 WorkerThread prev_pid=25607 prev_prio=120 prev_state=R+ ==> next_comm=Chrome IO next_pid=24640 next_prio=120',
    );
    assert.equal(event.pid, 24636);
    assert.equal(event.tid, 25607);
    assert.equal(event.cpu, -1);
    assert.equal(event.prevComm, 'V8 WorkerThread');
    assert.equal(event.prevState, 'R+');
    assert.equal(event.nextComm, 'Chrome IO');
    assert.equal(event.nextPid, 24640);
  });

  test('system-wide :-1 -1 header keeps negative ids', () => {
    const event = header(
      '     :-1    -1 [001]   825.680078: sched:sched_switch: prev_comm=python3 prev_pid=4242 prev_prio=120 prev_state=X ==> next_comm=swapper/1 next_pid=0 next_prio=120',
    );
    assert.equal(event.tid, -1);
    assert.equal(event.prevPid, 4242);
    assert.equal(event.prevState, 'X');
  });

  test("perf 4's sched_switch and wakeup layout", () => {
    const sw = header('python 1234 [000] 1.000000: sched:sched_switch: python:1234 [120] S ==> swapper/0:0 [120]');
    assert.deepEqual([sw.prevComm, sw.prevPid, sw.prevState, sw.nextComm, sw.nextPid], ['python', 1234, 'S', 'swapper/0', 0]);
    const spaced = header('my worker 7 [000] 1.000000: sched:sched_switch: my worker:7 [120] D ==> kworker/0:1:15 [120]');
    assert.deepEqual([spaced.prevComm, spaced.prevPid, spaced.prevState, spaced.nextComm, spaced.nextPid], ['my worker', 7, 'D', 'kworker/0:1', 15]);
    const wake = header('python 1234 [000] 1.000001: sched:sched_wakeup: python:1235 [120] success=1 CPU:000');
    assert.equal(wake.kind, EventKind.Wake);
    assert.equal(wake.tid, 1234, 'the header is the waker');
    assert.equal(wake.otherTid, 1235);
  });

  test('wake target is the first field named exactly pid=', () => {
    const event = header('python3 10 [000] 1.000000: sched:sched_waking: comm=worker child_pid=5 prev_pid=6 pid=7 prio=120 target_cpu=001');
    assert.equal(event.otherTid, 7);
    assert.equal(header('python3 10 [000] 1.000000: sched:sched_wakeup: comm=w pid=8 prio=120 target_cpu=001').otherTid, 8);
  });

  test('sched_wakeup_new and other tracepoints are other events', () => {
    const event = header('python3 10 [000] 1.000000: sched:sched_wakeup_new: comm=python3 pid=11 prio=120 target_cpu=001');
    assert.equal(event.kind, EventKind.Other);
    assert.equal(event.name, 'sched:sched_wakeup_new');
    assert.equal(header('python3 10 [000] 1.000000: cycles:u: ').name, 'cycles:u');
  });

  test('a period printed before the event name is skipped', () => {
    const event = header('perf 1 [000] 1.000000:          1 sched:sched_waking: comm=perf pid=2 prio=120 target_cpu=000');
    assert.equal(event.kind, EventKind.Wake);
    assert.equal(event.otherTid, 2);
  });

  test('PERF_RECORD_SWITCH records (no colon after the name, padded)', () => {
    assert.equal(header('python3  1515 [000]   424.095241: PERF_RECORD_SWITCH OUT        ').kind, EventKind.SwitchOut);
    assert.equal(header('python3  1515 [000]   424.095241: PERF_RECORD_SWITCH OUT preempt').kind, EventKind.SwitchOut);
    const switchIn = header('python3  1515 [000]   424.095266: PERF_RECORD_SWITCH IN         ');
    assert.equal(switchIn.kind, EventKind.SwitchIn);
    assert.equal(switchIn.tid, 1515);
  });

  test('PERF_RECORD_SWITCH_CPU_WIDE records name the other task as pid/tid', () => {
    const out = header('swapper     0 [000]   825.680078: PERF_RECORD_SWITCH_CPU_WIDE OUT preempt  next pid/tid:    15/15   ');
    assert.deepEqual([out.kind, out.tid, out.otherTid], [EventKind.CpuWideOut, 0, 15]);
    const into = header('python3  8354 [001]   825.680100: PERF_RECORD_SWITCH_CPU_WIDE IN   prev pid/tid:  8352/8353  ');
    assert.deepEqual([into.kind, into.tid, into.otherTid], [EventKind.CpuWideIn, 8354, 8353]);
  });

  test('not a header: one-line reason, fatal', () => {
    const result = parseHeader('hello world', 3, new TimeBase());
    assert.ok(isHeaderError(result) && result.fatal);
    const fields = parseHeader('python3 10 [000] 1.000000: sched:sched_switch: garbage', 3, new TimeBase());
    assert.ok(isHeaderError(fields) && !fields.fatal, 'a known event with bad fields is skipped, not fatal');
  });
});

describe('timestamps are exact integer nanoseconds', () => {
  test('µs and ns precision, counted from the first timestamp', () => {
    const time = new TimeBase();
    assert.equal(header('a 1 [000] 424.093879: x:y: ', time).timeNs, 93_879_000);
    assert.equal(time.baseSeconds, 424);
    assert.equal(header('a 1 [000] 424.093879961: x:y: ', time).timeNs, 93_879_961);
    assert.equal(header('a 1 [000] 425.000000: x:y: ', time).timeNs, 1_000_000_000);
  });

  test('no floating point drift for large uptimes', () => {
    const time = new TimeBase();
    const first = header('a 1 [000] 9500000.000000001: x:y: ', time).timeNs;
    const second = header('a 1 [000] 9500000.000000003: x:y: ', time).timeNs;
    assert.equal(second - first, 2);
    // Parsed as doubles, the same two timestamps are 1.86 ns apart.
    assert.notEqual((Number('9500000.000000003') - Number('9500000.000000001')) * 1e9, 2);
  });
});

describe('frame lines', () => {
  test('symbol without +0x offset and without the (DSO) group', () => {
    assert.deepEqual(frameName('\tffffffff821f8b58 __schedule+0x618 ([kernel.kallsyms])'), {
      name: '__schedule',
      symbol: '__schedule+0x618',
      dso: '[kernel.kallsyms]',
    });
    assert.equal(frameName('\t  888bb pthread_cond_timedwait@@GLIBC_2.3.2+0x21b (/usr/lib/x86_64-linux-gnu/libc.so.6)').name, 'pthread_cond_timedwait@@GLIBC_2.3.2');
  });

  test('names with spaces and parentheses; nested DSO parentheses', () => {
    assert.equal(
      frameName('\t    7f5a1c py::_load_unlocked:<frozen importlib._bootstrap>+0x10 (/tmp/perf-4242.map)').name,
      'py::_load_unlocked:<frozen importlib._bootstrap>',
    );
    assert.equal(
      frameName('\t 4011a2 std::thread::_State_impl<void (*)(int)>::_M_run() const+0x2a (/usr/bin/app)').name,
      'std::thread::_State_impl<void (*)(int)>::_M_run() const',
    );
    assert.deepEqual(frameName('\t   7f00 [unknown] (/memfd:x (deleted))'), { name: '[unknown]', symbol: '[unknown]', dso: '/memfd:x (deleted)' });
    assert.deepEqual(frameName('\t 400 foo(int) (/bin/x)'), { name: 'foo(int)', symbol: 'foo(int)', dso: '/bin/x' });
  });

  test('no DSO, no address, trailing blanks', () => {
    assert.deepEqual(frameName('\t 400 main+0x10   '), { name: 'main', symbol: 'main+0x10', dso: '' });
    assert.equal(frameName('\tmain_loop (/bin/x)').name, 'main_loop');
  });
});
