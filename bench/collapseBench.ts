/**
 * `offgil collapse` against stackcollapse-perf.pl on the same input, in the same run, checking that
 * the two outputs are byte-identical.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANCHORS, fastestOf, measure, ROOT, sizeMb, type BenchRow } from './measure.js';

const NODE_RUNS = 3;

export function benchCollapse(inputPath: string): BenchRow[] {
  const inputMb = sizeMb(inputPath);
  const scratch = mkdtempSync(join(tmpdir(), 'offgil-collapse-bench-'));
  try {
    const offgilOut = join(scratch, 'offgil.folded');
    const offgil = fastestOf(NODE_RUNS, process.execPath, [join(ROOT, 'bin', 'offgil'), 'collapse', inputPath], undefined, offgilOut);
    const rows: BenchRow[] = [{ name: `offgil collapse (best of ${NODE_RUNS})`, inputMb, ...offgil }];
    const script = join(ANCHORS, 'stackcollapse-perf.pl');
    if (existsSync(script)) {
      const perlOut = join(scratch, 'perl.folded');
      const perl = measure('perl', [script, inputPath], undefined, perlOut);
      const same = readFileSync(offgilOut).equals(readFileSync(perlOut));
      rows.push({ name: 'stackcollapse-perf.pl (same input)', inputMb, ...perl, note: same ? 'output identical to offgil collapse' : 'OUTPUT DIFFERS from offgil collapse' });
    } else {
      process.stderr.write(`bench: ${script} not found; stackcollapse-perf.pl not measured\n`);
    }
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
