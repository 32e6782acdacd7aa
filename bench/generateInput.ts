/**
 * Builds a large `perf script` input deterministically from the recorded fixtures: the recordings are
 * repeated with every timestamp shifted past the previous copy, so the result is a long, valid trace
 * with real stacks (the same bytes every run).
 */
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const BENCH_FIXTURES = ['gil-3.11-switch.txt.gz', 'io-3.13.txt.gz', 'sched-all-3.11.txt.gz', 'gil-3.8.txt.gz'];

const TIMESTAMP = /^(\S.*? )(\d+)\.(\d+):/;
const SHIFT_SECONDS = 1000;

/** The fixtures' text with header timestamps moved by `offsetSeconds`. */
function shifted(lines: readonly string[], offsetSeconds: number): string {
  let out = '';
  for (const line of lines) {
    const match = line.length > 0 && line.charCodeAt(0) !== 9 ? TIMESTAMP.exec(line) : null;
    out += match === null ? `${line}\n` : `${match[1]}${Number(match[2]) + offsetSeconds}.${match[3]}:${line.slice(match[0].length)}\n`;
  }
  return out;
}

/** Writes at least `targetMb` MB to `path` unless a file of that size is there already. */
export async function generateInput(fixturesDir: string, path: string, targetMb: number): Promise<void> {
  const target = targetMb * 1e6;
  if (existsSync(path) && statSync(path).size >= target) return;
  const lines = BENCH_FIXTURES.map((name) => gunzipSync(readFileSync(join(fixturesDir, name))).toString('utf8'))
    .join('\n')
    .split('\n');
  const out = createWriteStream(path);
  let written = 0;
  for (let copy = 0; written < target; copy++) {
    const text = shifted(lines, copy * SHIFT_SECONDS);
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
