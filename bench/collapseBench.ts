/**
 * `offgil collapse` against stackcollapse-perf.pl and against the bare newline loop (the ceiling
 * for any line parser in Node), on the same input, in the same run. Checks that offgil's output is
 * byte-identical to Perl's. Usage: node dist/bench/collapseBench.js INPUT
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatRows, measure, requireGnuTime, sizeMb, type BenchRow, type Measurement } from './measure.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OFFGIL = join(ROOT, 'bin', 'offgil');
const NEWLINE_LOOP = join(ROOT, 'dist', 'bench', 'newlineLoop.js');
/** The Perl script to compare with; STACKCOLLAPSE_PL overrides. */
export const STACKCOLLAPSE_PL = process.env.STACKCOLLAPSE_PL ?? '/work/shared/anchors/FlameGraph/stackcollapse-perf.pl';
/** Node runs are short and noisy: the best of this many. */
const NODE_RUNS = 3;

function best(runs: number, once: () => Measurement): Measurement {
  let fastest = once();
  for (let i = 1; i < runs; i++) {
    const next = once();
    if (next.seconds < fastest.seconds) fastest = next;
  }
  return fastest;
}

export async function benchCollapse(inputPath: string): Promise<BenchRow[]> {
  requireGnuTime();
  const inputMb = sizeMb(inputPath);
  const scratch = mkdtempSync(join(tmpdir(), 'offgil-collapse-bench-'));
  try {
    const offgilOut = join(scratch, 'offgil.folded');
    const perlOut = join(scratch, 'perl.folded');
    const bare = best(NODE_RUNS, () => measure(process.execPath, [NEWLINE_LOOP, inputPath]));
    const offgil = best(NODE_RUNS, () => measure(process.execPath, [OFFGIL, 'collapse', inputPath], undefined, offgilOut));
    const rows: BenchRow[] = [
      { name: 'newline loop (1 MiB reads, indexOf)', inputMb, ...bare, note: `best of ${NODE_RUNS}` },
      { name: 'offgil collapse', inputMb, ...offgil, note: `best of ${NODE_RUNS}; ${((bare.seconds / offgil.seconds) * 100).toFixed(0)}% of the newline loop's MB/s` },
    ];
    if (existsSync(STACKCOLLAPSE_PL)) {
      const perl = measure('perl', [STACKCOLLAPSE_PL, inputPath], undefined, perlOut);
      const same = readFileSync(offgilOut).equals(readFileSync(perlOut));
      rows.push({ name: 'stackcollapse-perf.pl', inputMb, ...perl, note: same ? 'output identical to offgil collapse' : 'OUTPUT DIFFERS from offgil collapse' });
    } else {
      process.stderr.write(`collapse bench: ${STACKCOLLAPSE_PL} not found (set STACKCOLLAPSE_PL); Perl not measured\n`);
    }
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const input = process.argv[2];
  if (input === undefined) {
    process.stderr.write('usage: node dist/bench/collapseBench.js INPUT\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${formatRows(await benchCollapse(input))}\n`);
  }
}
