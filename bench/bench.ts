/**
 * `npm run bench`: throughput (MB/s) and peak RSS of offgil on real recordings (bench/record-inputs.sh),
 * next to stackcollapse-perf.pl and the bare newline scan measured in the same run, plus FlameGraph's
 * example capture, the SVG renderer, start-up and peak RSS at 1 GB. Results go to stdout (and
 * bench/out/bench-last.txt); docs/performance.md records them.
 *
 *   npm run bench                          # everything
 *   node dist/bench/bench.js real example  # some sections: real copies example flamegraph endtoend exports startup rss scale html
 *
 * OFFGIL_BENCH_RUNS (default 3) rounds for Node commands, OFFGIL_BENCH_PERL_RUNS (default 2) for Perl.
 * OFFGIL_BENCH_BASELINE=DIR (a built checkout of another commit) adds its offgil to every table, measured
 * in the same rounds, for before/after figures that share the machine's load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { PERF_SCRIPT_SLICES, perfScriptArgs } from '../src/io/input.js';
import { benchExports } from './exportsBench.js';
import { benchFlamegraph } from './flamegraphBench.js';
import { generateInput } from './generateInput.js';
import { benchHtml } from './htmlBench.js';
import { writeManyStacks } from './scaleInputs.js';
import { concatenatedRealInput, exampleInput, OUT, REAL_INPUTS } from './inputs.js';
import { ANCHORS, fastestInRounds, fastestOf, formatRows, requireGnuTime, ROOT, sizeMb, UNSET_VARIABLES, type BenchRow, type Contender } from './measure.js';

const node = process.execPath;
const OFFGIL = join(ROOT, 'bin', 'offgil');
const LINE_LOOP = join(ROOT, 'dist', 'bench', 'lineLoop.js');
const STACKCOLLAPSE_PL = join(ANCHORS, 'stackcollapse-perf.pl');
const RUNS = Number(process.env.OFFGIL_BENCH_RUNS ?? 3);
const PERL_RUNS = Number(process.env.OFFGIL_BENCH_PERL_RUNS ?? 2);
const BASELINE = process.env.OFFGIL_BENCH_BASELINE;
const BASELINE_OFFGIL = BASELINE === undefined ? undefined : join(BASELINE, 'bin', 'offgil');
const SECTIONS = ['real', 'copies', 'example', 'flamegraph', 'endtoend', 'exports', 'startup', 'rss', 'scale', 'html'] as const;
type Section = (typeof SECTIONS)[number];

const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
let report = '';
const print = (text: string): void => {
  process.stdout.write(text);
  report += text;
};

function ratio(reference: number | undefined, seconds: number): string | undefined {
  return reference === undefined ? undefined : `${(reference / seconds).toFixed(1)}×`;
}

function percent(scanSeconds: number, seconds: number): string {
  return `${((100 * scanSeconds) / seconds).toFixed(0)}%`;
}

interface StreamBenchOptions {
  /** Run the off-GIL analysis rows (sched text) or only collapse (a cycles profile). */
  analysis: boolean;
  /** Also the UTF-8 line-split and split2 floors. */
  moreFloors?: boolean;
}

/**
 * Every command on one input, in rounds: the newline-scan floor, offgil's analyses, offgil collapse
 * and stackcollapse-perf.pl (whose outputs must be identical). Ratios are to the Perl script.
 */
