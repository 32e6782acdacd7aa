/**
 * Runs a command the way a user would (files in, file out) and measures its wall time and peak RSS
 * with GNU time, so that offgil, the Perl tools and the raw line loops are measured alike.
 *
 * Every child runs without NODE_EXTRA_CA_CERTS: a sandbox that sets it makes each Node start-up
 * parse a CA bundle (~100 ms), which users do not pay.
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

/** Variables removed from the environment of every measured command. */
export const UNSET_VARIABLES = ['NODE_EXTRA_CA_CERTS'] as const;

export function childEnv(): NodeJS.ProcessEnv {
  const unset: readonly string[] = UNSET_VARIABLES;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.includes(name)));
}

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
  /** E.g. `12.3×` stackcollapse-perf.pl, measured in the same run. */
  ratio?: string;
  /** Share of the newline-scan floor's throughput, e.g. `31%`. */
  ofScan?: string;
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
  const result = spawnSync(GNU_TIME, ['-f', '%M', '-o', report, command, ...args], { stdio: [stdin, stdout, 'pipe'], env: childEnv() });
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

/** One command of a set measured in rounds. */
export interface Contender {
  name: string;
  command: string;
  args: readonly string[];
  stdout?: string;
  /** Runs at most (default: all rounds); the Perl tools take seconds per run. */
  runs?: number;
}

/**
 * Runs every contender once per round, `rounds` times, and keeps each one's fastest run: a busy
 * moment on the shared machine then slows one run of each rather than every run of one.
 * The peak RSS is the largest seen.
 */
export function fastestInRounds(rounds: number, contenders: readonly Contender[], log: (name: string) => void = () => undefined): Measurement[] {
  const best: (Measurement | undefined)[] = contenders.map(() => undefined);
  for (let round = 0; round < rounds; round++) {
    contenders.forEach((contender, i) => {
      if (round >= (contender.runs ?? rounds)) return;
      log(`${contender.name} (run ${round + 1})`);
      const run = measure(contender.command, contender.args, undefined, contender.stdout);
      const previous = best[i];
      best[i] = previous === undefined ? run : { seconds: Math.min(previous.seconds, run.seconds), peakRssMb: Math.max(previous.peakRssMb, run.peakRssMb) };
    });
  }
  return best.map((m) => m!);
}

export function sizeMb(path: string): number {
  return statSync(path).size / 1e6;
}

export function formatRows(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'input MB', 'seconds', 'MB/s', 'ratio', '% of scan', 'peak RSS MB', 'note'];
  const lines = rows.map((row) => [
    row.name,
    row.inputMb > 0 ? row.inputMb.toFixed(1) : '',
    row.seconds.toFixed(3),
    row.inputMb > 0 ? (row.inputMb / row.seconds).toFixed(1) : '',
    row.ratio ?? '',
    row.ofScan ?? '',
    row.peakRssMb.toFixed(0),
    row.note ?? '',
  ]);
  const all = [header, ...lines];
  const left = new Set([0, header.length - 1]);
  const widths = header.map((_, column) => Math.max(...all.map((line) => line[column]!.length)));
  return all
    .map((line) => line.map((cell, column) => (left.has(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd())
    .join('\n');
}
