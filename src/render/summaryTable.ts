/**
 * The per-thread table of `offgil --summary` (stderr): where each thread's time went, its GIL
 * acquisitions, and what it did to the others as GIL holder, followed by the findings. Times in ms.
 */
import type { ThreadSummary } from '../analysis/threadSummary.js';
import type { Finding } from '../diagnosis/findings.js';
import { offCpuColumns } from './summaryColumns.js';

export interface SummaryTableOptions {
  /** Show the first N threads (by GIL wait) and sum the rest in one line. */
  top?: number | undefined;
  /** Whether holders were attributed (otherwise their columns show `-`). */
  holders?: boolean;
}

const HEADER = [
  'thread',
  'pid',
  'tid',
  'observed',
  'running',
  'GIL wait',
  'GIL drop',
  'lock',
  'sleep',
  'I/O',
  'preempted',
  'other',
  'acq',
  'median',
  'p95',
  'max',
  'forced',
  'caused',
  'held preempted',
  'held blocked',
];
/** Columns whose cells are text (left-aligned). */
const TEXT_COLUMNS = 1;

function ms(ns: number | undefined): string {
  return ns === undefined ? '-' : (ns / 1e6).toFixed(1);
}

function count(value: number | undefined): string {
  return value === undefined ? '-' : String(value);
}

function row(thread: ThreadSummary, holders: boolean): string[] {
  const columns = offCpuColumns(thread.classNs);
  const acquisitions = thread.acquisitions;
  const holder = thread.holder;
  const held = (ns: number | undefined): string => (holders ? ms(ns ?? 0) : '-');
  return [
    thread.comm,
    String(thread.pid),
    String(thread.tid),
    ms(thread.observedNs),
    ms(thread.runningNs),
    ms(columns.gil),
    ms(columns.gilDrop),
    ms(columns.lock),
    ms(columns.sleep),
    ms(columns.io),
    ms(columns.preempted),
    ms(columns.other),
    count(acquisitions?.count),
    ms(acquisitions?.medianNs),
    ms(acquisitions?.p95Ns),
    ms(acquisitions?.maxNs),
    count(acquisitions?.forcedSwitches),
    held(holder?.causedNs),
    held(holder?.heldNs.preempted),
    held(holder?.heldNs.blocked),
  ];
}

/** The rest of the threads in one row: sums, no acquisition statistics. */
function restRow(threads: readonly ThreadSummary[]): string[] {
  const sum = (pick: (thread: ThreadSummary) => number): string => ms(threads.reduce((total, thread) => total + pick(thread), 0));
  const column = (name: keyof ReturnType<typeof offCpuColumns>) => sum((thread) => offCpuColumns(thread.classNs)[name]);
  return [
    `(${threads.length} more threads)`,
    '',
    '',
    sum((t) => t.observedNs),
    sum((t) => t.runningNs),
    column('gil'),
    column('gilDrop'),
    column('lock'),
    column('sleep'),
    column('io'),
    column('preempted'),
    column('other'),
    String(threads.reduce((total, thread) => total + (thread.acquisitions?.count ?? 0), 0)),
    '',
    '',
    '',
    String(threads.reduce((total, thread) => total + (thread.acquisitions?.forcedSwitches ?? 0), 0)),
    sum((t) => t.holder?.causedNs ?? 0),
    sum((t) => t.holder?.heldNs.preempted ?? 0),
    sum((t) => t.holder?.heldNs.blocked ?? 0),
  ];
}

function alignTable(rows: readonly string[][]): string {
  const widths = HEADER.map((_, column) => Math.max(...rows.map((cells) => [...cells[column]!].length)));
  return rows
    .map((cells) =>
      cells
        .map((cell, column) => {
          const pad = ' '.repeat(widths[column]! - [...cell].length);
          return column < TEXT_COLUMNS ? cell + pad : pad + cell;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatSummaryTable(threads: readonly ThreadSummary[], findings: readonly Finding[], options: SummaryTableOptions = {}): string {
  const top = options.top ?? threads.length;
  const shown = threads.slice(0, top);
  const rest = threads.slice(top);
  const rows = [HEADER, ...shown.map((thread) => row(thread, options.holders ?? false)), ...(rest.length > 0 ? [restRow(rest)] : [])];
  const lines = ['per thread, times in ms (acq: GIL acquisitions; median/p95/max: their waits; caused: GIL wait of others while it held the GIL):', alignTable(rows)];
  for (const thread of shown) {
    const blocking = thread.holder?.blockingStacks[0];
    if (blocking !== undefined && thread.holder!.heldNs.blocked > 0) {
      lines.push(`thread ${thread.tid} held the GIL while blocked in: ${blocking.frames.join(' ← ')} (${ms(blocking.ns)} ms)`);
    }
  }
  lines.push(findings.length === 0 ? 'findings: none' : 'findings:');
  for (const finding of findings) lines.push(`- ${finding.message}`);
  return lines.join('\n');
}
