/**
 * Ground truth for GIL waits, per4m giltracer's way: uprobes on `take_gil` entry and return give the
 * exact time each thread spent inside take_gil. The probe events are then removed so that offgil sees
 * only the scheduler events of the same run.
 */
export interface UprobeSplit {
  /** Thread id → nanoseconds inside take_gil. */
  truthNs: Map<number, number>;
  /**
   * Thread id → nanoseconds inside the take_gil calls during which the thread was switched out: the
   * waits a scheduler trace can see at all. Calls that get the GIL without sleeping (a main thread
   * making many short calls) leave no scheduler event.
   */
  sleepingTruthNs: Map<number, number>;
  /** The input without the probe events. */
  schedulerText: string;
}

/** A uprobe event on take_gil (any probe group; return probes end in `__return`). */
const PROBE = /^\s*\S.*?\s(\d+)\s+(?:\[\d+\]\s+)?(\d+)\.(\d+):\s+\w+:take_gil\w*?(__return)?:/;
const SWITCH_OUT = /sched:sched_switch: .*?prev_pid=(\d+)/;

function ns(seconds: string, fraction: string): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
}

function add(totals: Map<number, bigint>, tid: number, value: bigint): void {
  totals.set(tid, (totals.get(tid) ?? 0n) + value);
}

export function splitUprobes(text: string): UprobeSplit {
  const inside = new Map<number, { start: bigint; slept: boolean }>();
  const truth = new Map<number, bigint>();
  const sleepingTruth = new Map<number, bigint>();
  const kept: string[] = [];
  let skippingFrames = false;
  for (const line of text.split('\n')) {
    if (skippingFrames) {
      if (line.startsWith('\t')) continue;
      skippingFrames = false;
      if (line === '') continue;
    }
    const match = PROBE.exec(line);
    if (match === null) {
      const switchOut = SWITCH_OUT.exec(line);
      const call = switchOut === null ? undefined : inside.get(Number(switchOut[1]));
      if (call !== undefined) call.slept = true;
      kept.push(line);
      continue;
    }
    skippingFrames = true;
    const tid = Number(match[1]);
    const time = ns(match[2]!, match[3]!);
    if (match[4] === undefined) {
      inside.set(tid, { start: time, slept: false });
      continue;
    }
    const call = inside.get(tid);
    if (call === undefined) continue;
    add(truth, tid, time - call.start);
    if (call.slept) add(sleepingTruth, tid, time - call.start);
    inside.delete(tid);
  }
  const toNumbers = (totals: Map<number, bigint>): Map<number, number> => new Map([...totals].map(([tid, total]) => [tid, Number(total)]));
  return { truthNs: toNumbers(truth), sleepingTruthNs: toNumbers(sleepingTruth), schedulerText: kept.join('\n') };
}
