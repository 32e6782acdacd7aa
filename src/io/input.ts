/**
 * Opens what offgil reads: `perf script` text from a file (plain or gzip), from stdin, or a binary
 * perf.data file turned into text by running `perf script` on it.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { perfScriptChunks } from './perfScript.js';
import { UserError } from './userError.js';

/**
 * The input stream itself broke (a gzip that fails to inflate). Callers that count lines can say
 * where: `label:LINE: reason`.
 */
export class InputStreamError extends UserError {
  constructor(
    readonly label: string,
    readonly reason: string,
  ) {
    super(`${label}: ${reason}`);
    this.name = 'InputStreamError';
  }
}

export interface OpenedInput {
  /** How messages name the input: its path, or `stdin`. */
  label: string;
  chunks: AsyncIterable<Buffer>;
}

/** Files tried, in order, when no input is given and stdin is a terminal (per4m reads ./perf.data). */
export const DEFAULT_INPUTS = ['perf-sched.data', 'perf.data'];

export const RECORD_COMMAND =
  'perf record -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking --switch-events --call-graph dwarf -k CLOCK_MONOTONIC -o perf-sched.data -- python3 app.py';

const PERF_MAGIC = Buffer.from('PERFILE2');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const READ_CHUNK = 1 << 20;

/**
 * Arguments offgil passes to `perf script` for a perf.data file. `-F +pid` alone drops the call
 * chains; with `+ip,+sym,+dso,+symoff` the output is perf's default plus `PID/TID` headers, which
 * give each thread its process (semantics.md §5). `--ns`: exact times, which the time slices need.
 */
export function perfScriptArgs(path: string): string[] {
  return ['script', '--no-inline', '--show-switch-events', '--show-lost-events', '--ns', '-F', '+pid,+ip,+sym,+dso,+symoff', '-i', path];
}

/**
 * Parallel `perf script` time slices for offgil's own call: one per CPU, at most 8
 * (OFFGIL_PERF_SCRIPT_SLICES sets it, for benchmarks: 1 is one plain run).
 */
export const PERF_SCRIPT_SLICES = Number(process.env.OFFGIL_PERF_SCRIPT_SLICES) || Math.min(availableParallelism(), 8);

/** True when stdin carries data (a pipe or a redirected file), not a terminal or /dev/null. */
export function stdinHasData(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isFile() || stat.isSocket();
  } catch {
    return false;
  }
}

export interface OpenOptions {
  /** `perf script` arguments for a perf.data file; offgil's own by default (the collapse command wants perf's plain output). */
  perfScriptArgs?: (path: string) => string[];
  /** How many parallel time slices perf script runs in (PERF_SCRIPT_SLICES with offgil's own arguments, else 1). */
  perfScriptSlices?: number;
  /**
   * A plain file's chunks may share one buffer: each is valid only until the next is requested.
   * Saves the page faults of a fresh megabyte per chunk, for consumers that keep nothing.
   */
  reuseChunks?: boolean;
  /** With no path, read stdin when it is a pipe or file (the command line's rule; default true). */
  readPipedStdin?: boolean;
}

/**
 * The command line's input rule: `path`; `-` or, with no path, piped stdin; else the first of
 * DEFAULT_INPUTS in the working directory.
 */
export async function openInput(path: string | undefined, options: OpenOptions = {}): Promise<OpenedInput> {
  if (path === '-' || (path === undefined && (options.readPipedStdin ?? true) && stdinHasData())) return openStdin();
  if (path === undefined) {
    const found = DEFAULT_INPUTS.find((name) => existsSync(name));
    if (found === undefined) {
      throw new UserError(
        `no input: pipe "perf script" text into offgil, pass -i FILE, or record ./perf-sched.data first:\n  ${RECORD_COMMAND}`,
      );
    }
    path = found;
  }
  return openFile(path, options);
}

async function openFile(path: string, options: OpenOptions): Promise<OpenedInput> {
  let magic: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(PERF_MAGIC.length), 0, PERF_MAGIC.length, 0);
      magic = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new UserError(`${path}: ${describeFsError(error)}`);
  }
  if (magic.equals(PERF_MAGIC)) {
    const args = (options.perfScriptArgs ?? perfScriptArgs)(path);
    const slices = options.perfScriptSlices ?? (options.perfScriptArgs === undefined ? PERF_SCRIPT_SLICES : 1);
    return { label: path, chunks: perfScriptChunks(path, args, slices) };
  }
  // zlib works on its input asynchronously, so it always gets buffers of its own.
  if (startsWith(magic, GZIP_MAGIC)) return { label: path, chunks: gunzip(fileChunks(path, false), path) };
  return { label: path, chunks: fileChunks(path, options.reuseChunks === true) };
}

/**
 * A file's bytes by synchronous reads: a command has nothing else to do meanwhile, and a fast
 * parser spends a tenth of its time in the stream machinery otherwise.
 */
async function* fileChunks(path: string, reuse: boolean): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  let chunk = Buffer.allocUnsafeSlow(READ_CHUNK);
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, READ_CHUNK, null);
      if (read === 0) return;
      yield read < READ_CHUNK ? chunk.subarray(0, read) : chunk;
      if (!reuse) chunk = Buffer.allocUnsafeSlow(READ_CHUNK);
    }
  } finally {
    closeSync(fd);
  }
}

async function openStdin(): Promise<OpenedInput> {
  const iterator = process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (first.done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  if (startsWith(head, PERF_MAGIC)) {
    throw new UserError('stdin: this is binary perf.data, not perf script text; pass the file with -i FILE');
  }
  return { label: 'stdin', chunks: startsWith(head, GZIP_MAGIC) ? gunzip(rest(), 'stdin') : rest() };
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.subarray(0, prefix.length).equals(prefix);
}

async function* gunzip(source: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  const inflate = createGunzip();
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (!inflate.write(chunk)) await new Promise((resolve) => inflate.once('drain', resolve));
      }
      inflate.end();
    } catch (error) {
      inflate.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    throw new InputStreamError(label, `corrupt gzip data (${(error as Error).message})`);
  }
  await feed;
}

function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
      return 'permission denied';
    default:
      return (error as Error).message;
  }
}
