/**
 * The reference loop for collapse throughput: read a file in 1 MiB chunks and count newlines with
 * `indexOf`. No parser can be faster than this in Node; `offgil collapse` is measured against it.
 * Usage: node dist/bench/newlineLoop.js FILE (prints the line count).
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

function countLines(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  try {
    for (let read = readSync(fd, buf, 0, CHUNK, null); read > 0; read = readSync(fd, buf, 0, CHUNK, null)) {
      for (let nl = buf.indexOf(NEWLINE, 0); nl >= 0 && nl < read; nl = buf.indexOf(NEWLINE, nl + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

if (process.argv[2] !== undefined) process.stdout.write(`${countLines(process.argv[2])}\n`);
