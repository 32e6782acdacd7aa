/**
 * The floors offgil's throughput is compared with: reading the input and splitting it into lines,
 * doing nothing else.
 * - `lines`: the raw read-and-split-lines loop (1 MiB chunks decoded as UTF-8, `split('\n')`): the
 *   reference of the throughput targets;
 * - `bytes`: 1 MiB Buffers scanned with indexOf, no strings at all (the absolute floor);
 * - `split2`: the usual Node line stream, one string per line.
 * Usage: node lineLoop.js lines|bytes|split2 FILE
 */
import { createReadStream } from 'node:fs';
import split2 from 'split2';

async function countWithIndexOf(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

async function countWithSplit(path: string): Promise<number> {
  let lines = 0;
  let carry = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, encoding: 'utf8' }) as AsyncIterable<string>) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop()!;
    lines += parts.length;
  }
  return lines;
}

async function countWithSplit2(path: string): Promise<number> {
  let lines = 0;
  for await (const line of createReadStream(path, { highWaterMark: 1 << 20 }).pipe(split2()) as AsyncIterable<string>) {
    if (line.length >= 0) lines++;
  }
  return lines;
}

const [mode, path] = process.argv.slice(2);
const count = { lines: countWithSplit, bytes: countWithIndexOf, split2: countWithSplit2 }[mode as 'lines' | 'bytes' | 'split2'];
if (count === undefined) throw new Error(`unknown mode ${mode}`);
process.stdout.write(`${await count(path!)} lines\n`);
