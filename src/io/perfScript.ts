/**
 * Turns a perf.data file into `perf script` text. perf script is single-threaded and, on a big
 * recording, most of the time of `offgil -i perf.data`; on a machine with several CPUs the recording is
 * cut into time slices (`--time`) that run in parallel and are read back in order. The first slice
 * streams; the others go to temporary files meanwhile. perf prints every side-band record
 * (`PERF_RECORD_SWITCH`, `PERF_RECORD_LOST`) whatever `--time` says, so each slice keeps only those in
 * its own range: the concatenation is byte for byte what one run prints (test/perfScript.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { UserError } from './userError.js';

const NEWLINE = 0x0a;
const TAB = 0x09;
const SIDE_BAND = Buffer.from(': PERF_RECORD_');
/** Below this span a recording is not worth slicing. */
const MIN_SLICED_SPAN_NS = 100_000_000n;

/** An inclusive range of nanoseconds; undefined ends are open. */
export interface TimeSlice {
  fromNs: bigint | undefined;
  toNs: bigint | undefined;
}

/** `SECS.FRAC` → integer nanoseconds. */
export function timeToNs(text: string): bigint {
  const [seconds, fraction = ''] = text.split('.');
  return BigInt(seconds!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

/** Nanoseconds → `SECS.NNNNNNNNN`, as `perf script --time` reads it. */
export function nsToTime(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

/** `count` slices covering [first, last], each ending 1 ns before the next starts; the outer ends open. */
export function timeSlices(firstNs: bigint, lastNs: bigint, count: number): TimeSlice[] {
  const slices: TimeSlice[] = [];
  const span = lastNs - firstNs;
  for (let k = 0; k < count; k++) {
    const from = k === 0 ? undefined : firstNs + (span * BigInt(k)) / BigInt(count);
    const to = k === count - 1 ? undefined : firstNs + (span * BigInt(k + 1)) / BigInt(count) - 1n;
    slices.push({ fromNs: from, toNs: to });
  }
  return slices;
}

function timeArgument(slice: TimeSlice): string {
  return `${slice.fromNs === undefined ? '' : nsToTime(slice.fromNs)},${slice.toNs === undefined ? '' : nsToTime(slice.toNs)}`;
}

/**
 * Drops the side-band lines of a slice's text whose time is outside the slice (perf prints them in
 * every slice). Lines arrive in chunks of any size.
 */
export class SideBandFilter {
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly slice: TimeSlice) {}

  push(chunk: Buffer): Buffer {
    const data = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const end = data.lastIndexOf(NEWLINE) + 1;
    this.carry = Buffer.from(data.subarray(end));
    return this.filter(data.subarray(0, end));
  }

  end(): Buffer {
    const rest = this.filter(this.carry);
    this.carry = Buffer.alloc(0);
    return rest;
  }

  private filter(text: Buffer): Buffer {
    if (this.slice.fromNs === undefined && this.slice.toNs === undefined) return text;
    const kept: Buffer[] = [];
    let from = 0;
    for (let at = text.indexOf(SIDE_BAND); at >= 0; at = text.indexOf(SIDE_BAND, at + SIDE_BAND.length)) {
      const lineStart = text.lastIndexOf(NEWLINE, at) + 1;
      if (text[lineStart] === TAB) continue;
      const newline = text.indexOf(NEWLINE, at);
      const lineEnd = newline < 0 ? text.length : newline + 1;
      if (this.inside(text, at)) continue;
      kept.push(text.subarray(from, lineStart));
      from = lineEnd;
      at = lineEnd - SIDE_BAND.length;
    }
    if (from === 0) return text;
    kept.push(text.subarray(from));
    return Buffer.concat(kept);
  }

  /** Whether the timestamp that ends just before `colon` lies in the slice. */
  private inside(text: Buffer, colon: number): boolean {
    let start = colon;
    while (start > 0 && (text[start - 1] === 0x2e || (text[start - 1]! >= 0x30 && text[start - 1]! <= 0x39))) start--;
    const ns = timeToNs(text.toString('latin1', start, colon));
    return (this.slice.fromNs === undefined || ns >= this.slice.fromNs) && (this.slice.toNs === undefined || ns <= this.slice.toNs);
  }
}

function missingPerf(path: string): UserError {
  return new UserError(
    `${path} is a binary perf.data file and reading it needs the perf tool, which is not installed ` +
      `(Debian: apt-get install linux-perf); or run "perf script -i ${path} > ${path}.txt" where perf is, and pass that file`,
  );
}

/** A running perf whose exit (and the end of its stderr) can be awaited; failures name the input. */
function startPerf(path: string, args: readonly string[], stdout: 'pipe' | number): { child: ChildProcess; done: Promise<void> } {
  const child = spawn('perf', args, { stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? missingPerf(path) : error));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new UserError(`${path}: perf script failed: ${stderr.trim().split('\n').filter(Boolean).pop() ?? `exit status ${code}`}`));
    });
  });
  // Awaited only after stdout ends; without a handler now, a spawn error would count as unhandled.
  done.catch(() => undefined);
  return { child, done };
}

