/**
 * `--summary-json FILE`: the per-thread summary and the findings as JSON, with the field names of
 * docs/summary.md. Times are whole microseconds (nanoseconds floored once).
 */
import type { ThreadSummary } from '../analysis/threadSummary.js';
import type { Finding } from '../diagnosis/findings.js';
import type { Warning } from '../warnings.js';
import { offCpuColumns } from './summaryColumns.js';

function us(ns: number): number {
  return Math.floor(ns / 1000);
}

function microseconds(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([key, ns]) => [key, us(ns)]));
}

function threadJson(thread: ThreadSummary): Record<string, unknown> {
  const acquisitions = thread.acquisitions;
  const holder = thread.holder;
  const columns = offCpuColumns(thread.classNs);
  return {
    pid: thread.pid,
    tid: thread.tid,
    comm: thread.comm,
    observed_us: us(thread.observedNs),
    running_us: us(thread.runningNs),
    gil_wait_us: us(thread.gilNs),
    gil_drop_us: us(thread.gilDropNs),
    lock_us: us(columns.lock),
    off_cpu_us: microseconds(thread.classNs),
    acquisitions: {
      count: acquisitions?.count ?? 0,
      median_us: us(acquisitions?.medianNs ?? 0),
      p95_us: us(acquisitions?.p95Ns ?? 0),
      max_us: us(acquisitions?.maxNs ?? 0),
      reacquisitions: acquisitions?.reacquisitions ?? 0,
      reacquisition_median_us: us(acquisitions?.reacquisitionMedianNs ?? 0),
    },
    forced_switches: acquisitions?.forcedSwitches ?? null,
    caused_us: us(holder?.causedNs ?? 0),
    caused_by_holder_state_us: microseconds(holder?.causedByStateNs ?? {}),
    held_running_us: us(holder?.heldNs.running ?? 0),
    held_preempted_us: us(holder?.heldNs.preempted ?? 0),
    held_blocked_us: us(holder?.heldNs.blocked ?? 0),
    held_blocked_stacks: (holder?.blockingStacks ?? []).map((stack) => ({ frames: stack.frames, us: us(stack.ns) })),
    wait_holders: [...(thread.waits?.heldByNs ?? [])].map(([tid, ns]) => ({ tid, us: us(ns) })),
    wait_handoff_us: us(thread.waits?.handoffNs ?? 0),
    wait_unknown_us: us(thread.waits?.unknownNs ?? 0),
  };
}

export interface SummaryJsonInput {
  threads: readonly ThreadSummary[];
  findings: readonly Finding[];
  warnings: readonly Warning[];
  /** Whether holders were attributed (without, holder fields are 0 and forced_switches null). */
  holders: boolean;
  input: string;
}

export function summaryJson(summary: SummaryJsonInput): string {
  const document = {
    input: summary.input,
    holders_attributed: summary.holders,
    threads: summary.threads.map(threadJson),
    findings: summary.findings.map((finding) => ({ kind: finding.kind, threads: finding.threads, message: finding.message })),
    warnings: summary.warnings.map((warning) => ({ code: warning.code, severity: warning.severity, count: warning.count, message: warning.message })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
