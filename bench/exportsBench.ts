/**
 * The exports on the benchmark input: time and peak RSS of `offgil --state all` writing the Chrome
 * trace, the speedscope file and the pprof profile, and each file's size per MB of input
 * (docs/trace.md, docs/speedscope.md and docs/pprof.md quote them). Also runnable alone:
 * `node dist/bench/exportsBench.js INPUT`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRows, measure, ROOT, sizeMb, type BenchRow } from './measure.js';

export function benchExports(inputPath: string): BenchRow[] {
  const inputMb = sizeMb(inputPath);
  const scratch = mkdtempSync(join(tmpdir(), 'offgil-exports-bench-'));
  const offgil = [join(ROOT, 'bin', 'offgil'), '-i', inputPath, '--state', 'all'];
  try {
    const rows: BenchRow[] = [];
    for (const [name, extra, file] of [
      ['--trace', [], 'trace.json'],
      ['--trace --trace-min-us 100', ['--trace-min-us', '100'], 'trace-min.json'],
      ['--speedscope', [], 'speedscope.json'],
      ['--pprof', [], 'profile.pb.gz'],
    ] as const) {
      const path = join(scratch, file);
      const option = name.split(' ')[0]!;
      const result = measure(process.execPath, [...offgil, option, path, ...extra]);
      const mb = statSync(path).size / 1e6;
      rows.push({ name: `offgil --state all ${name}`, inputMb, ...result, note: `${mb.toFixed(1)} MB written, ${(mb / inputMb).toFixed(3)} MB per input MB` });
    }
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2];
  if (input === undefined) throw new Error('usage: node dist/bench/exportsBench.js INPUT');
  process.stdout.write(`${formatRows(benchExports(input))}\n`);
}
