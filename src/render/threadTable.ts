/** The per-thread text table printed by `offgil --summary` and `-v`. */
import type { ThreadSummary } from '../analysis/threadSummary.js';

const COLUMNS = ['thread', 'tid', 'observed µs', 'GIL wait µs', '%', 'GIL drop µs', '%', 'other off-CPU µs', '%', 'running µs', '%'];

function percent(part: number, whole: number): string {
  return whole > 0 ? ((100 * part) / whole).toFixed(1) : '-';
}

function us(ns: number): string {
  return String(Math.floor(ns / 1000));
}

export function formatThreadTable(threads: readonly ThreadSummary[]): string {
  const rows = threads.map((t) => [
    t.comm,
    String(t.tid),
    us(t.observedNs),
    us(t.gilNs),
    percent(t.gilNs, t.observedNs),
    us(t.gilDropNs),
    percent(t.gilDropNs, t.observedNs),
    us(t.otherNs),
    percent(t.otherNs, t.observedNs),
    us(t.runningNs),
    percent(t.runningNs, t.observedNs),
  ]);
  const all = [COLUMNS, ...rows];
  const widths = COLUMNS.map((_, column) => Math.max(...all.map((row) => [...row[column]!].length)));
  // Thread names are left-aligned, numbers right-aligned.
  return all
    .map((row) =>
      row
        .map((cell, column) => {
          const pad = ' '.repeat(widths[column]! - [...cell].length);
          return column === 0 ? cell + pad : pad + cell;
        })
        .join('  '),
    )
    .join('\n');
}
