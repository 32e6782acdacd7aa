/**
 * `npm run bench`: throughput (MB/s) and peak RSS of offgil on a ~200 MB perf script input generated
 * from the fixtures, next to the bare line-splitting loops and the classic Perl tools, measured in
 * the same run. Results go to stdout; docs/performance.md records them.
 */
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchCollapse } from './collapseBench.js';
import { benchExports } from './exportsBench.js';
import { benchFlamegraph } from './flamegraphBench.js';
import { generateInput } from './generateInput.js';
import { benchHtml } from './htmlBench.js';
import { formatRows, measure, requireGnuTime, ROOT, sizeMb, type BenchRow } from './measure.js';

const OUT = join(ROOT, 'bench', 'out');
const node = process.execPath;

function row(name: string, inputPath: string, command: string, args: readonly string[], note?: string): BenchRow {
  const { seconds, peakRssMb } = measure(command, args);
  return { name, inputMb: sizeMb(inputPath), seconds, peakRssMb, ...(note === undefined ? {} : { note }) };
}

async function main(): Promise<void> {
  requireGnuTime();
  mkdirSync(OUT, { recursive: true });
  const targetMb = Number(process.env.OFFGIL_BENCH_MB ?? 200);
  const input = join(OUT, `sched-${targetMb}mb.txt`);
  process.stderr.write(`bench: generating ${targetMb} MB of perf script text from fixtures/ into ${input}\n`);
  await generateInput(join(ROOT, 'fixtures'), input, targetMb);
  const lineLoop = join(ROOT, 'dist', 'bench', 'lineLoop.js');
  const offgil = join(ROOT, 'bin', 'offgil');

  const rows: BenchRow[] = [];
  const run = (name: string, command: string, args: readonly string[], note?: string): BenchRow => {
    process.stderr.write(`bench: ${name}\n`);
    const result = row(name, input, command, args, note);
    rows.push(result);
    return result;
  };
  const floor = run('floor: read + split lines (UTF-8 split)', node, [lineLoop, 'lines', input]);
  const scan = run('floor: newline scan only (Buffer indexOf)', node, [lineLoop, 'bytes', input]);
  run('floor: split2 line stream', node, [lineLoop, 'split2', input]);
  const offgilRow = run('offgil (off-GIL, default options)', node, [offgil, '-i', input]);
  run('offgil --state all --tid', node, [offgil, '-i', input, '--state', 'all', '--tid']);
  process.stderr.write('bench: exports (--trace, --speedscope, --pprof)\n');
  rows.push(...benchExports(input));
  process.stderr.write('bench: offgil collapse and stackcollapse-perf.pl\n');
  const [collapseRow, perl] = benchCollapse(input);
  rows.push(collapseRow!, ...(perl === undefined ? [] : [perl]));

  const ofFloors = (r: BenchRow): string =>
    `${((100 * floor.seconds) / r.seconds).toFixed(0)}% of the line-split floor, ${((100 * scan.seconds) / r.seconds).toFixed(0)}% of the newline scan`;
  const timesPerl = (r: BenchRow): string => (perl === undefined ? '' : `; ${(perl.seconds / r.seconds).toFixed(1)}× stackcollapse-perf.pl`);
  offgilRow.note = ofFloors(offgilRow) + timesPerl(offgilRow);
  collapseRow!.note = ofFloors(collapseRow!) + timesPerl(collapseRow!);
  if (perl !== undefined) perl.note = `${ofFloors(perl)}; ${perl.note ?? ''}`;

  process.stderr.write('bench: flamegraph and flamegraph.pl\n');
  const renderRows = await benchFlamegraph(OUT);

  process.stdout.write(`offgil benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
  process.stdout.write(`input: ${input} (${sizeMb(input).toFixed(1)} MB)\n\n${formatRows(rows)}\n\n`);
  process.stdout.write(`rendering: ${join(OUT, 'flamegraph-bench.folded')}\n\n${formatRows(renderRows)}\n\n`);
  await benchHtml(OUT);
}

await main();
