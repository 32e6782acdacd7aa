/**
 * Runs a command the way a user would (files in, file out) and measures its wall time and peak RSS
 * with GNU time, so that offgil, the Perl tools and the raw line loop are measured alike.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GNU_TIME = '/usr/bin/time';

/** The repository root (benchmarks run from dist/bench/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The classic tools (flamegraph.pl, stackcollapse-perf.pl) next to the repository, run here only to
 * be timed; OFFGIL_ANCHORS points elsewhere.
 */
export const ANCHORS = process.env.OFFGIL_ANCHORS ?? join(ROOT, '..', 'shared', 'anchors', 'FlameGraph');

export interface Measurement {
  seconds: number;
  peakRssMb: number;
}

export interface BenchRow {
  name: string;
  /** Input size in MB (10^6 bytes), for throughput. */
  inputMb: number;
  seconds: number;
  peakRssMb: number;
  note?: string;
}

export function requireGnuTime(): void {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is needed to measure peak RSS (Debian: apt-get install time)`);
}

/** Runs `command args…` with stdin from `stdinPath` (or none) and stdout to `stdoutPath` (or /dev/null). */
export function measure(command: string, args: readonly string[], stdinPath?: string, stdoutPath = '/dev/null'): Measurement {
  const report = join(tmpdir(), `offgil-bench-${process.pid}.time`);
  const stdin = stdinPath === undefined ? 'ignore' : openSync(stdinPath, 'r');
  const stdout = openSync(stdoutPath, 'w');
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ['-f', '%M', '-o', report, command, ...args], { stdio: [stdin, stdout, 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (typeof stdin === 'number') closeSync(stdin);
  closeSync(stdout);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.toString().slice(-500)}`);
  }
  const peakKb = Number(readFileSync(report, 'utf8').trim().split('\n').pop());
  rmSync(report, { force: true });
  return { seconds, peakRssMb: peakKb / 1024 };
}

/** The fastest of `runs` runs: short Node runs are noisy, and the minimum is the least disturbed. */
export function fastestOf(runs: number, command: string, args: readonly string[], stdinPath?: string, stdoutPath?: string): Measurement {
  let fastest = measure(command, args, stdinPath, stdoutPath);
  for (let run = 1; run < runs; run++) {
    const next = measure(command, args, stdinPath, stdoutPath);
    if (next.seconds < fastest.seconds) fastest = next;
  }
  return fastest;
}

export function sizeMb(path: string): number {
  return statSync(path).size / 1e6;
}

export function formatRows(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'input MB', 'seconds', 'MB/s', 'peak RSS MB', 'note'];
  const lines = rows.map((row) => [
    row.name,
    row.inputMb.toFixed(1),
    row.seconds.toFixed(2),
    (row.inputMb / row.seconds).toFixed(1),
    row.peakRssMb.toFixed(0),
    row.note ?? '',
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, column) => Math.max(...all.map((line) => line[column]!.length)));
  return all.map((line) => line.map((cell, column) => (column === 0 || column === 5 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}