/** The recording's first and last sample from its header, or undefined when perf does not say. */
async function recordingSpan(path: string): Promise<{ firstNs: bigint; lastNs: bigint } | undefined> {
  const child = spawn('perf', ['report', '--header-only', '-i', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  let header = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (header += text));
  const [code] = (await once(child, 'close').catch(() => [1])) as [number | null];
  const first = /time of first sample : (\d+\.\d+)/.exec(header);
  const last = /time of last sample : (\d+\.\d+)/.exec(header);
  if (code !== 0 || first === null || last === null) return undefined;
  return { firstNs: timeToNs(first[1]!), lastNs: timeToNs(last[1]!) };
}

/**
 * `perf script ARGS` (which must print `--ns` times when `slices` > 1) as chunks, in `slices`
 * parallel time slices when the recording is long enough to gain from it.
 */
export async function* perfScriptChunks(path: string, args: readonly string[], slices: number): AsyncGenerator<Buffer> {
  const span = slices > 1 ? await recordingSpan(path) : undefined;
  if (span === undefined || span.lastNs - span.firstNs < MIN_SLICED_SPAN_NS) {
    yield* sliceChunks(path, args, { fromNs: undefined, toNs: undefined });
    return;
  }
  const ranges = timeSlices(span.firstNs, span.lastNs, slices);
  const dir = mkdtempSync(join(tmpdir(), 'offgil-perf-script-'));
  const later: { file: string; run: { child: ChildProcess; done: Promise<void> }; slice: TimeSlice }[] = [];
  try {
    for (const [k, slice] of ranges.entries()) {
      if (k === 0) continue;
      const file = join(dir, `slice-${k}.txt`);
      const fd = openSync(file, 'w');
      try {
        later.push({ file, run: startPerf(path, [...args, '--time', timeArgument(slice)], fd), slice });
      } finally {
        closeSync(fd);
      }
    }
    yield* sliceChunks(path, args, ranges[0]!);
    for (const { file, run, slice } of later) {
      await run.done;
      const filter = new SideBandFilter(slice);
      for await (const chunk of createReadStream(file)) yield filter.push(chunk as Buffer);
      yield filter.end();
      rmSync(file, { force: true });
    }
  } finally {
    for (const { run } of later) if (run.child.exitCode === null) run.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One slice (or the whole recording) streamed from perf's stdout. */
async function* sliceChunks(path: string, args: readonly string[], slice: TimeSlice): AsyncGenerator<Buffer> {
  const whole = slice.fromNs === undefined && slice.toNs === undefined;
  const run = startPerf(path, whole ? args : [...args, '--time', timeArgument(slice)], 'pipe');
  const filter = new SideBandFilter(slice);
  try {
    for await (const chunk of run.child.stdout!) yield whole ? (chunk as Buffer) : filter.push(chunk as Buffer);
    if (!whole) yield filter.end();
    await run.done;
  } finally {
    if (run.child.exitCode === null) run.child.kill();
  }
}