function benchStream(input: string, options: StreamBenchOptions): BenchRow[] {
  const scratch = mkdtempSync(join(tmpdir(), 'offgil-bench-'));
  try {
    const offgilFolded = join(scratch, 'offgil.folded');
    const perlFolded = join(scratch, 'perl.folded');
    const contenders: Contender[] = [{ name: 'floor: newline scan (Buffer indexOf, no strings)', command: node, args: [LINE_LOOP, 'bytes', input] }];
    if (options.moreFloors) {
      contenders.push({ name: 'floor: read + split lines (UTF-8 strings)', command: node, args: [LINE_LOOP, 'lines', input] });
      contenders.push({ name: 'floor: split2 line stream', command: node, args: [LINE_LOOP, 'split2', input] });
    }
    if (options.analysis) {
      contenders.push({ name: 'offgil (off-GIL analysis, default options)', command: node, args: [OFFGIL, '-i', input] });
      contenders.push({ name: 'offgil --state all --tid', command: node, args: [OFFGIL, '-i', input, '--state', 'all', '--tid'] });
      contenders.push({ name: 'offgil --with-holders --tid', command: node, args: [OFFGIL, '-i', input, '--with-holders', '--tid'] });
    }
    contenders.push({ name: 'offgil collapse', command: node, args: [OFFGIL, 'collapse', input], stdout: offgilFolded });
    if (BASELINE_OFFGIL !== undefined) {
      for (const contender of contenders.filter((c) => c.args[0] === OFFGIL)) {
        contenders.push({ ...contender, name: `baseline ${contender.name}`, args: [BASELINE_OFFGIL, ...contender.args.slice(1)], stdout: undefined });
      }
    }
    const hasPerl = existsSync(STACKCOLLAPSE_PL);
    if (hasPerl) contenders.push({ name: 'stackcollapse-perf.pl', command: 'perl', args: [STACKCOLLAPSE_PL, input], stdout: perlFolded, runs: PERL_RUNS });
    else log(`${STACKCOLLAPSE_PL} not found: no Perl reference`);
    const results = fastestInRounds(RUNS, contenders, log);
    const inputMb = sizeMb(input);
    const scan = results[0]!.seconds;
    const perl = hasPerl ? results[results.length - 1]!.seconds : undefined;
    const rows = contenders.map((contender, i): BenchRow => {
      const runs = Math.min(RUNS, contender.runs ?? RUNS);
      return {
        name: `${contender.name} (best of ${runs})`,
        inputMb,
        ...results[i]!,
        ratio: ratio(perl, results[i]!.seconds),
        ofScan: percent(scan, results[i]!.seconds),
      };
    });
    rows.forEach((row, i) => {
      const twin = contenders.findIndex((c) => c.name === `baseline ${contenders[i]!.name}`);
      if (twin >= 0) row.note = `${(results[twin]!.seconds / results[i]!.seconds).toFixed(2)}× baseline`;
    });
    if (hasPerl) {
      const same = readFileSync(offgilFolded).equals(readFileSync(perlFolded));
      rows[rows.length - 1]!.note = same ? 'output identical to offgil collapse' : 'OUTPUT DIFFERS from offgil collapse';
    }
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function section(title: string, rows: readonly BenchRow[]): void {
  print(`${title}\n\n${formatRows(rows)}\n\n`);
}

async function benchReal(): Promise<boolean> {
  const missing = REAL_INPUTS.filter((input) => !existsSync(input.path));
  if (missing.length > 0) {
    print(
      `real recordings missing: ${missing.map((input) => input.path).join(', ')}\n` +
        `make them with:  sudo bench/record-inputs.sh   (perf, root, pyenv CPython 3.11.7/3.12.1/3.13.0)\n` +
        'falling back to the copies-of-fixtures input alone.\n\n',
    );
    return false;
  }
  for (const input of REAL_INPUTS) {
    log(`real recording ${input.path}`);
    section(`real recording: ${input.label} — ${input.path} (${sizeMb(input.path).toFixed(1)} MB)`, benchStream(input.path, { analysis: true }));
  }
  return true;
}

async function benchCopies(): Promise<void> {
  const targetMb = Number(process.env.OFFGIL_BENCH_MB ?? 200);
  const input = join(OUT, `sched-${targetMb}mb.txt`);
  log(`generating ${targetMb} MB of perf script text from fixtures/ into ${input}`);
  await generateInput(join(ROOT, 'fixtures'), input, targetMb);
  section(
    `secondary: copies of four fixtures with shifted timestamps — ${input} (${sizeMb(input).toFixed(1)} MB; copies flatter caches)`,
    benchStream(input, { analysis: true, moreFloors: true }),
  );
}

function benchExample(): void {
  const input = exampleInput();
  log(`example capture ${input}`);
  section(`FlameGraph's example capture (example-perf-stacks.txt.gz, perf record -F 99 -a -g) ×20 — ${input} (${sizeMb(input).toFixed(1)} MB)`, benchStream(input, { analysis: false }));
}

/**
 * From perf.data: `perf script` alone (offgil's arguments, one run, to /dev/null) next to `offgil -i
 * perf.data` end to end, with its parallel time slices and with one plain perf script run.
 */
function benchEndToEnd(): void {
  const recordings = REAL_INPUTS.map((input) => ({ ...input, data: join(OUT, 'data', `${basename(input.path, '.txt')}.data`) })).filter((input) => existsSync(input.data));
  if (recordings.length === 0) {
    print('end to end from perf.data: needs bench/out/data/*.data (bench/record-inputs.sh)\n\n');
    return;
  }
  for (const recording of recordings) {
    log(`end to end ${recording.data}`);
    const contenders: Contender[] = [
      { name: 'perf script (offgil\'s arguments) > /dev/null', command: 'perf', args: perfScriptArgs(recording.data) },
      { name: `offgil -i perf.data (${PERF_SCRIPT_SLICES} parallel perf script slices)`, command: node, args: [OFFGIL, '-i', recording.data] },
      { name: 'offgil -i perf.data (one perf script run)', command: 'env', args: ['OFFGIL_PERF_SCRIPT_SLICES=1', node, OFFGIL, '-i', recording.data] },
      { name: 'perf script | offgil', command: 'sh', args: ['-c', `perf ${perfScriptArgs(recording.data).map((arg) => `'${arg}'`).join(' ')} 2>/dev/null | '${node}' '${OFFGIL}'`] },
    ];
    const results = fastestInRounds(Math.min(RUNS, 2), contenders, log);
    const perf = results[0]!.seconds;
    section(
      `end to end from perf.data: ${recording.label} — ${recording.data} (${sizeMb(recording.data).toFixed(0)} MB of perf.data, ${sizeMb(recording.path).toFixed(1)} MB of text)`,
      contenders.map((c, i) => ({ name: c.name, inputMb: sizeMb(recording.path), ...results[i]!, note: i === 0 ? undefined : `${(perf / results[i]!.seconds).toFixed(2)}× perf script alone` })),
    );
  }
}

function benchStartup(): void {
  const runs = 10;
  const empty = join(OUT, 'tiny.txt');
  const tiny = readFileSync(exampleInput()).toString('latin1');
  writeFileSync(empty, tiny.slice(0, tiny.indexOf('\n\n', tiny.indexOf('cycles:')) + 2), 'latin1');
  log('start-up');
  const base = fastestOf(runs, node, ['-e', '0']);
  const rows: BenchRow[] = [{ name: `node -e 0 (best of ${runs})`, inputMb: 0, ...base }];
  const commands: [string, string[]][] = [
    ['offgil --help', [OFFGIL, '--help']],
    ['offgil collapse (one record)', [OFFGIL, 'collapse', empty]],
  ];
  if (BASELINE_OFFGIL !== undefined) commands.push(...commands.map(([name, args]): [string, string[]] => [`baseline ${name}`, [BASELINE_OFFGIL, ...args.slice(1)]]));
  for (const [name, args] of commands) {
    const m = fastestOf(runs, node, args);
    rows.push({ name: `${name} (best of ${runs})`, inputMb: 0, ...m, note: `${((m.seconds - base.seconds) * 1000).toFixed(0)} ms above node -e 0` });
  }
  section('start-up', rows);
}

function benchRss(haveReal: boolean): void {
  if (!haveReal) {
    print('peak RSS at 1 GB: needs the real recordings (bench/record-inputs.sh)\n\n');
    return;
  }
  const input = concatenatedRealInput(1000);
  log(`peak RSS on ${input}`);
  const contenders: Contender[] = [
    { name: 'offgil (default)', command: node, args: [OFFGIL, '-i', input] },
    { name: 'offgil --state all --tid', command: node, args: [OFFGIL, '-i', input, '--state', 'all', '--tid'] },
    { name: 'offgil --with-holders --tid', command: node, args: [OFFGIL, '-i', input, '--with-holders', '--tid'] },
    { name: 'offgil collapse', command: node, args: [OFFGIL, 'collapse', input] },
  ];
  if (BASELINE_OFFGIL !== undefined) contenders.push(...contenders.map((c) => ({ ...c, name: `baseline ${c.name}`, args: [BASELINE_OFFGIL, ...c.args.slice(1)] })));
  const results = fastestInRounds(1, contenders, log);
  const inputMb = sizeMb(input);
  section(
    `peak RSS at 1 GB, streamed: the real recordings concatenated with shifted timestamps — ${input} (${inputMb.toFixed(1)} MB; copies: RSS only, not a throughput figure)`,
    contenders.map((c, i) => ({ name: c.name, inputMb, ...results[i]! })),
  );
}

/** A million distinct GIL stacks (issue targets: < 20 s and < 600 MB for the analysis). One round: each run takes seconds. */
async function benchScale(): Promise<void> {
  const stacks = Number(process.env.OFFGIL_BENCH_SCALE_STACKS ?? 1_000_000);
  const input = join(OUT, `soak-${stacks}.txt`);
  log(`writing ${stacks} distinct GIL stacks to ${input}`);
  await writeManyStacks(input, stacks);
  const folded = join(OUT, `scale-${stacks}.folded`);
  const contenders: Contender[] = [
    { name: 'offgil (default)', command: node, args: [OFFGIL, '-i', input, '-o', folded] },
    { name: 'offgil --with-holders --tid', command: node, args: [OFFGIL, '-i', input, '--with-holders', '--tid'] },
    { name: 'offgil collapse', command: node, args: [OFFGIL, 'collapse', input] },
  ];
  const results = fastestInRounds(1, contenders, log);
  const inputMb = sizeMb(input);
  const rows: BenchRow[] = contenders.map((c, i) => ({ name: c.name, inputMb, ...results[i]! }));
  const flamegraph = fastestOf(1, node, [join(ROOT, 'bin', 'flamegraph'), folded]);
  rows.push({ name: `flamegraph (the ${stacks} folded lines)`, inputMb: sizeMb(folded), ...flamegraph });
  section(`scale: ${stacks} distinct GIL stacks, each handed off (bench/scaleInputs.ts) — ${input} (${inputMb.toFixed(1)} MB; synthetic: a size test, not a throughput figure)`, rows);
}

function baselineCommit(dir: string): string {
  const result = spawnSync('git', ['-C', dir, 'log', '-1', '--format=%h %s']);
  return result.status === 0 ? result.stdout.toString().trim() : 'not a git checkout';
}

function perlVersion(): string {
  const result = spawnSync('perl', ['-e', 'printf "%vd", $^V']);
  return result.status === 0 ? `perl ${result.stdout.toString()}` : 'no perl';
}

async function main(): Promise<void> {
  requireGnuTime();
  mkdirSync(OUT, { recursive: true });
  const asked = process.argv.slice(2);
  for (const name of asked) if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section ${name}; sections: ${SECTIONS.join(' ')}`);
  const want = (name: Section): boolean => asked.length === 0 || asked.includes(name);
  const unset = UNSET_VARIABLES.map((name) => `${name} (${process.env[name] === undefined ? 'not set in this environment either' : 'which this environment sets'})`).join(', ');
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  print(
    `offgil benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${perlVersion()}\n` +
      `load average at start: ${load()}; every command runs with ${unset} unset; wall time incl. start-up, files in the page cache\n` +
      `ratio: stackcollapse-perf.pl's best time / this row's best time, measured in the same run; % of scan: of the newline-scan floor's MB/s\n` +
      (BASELINE === undefined ? '' : `baseline: ${BASELINE} (${baselineCommit(BASELINE)}), measured in the same rounds\n`) +
      '\n',
  );
  let haveReal = false;
  if (want('real')) haveReal = await benchReal();
  else haveReal = REAL_INPUTS.every((input) => existsSync(input.path));
  if (want('copies') || (want('real') && !haveReal)) await benchCopies();
  if (want('example')) benchExample();
  if (want('flamegraph')) {
    log('flamegraph and flamegraph.pl');
    section(`rendering: ${join(OUT, 'flamegraph-bench.folded')}`, await benchFlamegraph(OUT));
  }
  if (want('endtoend')) benchEndToEnd();
  if (want('exports')) {
    const input = haveReal ? REAL_INPUTS[0]!.path : join(OUT, `sched-${Number(process.env.OFFGIL_BENCH_MB ?? 200)}mb.txt`);
    log(`exports on ${input}`);
    section(`exports (--state all): ${input} (${sizeMb(input).toFixed(1)} MB)`, benchExports(input));
  }
  if (want('startup')) benchStartup();
  if (want('rss')) benchRss(haveReal);
  if (want('scale')) await benchScale();
  if (want('html')) {
    log('the HTML report in Chromium');
    await benchHtml(OUT);
  }
  print(`load average at end: ${load()}\n`);
  writeFileSync(join(OUT, 'bench-last.txt'), report);
}

await main();
