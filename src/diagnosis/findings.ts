/**
 * The diagnosis: short findings in plain words, each with the numbers behind it and what to do. Every
 * finding has a documented threshold (docs/summary.md) so that a program without the problem gets none.
 */
import { DEFAULT_SWITCH_INTERVAL_MS } from '../analysis/acquisitions.js';
import { GIL, GIL_DROP, LOCK } from '../analysis/gilClassifier.js';
import type { ThreadSummary } from '../analysis/threadSummary.js';

export type FindingKind = 'blocked-while-holding' | 'convoy' | 'preempted-while-holding' | 'not-the-gil';

export interface Finding {
  kind: FindingKind;
  /** The threads it is about (tids), most important first. */
  threads: number[];
  message: string;
}

export interface DiagnosisOptions {
  switchIntervalMs?: number | undefined;
  /** Whether holders were attributed (the first three findings need them). */
  holders: boolean;
  /**
   * Whether the input can show GIL waits at all (stacks recorded, interpreter symbols): without them
   * every finding would rest on zeros, and none is made.
   */
  gilVisible: boolean;
}

/** Thresholds, documented in docs/summary.md. */
export const THRESHOLDS = {
  /** blocked-while-holding: the holder blocked at least this long while others waited… */
  blockedHeldNs: 5e6,
  /** …and the waits it caused meanwhile are at least this share of all GIL wait. */
  blockedCausedShare: 0.05,
  /** convoy: at least this many re-acquisitions after a blocking call… */
  convoyReacquisitions: 10,
  /** …whose median wait is at least this share of the switch interval… */
  convoyMedianShare: 0.5,
  /** …and whose waits add up to at least this share of the thread's observed time. */
  convoyObservedShare: 0.1,
  /** preempted-while-holding: waits caused by preempted holders are at least this share of all GIL wait… */
  preemptedCausedShare: 0.25,
  /** …and at least this long. */
  preemptedCausedNs: 5e6,
  /** not-the-gil: GIL wait below this share of the time spent in lock waits and uninterruptible I/O… */
  notTheGilShare: 0.1,
  /** …which add up to at least this much… */
  notTheGilBlockedNs: 50e6,
  /** …in at least this many waits (a few long waits are idle threads: an Event.wait, a join)… */
  notTheGilWaits: 20,
  /** …while the threads ran for at least this share of the recording (an idle program waits, but nothing is held back). */
  notTheGilBusyShare: 0.2,
};

function ms(ns: number): string {
  return `${(ns / 1e6).toFixed(1)} ms`;
}

function percent(part: number, whole: number): string {
  return `${whole > 0 ? ((100 * part) / whole).toFixed(0) : 0} %`;
}

function threadList(tids: readonly number[], max = 4): string {
  const shown = tids.slice(0, max).join(', ');
  return tids.length > max ? `${shown} and ${tids.length - max} more` : shown;
}

export function diagnose(threads: readonly ThreadSummary[], options: DiagnosisOptions): Finding[] {
  const totalGilNs = threads.reduce((sum, thread) => sum + thread.gilNs, 0);
  const findings: Finding[] = [];
  if (!options.gilVisible) return findings;
  if (options.holders) {
    findings.push(...blockedWhileHolding(threads, totalGilNs));
    findings.push(...convoys(threads, options.switchIntervalMs ?? DEFAULT_SWITCH_INTERVAL_MS));
    findings.push(...preemptedWhileHolding(threads, totalGilNs));
  }
  findings.push(...notTheGil(threads, totalGilNs));
  return findings;
}

function blockedWhileHolding(threads: readonly ThreadSummary[], totalGilNs: number): Finding[] {
  const findings: Finding[] = [];
  for (const thread of threads) {
    const holder = thread.holder;
    if (holder === undefined) continue;
    const held = holder.heldNs.blocked;
    const caused = holder.causedByStateNs.blocked;
    if (held < THRESHOLDS.blockedHeldNs || caused < THRESHOLDS.blockedCausedShare * totalGilNs) continue;
    const where = holder.blockingStacks[0]?.frames.join(' ← ') ?? 'an unknown call';
    findings.push({
      kind: 'blocked-while-holding',
      threads: [thread.tid],
      message:
        `thread ${thread.tid} (${thread.comm}) slept ${ms(held)} while holding the GIL, in ${where}; other threads waited ` +
        `${ms(caused)} for it meanwhile (${percent(caused, totalGilNs)} of all GIL wait). A C extension blocks without releasing the GIL: ` +
        'release it around the blocking call (Py_BEGIN_ALLOW_THREADS; ctypes.CDLL instead of PyDLL) or move the call out of the threads that need the GIL.',
    });
  }
  return findings;
}

