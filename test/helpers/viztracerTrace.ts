/**
 * VizTracer traces for tests. VizTracer is not installable here (no PyPI access), so these follow its
 * documented output format — Chrome Trace Event JSON with complete events (`"ph": "X"`, `pid`, `tid`,
 * `ts` and `dur` in µs, Python functions named `QUALNAME (FILE:LINE)`, C functions without a location) —
 * and describe what the recorded workload (fixtures/workloads/gil_contention.py) was doing, on the
 * timeline of a real recording.
 */
const WORKLOAD = '/work/main/fixtures/workloads/gil_contention.py';

export interface TraceCall {
  name: string;
  startUs: number;
  endUs: number;
}

export interface Timeline {
  pid: number;
  mainTid: number;
  workerTids: number[];
  firstUs: number;
  lastUs: number;
}

/** Threads and time span of a perf script text; the lowest thread id is the main thread (TID = PID). */
export function timelineOf(perfScript: string): Timeline {
  const tids = new Set<number>();
  let firstUs = Infinity;
  let lastUs = -Infinity;
  for (const match of perfScript.matchAll(/^\S.*?\s(\d+)\.(\d{6}):\s+sched:sched_switch: .*?prev_pid=(\d+)/gm)) {
    const us = Number(match[1]) * 1e6 + Number(match[2]);
    firstUs = Math.min(firstUs, us);
    lastUs = Math.max(lastUs, us);
    tids.add(Number(match[3]));
  }
  const sorted = [...tids].sort((a, b) => a - b);
  return { pid: sorted[0]!, mainTid: sorted[0]!, workerTids: sorted.slice(1), firstUs, lastUs };
}

const py = (qualname: string, file: string, line: number): string => `${qualname} (${file}:${line})`;
const THREADING = '/root/.pyenv/versions/3.11.7/lib/python3.11/threading.py';

export const WORKER_STACK = [
  py('Thread._bootstrap', THREADING, 988),
  py('Thread._bootstrap_inner', THREADING, 1028),
  py('Thread.run', THREADING, 971),
  py('worker', WORKLOAD, 31),
  py('count_primes', WORKLOAD, 23),
  py('is_prime', WORKLOAD, 14),
];

export const MAIN_STACK = [
  py('<module>', WORKLOAD, 1),
  py('main', WORKLOAD, 35),
  py('Thread.join', THREADING, 1087),
  py('Thread._wait_for_tstate_lock', THREADING, 1125),
  'lock.acquire',
];

/** Nested complete events, outermost first, each spanning [startUs, endUs). */
function nested(pid: number, tid: number, names: readonly string[], startUs: number, endUs: number): object[] {
  return names.map((name, depth) => ({ ph: 'X', cat: 'FEE', name, pid, tid, ts: startUs + depth, dur: endUs - startUs - 2 * depth }));
}

/** A trace in which every worker runs `workerStack` and the main thread `MAIN_STACK` for the whole recording. */
export function viztracerJson(timeline: Timeline, workerStack: readonly string[] = WORKER_STACK, startUs = timeline.firstUs - 1000): string {
  const endUs = timeline.lastUs + 1000;
  const traceEvents = [
    ...nested(timeline.pid, timeline.mainTid, MAIN_STACK, startUs, endUs),
    ...timeline.workerTids.flatMap((tid) => nested(timeline.pid, tid, workerStack, startUs, endUs)),
    { ph: 'M', name: 'process_name', pid: timeline.pid, tid: timeline.mainTid, args: { name: 'MainProcess' } },
  ];
  return JSON.stringify({ traceEvents, viztracer_metadata: { version: '0.16.3', overflow: false } });
}
