/**
 * The inputs of `npm run bench`:
 * - real recordings made by bench/record-inputs.sh (one long run each: what users feed offgil);
 * - FlameGraph's example capture, concatenated 20 times (collapse only: it is a cycles profile);
 * - for peak RSS only, the real recordings concatenated with shifted timestamps up to 1 GB.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT } from './measure.js';

export const OUT = join(ROOT, 'bench', 'out');

export interface RealInput {
  path: string;
  label: string;
}

/** The recordings of bench/record-inputs.sh, in the order the tables show them. */
export const REAL_INPUTS: readonly RealInput[] = [
  { path: join(OUT, 'http-3.12.txt'), label: 'ThreadingHTTPServer + 8 clients, CPython 3.12 -X perf' },
  { path: join(OUT, 'pool-3.13.txt'), label: 'thread pool, hashlib + json, CPython 3.13' },
  { path: join(OUT, 'tests-3.11.txt'), label: 'CPython 3.11 test suite: test_queue test_thread …' },
];

export const EXAMPLE_CAPTURE = join(ROOT, 'test', 'conformance', 'stackcollapse-perf', 'inferno', 'example-perf-stacks.txt.gz');
export const EXAMPLE_COPIES = 20;

/** FlameGraph's example capture (a `perf record -F 99 -a -g` profile) concatenated `copies` times. */
export function exampleInput(copies = EXAMPLE_COPIES): string {
  const path = join(OUT, `example-x${copies}.txt`);
  if (!existsSync(path)) {
    const text = gunzipSync(readFileSync(EXAMPLE_CAPTURE));
    writeFileSync(path, Buffer.concat(Array.from({ length: copies }, () => text)));
  }
  return path;
}

const SHIFT_SECONDS = 100_000;
const TIMESTAMP = /^(\S.*? )(\d+)\.(\d+):/;
const READ_CHUNK = 4 << 20;

function firstTimestamp(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 16);
  const read = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  for (const line of buf.toString('latin1', 0, read).split('\n')) {
    const match = line.length > 0 && line.charCodeAt(0) !== 9 && line.charCodeAt(0) !== 0x20 ? TIMESTAMP.exec(line) : null;
    if (match !== null) return Number(`${match[2]}.${match[3]}`);
  }
  return 0;
}

/** Copies `path` to `fd` with the seconds of every header timestamp moved by `offsetSeconds`. */
function copyShifted(path: string, fd: number, offsetSeconds: number): number {
  const input = openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(READ_CHUNK);
  let carry = Buffer.alloc(0);
  let written = 0;
  try {
    for (;;) {
      const read = readSync(input, chunk, 0, READ_CHUNK, null);
      if (read === 0) break;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      const lastNewline = data.lastIndexOf(10);
      const parts: Buffer[] = [];
      let from = 0;
      for (let pos = 0; pos <= lastNewline; ) {
        const nl = data.indexOf(10, pos);
        const first = data[pos]!;
        if (nl > pos && first !== 9 && first !== 0x20 && first !== 0x23) {
          const line = data.toString('latin1', pos, nl);
          const match = TIMESTAMP.exec(line);
          if (match !== null) {
            parts.push(data.subarray(from, pos));
            parts.push(Buffer.from(`${match[1]}${Number(match[2]) + offsetSeconds}.${match[3]}:`, 'latin1'));
            from = pos + match[0].length;
          }
        }
        pos = nl + 1;
      }
      parts.push(data.subarray(from, lastNewline + 1));
      const out = Buffer.concat(parts);
      writeSync(fd, out);
      written += out.length;
      carry = Buffer.from(data.subarray(lastNewline + 1));
    }
    if (carry.length > 0) {
      writeSync(fd, carry);
      written += carry.length;
    }
  } finally {
    closeSync(input);
  }
  return written;
}

/**
 * The real recordings, in time order, repeated with every timestamp shifted past the previous copy
 * until `targetMb` MB: a long valid trace for peak-RSS rows (copies flatter caches, so throughput
 * rows never use it).
 */
export function concatenatedRealInput(targetMb: number): string {
  const path = join(OUT, `real-${targetMb}mb.txt`);
  const target = targetMb * 1e6;
  if (existsSync(path) && statSync(path).size >= target) return path;
  const sources = REAL_INPUTS.map((input) => input.path).sort((a, b) => firstTimestamp(a) - firstTimestamp(b));
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    for (let copy = 0; written < target; copy++) {
      for (const source of sources) {
        if (written < target) written += copyShifted(source, fd, copy * SHIFT_SECONDS);
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}
