/**
 * `npm run soak`: every stage on the two inputs docs/reliability.md promises to handle — a million
 * distinct GIL stacks (each wait with its own frame, each handed off by a holder with one of 100,000
 * holder stacks; ~1.1 GB of perf script text) and two waits with 100,000-frame stacks (waiter and
 * holder) — timed with GNU time (wall seconds, peak RSS). OFFGIL_SOAK_STACKS changes the million,
 * OFFGIL_SOAK_ONLY=deep or =many runs one input.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeDeepStacks, writeManyStacks } from './scaleInputs.js';
import { formatRows, measure, requireGnuTime, ROOT, sizeMb, type BenchRow } from './measure.js';

const OUT = join(ROOT, 'bench', 'out');

function stages(input: string, name: string): [string, string[], string | undefined][] {
  const offgil = join(ROOT, 'bin', 'offgil');
  const out = (suffix: string): string => join(OUT, `soak-${name}.${suffix}`);
  return [
    ['offgil (folded)', [offgil, '-i', input, '-o', out('folded')], undefined],
    ['offgil --with-holders', [offgil, '-i', input, '--with-holders', '-o', out('with-holders.folded')], undefined],
    ['offgil --state all --tid --summary-json', [offgil, '-i', input, '--state', 'all', '--tid', '--summary-json', out('summary.json')], undefined],
    ['offgil --svg', [offgil, '-i', input, '--svg', out('svg')], undefined],
    ['offgil --html', [offgil, '-i', input, '--html', out('html')], undefined],
    ['offgil --trace', [offgil, '-i', input, '--trace', out('trace.json')], undefined],
    ['offgil --speedscope', [offgil, '-i', input, '--speedscope', out('speedscope.json')], undefined],
    ['offgil --pprof', [offgil, '-i', input, '--pprof', out('pb.gz')], undefined],
    ['offgil collapse', [offgil, 'collapse', input, '-o', out('collapsed')], undefined],
    ['flamegraph (with-holders folded)', [join(ROOT, 'bin', 'flamegraph'), out('with-holders.folded')], out('flamegraph.svg')],
    ['offgil diff (folded, folded)', [offgil, 'diff', out('folded'), out('with-holders.folded'), '-o', out('diff')], undefined],
  ];
}

async function main(): Promise<void> {
  requireGnuTime();
  mkdirSync(OUT, { recursive: true });
  const only = process.env.OFFGIL_SOAK_ONLY;
  const stacks = Number(process.env.OFFGIL_SOAK_STACKS ?? 1_000_000);
  const inputs: [string, string][] = [];
  if (only !== 'many') {
    const deep = join(OUT, 'soak-deep.txt');
    writeDeepStacks(deep, 100_000);
    inputs.push(['deep', deep]);
  }
  if (only !== 'deep') {
    const many = join(OUT, `soak-${stacks}.txt`);
    process.stderr.write(`soak: writing ${stacks} distinct GIL stacks to ${many}\n`);
    await writeManyStacks(many, stacks);
    inputs.push([`${stacks}`, many]);
  }
  for (const [name, input] of inputs) {
    const rows: BenchRow[] = [];
    for (const [stage, [command, ...args], stdout] of stages(input, name)) {
      process.stderr.write(`soak: ${name}: ${stage}\n`);
      const { seconds, peakRssMb } = measure(process.execPath, [command!, ...args], undefined, stdout);
      rows.push({ name: stage, inputMb: sizeMb(input), seconds, peakRssMb });
    }
    const what = name === 'deep' ? 'two GIL waits with 100,000-frame waiter and holder stacks' : `${name} distinct GIL stacks with hand-offs`;
    process.stdout.write(`${what} (${input}, ${sizeMb(input).toFixed(0)} MB)\n\n${formatRows(rows)}\n\n`);
  }
  for (const name of ['svg', 'html', 'trace.json', 'speedscope.json', 'pb.gz', 'flamegraph.svg']) for (const [input] of inputs) rmSync(join(OUT, `soak-${input}.${name}`), { force: true });
}

await main();