function convoys(threads: readonly ThreadSummary[], switchIntervalMs: number): Finding[] {
  const victims = threads.filter((thread) => {
    const acquisitions = thread.acquisitions;
    if (acquisitions === undefined || acquisitions.reacquisitions < THRESHOLDS.convoyReacquisitions) return false;
    const median = acquisitions.reacquisitionMedianNs;
    return median >= THRESHOLDS.convoyMedianShare * switchIntervalMs * 1e6 && median * acquisitions.reacquisitions >= THRESHOLDS.convoyObservedShare * thread.observedNs;
  });
  if (victims.length === 0) return [];
  const victimTids = victims.map((thread) => thread.tid);
  const holderNs = new Map<number, number>();
  for (const victim of victims) {
    for (const [holder, ns] of victim.waits?.heldByNs ?? []) if (!victimTids.includes(holder)) holderNs.set(holder, (holderNs.get(holder) ?? 0) + ns);
  }
  const holders = [...holderNs].sort((a, b) => b[1] - a[1]).map(([tid]) => tid);
  const medians = victims.map((thread) => thread.acquisitions!.reacquisitionMedianNs).sort((a, b) => a - b);
  const count = victims.reduce((sum, thread) => sum + thread.acquisitions!.reacquisitions, 0);
  const several = victims.length > 1;
  const holderText = holders.length === 0 ? 'the other threads keep' : `thread${holders.length > 1 ? 's' : ''} ${threadList(holders)} ${holders.length > 1 ? 'keep' : 'keeps'}`;
  return [
    {
      kind: 'convoy',
      threads: [...victimTids, ...holders],
      message:
        `convoy: thread${several ? 's' : ''} ${threadList(victimTids)} ${several ? 'wait' : 'waits'} about a switch interval ` +
        `(median ${ms(medians[Math.floor((medians.length - 1) / 2)]!)}, ${count} times) each time ${several ? 'they take' : 'it takes'} the GIL back ` +
        `after I/O or a GIL-releasing call, because ${holderText} the GIL until forced to drop it (switch interval ${switchIntervalMs} ms). ` +
        'Lower the interval with sys.setswitchinterval(0.001), move the CPU-bound work to processes (multiprocessing, ' +
        'concurrent.futures.ProcessPoolExecutor), or into C code that releases the GIL.',
    },
  ];
}

function preemptedWhileHolding(threads: readonly ThreadSummary[], totalGilNs: number): Finding[] {
  let caused = 0;
  const holders: [number, number][] = [];
  for (const thread of threads) {
    const ns = thread.holder?.causedByStateNs.preempted ?? 0;
    if (ns <= 0) continue;
    caused += ns;
    holders.push([thread.tid, ns]);
  }
  if (caused < THRESHOLDS.preemptedCausedNs || caused < THRESHOLDS.preemptedCausedShare * totalGilNs) return [];
  const tids = holders.sort((a, b) => b[1] - a[1]).map(([tid]) => tid);
  const held = threads.reduce((sum, thread) => sum + (thread.holder?.heldNs.preempted ?? 0), 0);
  return [
    {
      kind: 'preempted-while-holding',
      threads: tids,
      message:
        `${percent(caused, totalGilNs)} of all GIL wait (${ms(caused)}) passed while the holder, thread ${threadList(tids)}, was itself ` +
        `preempted (runnable without a CPU, ${ms(held)} in all): more threads and processes want a CPU than there are CPUs. ` +
        'Run fewer CPU-bound threads or processes at once, or give the machine more CPUs.',
    },
  ];
}

function notTheGil(threads: readonly ThreadSummary[], totalGilNs: number): Finding[] {
  let lockNs = 0;
  let ioNs = 0;
  let gilNs = 0;
  let waits = 0;
  for (const thread of threads) {
    lockNs += thread.classNs[LOCK] ?? 0;
    ioNs += thread.classNs.D ?? 0;
    gilNs += (thread.classNs[GIL] ?? 0) + (thread.classNs[GIL_DROP] ?? 0);
    waits += (thread.classCounts[LOCK] ?? 0) + (thread.classCounts.D ?? 0);
  }
  const blocked = lockNs + ioNs;
  const runningNs = threads.reduce((sum, thread) => sum + thread.runningNs, 0);
  const spanNs = threads.reduce((longest, thread) => Math.max(longest, thread.observedNs), 0);
  if (blocked < THRESHOLDS.notTheGilBlockedNs || waits < THRESHOLDS.notTheGilWaits || runningNs < THRESHOLDS.notTheGilBusyShare * spanNs) return [];
  if (gilNs >= THRESHOLDS.notTheGilShare * blocked) return [];
  const tids = [...threads].sort((a, b) => (b.classNs[LOCK] ?? 0) + (b.classNs.D ?? 0) - (a.classNs[LOCK] ?? 0) - (a.classNs.D ?? 0)).map((thread) => thread.tid);
  return [
    {
      kind: 'not-the-gil',
      threads: tids.slice(0, 8),
      message:
        `the GIL is not what holds these threads back: GIL wait ${ms(totalGilNs)} is ${percent(gilNs, blocked)} of the time they waited ` +
        `for locks (${ms(lockNs)}) and disk I/O (${ms(ioNs)}) in ${waits} waits. Look at where they wait: offgil --state lock,D.`,
    },
  ];
}
