/** `flamegraph` as a user runs it: flamegraph.pl's option spellings, inputs, files it keeps, errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FLAMEGRAPH_BIN, FLAMEGRAPH_CORPUS, fixedTexts, frameMultiset, frameNamed, parseSvg, runFlamegraph } from './helpers/flamegraph.js';

const NUMA = join(FLAMEGRAPH_CORPUS, 'perf-numa-stacks-01-collapsed-default.txt');
const STACKS = 'main;work 300\nmain;idle 100\n';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'offgil-flamegraph-'));
}

function assertOneLineError(run: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr.trimEnd(), pattern);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}

function title(svg: string): string | undefined {
  return fixedTexts(parseSvg(svg)).title?.[3];
}

describe('option spellings (Getopt::Long)', () => {
  test('--opt value, --opt=value, -opt value, any case', () => {
    for (const args of [
      ['--title', 'T'],
      ['--title=T'],
      ['-title', 'T'],
      ['-title=T'],
      ['--TITLE', 'T'],
    ]) {
      const run = runFlamegraph(args, { input: STACKS });
      assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(title(run.stdout), 'T', args.join(' '));
    }
  });

  test('unambiguous abbreviations: --color=io, --min 2, --inv, --neg', () => {
    const abbreviated = runFlamegraph(['--color=io', '--inv', '--min', '2', NUMA]);
    const full = runFlamegraph(['--colors', 'io', '--inverted', '--minwidth', '2', NUMA]);
    assert.equal(abbreviated.status, 0, abbreviated.stderr);
    assert.equal(abbreviated.stdout, full.stdout);
    assert.equal(title(abbreviated.stdout), 'Icicle Graph');
    assert.notEqual(abbreviated.stdout, runFlamegraph([NUMA]).stdout);
  });

  test('a value may start with a dash', () => {
    assert.equal(title(runFlamegraph(['--title', '-x-'], { input: STACKS }).stdout), '-x-');
  });

  test('ambiguous, unknown, valueless and malformed options: one line, exit 2', () => {
    assertOneLineError(runFlamegraph(['--co=io', NUMA]), /^flamegraph: option --co is ambiguous \(countname, colors\)$/m);
    assertOneLineError(runFlamegraph(['--f', '2', NUMA]), /ambiguous \(fonttype, fontsize, fontwidth, flamechart, factor\)/);
    assertOneLineError(runFlamegraph(['--bogus', NUMA]), /^flamegraph: unknown option --bogus/);
    assertOneLineError(runFlamegraph(['--hash=1', NUMA]), /--hash does not take a value/);
    assertOneLineError(runFlamegraph([NUMA, '--title']), /--title needs a value/);
    assertOneLineError(runFlamegraph(['--width', '300.5', NUMA]), /--width: "300.5" is not an integer/);
    assertOneLineError(runFlamegraph(['--fontsize', 'big', NUMA]), /--fontsize: "big" is not a number/);
    assertOneLineError(runFlamegraph(['--minwidth', 'wide', NUMA]), /--minwidth must be/);
    assertOneLineError(runFlamegraph(['--notes', 'a<b', NUMA]), /--notes can't contain < or >/);
    assertOneLineError(runFlamegraph(['--bgcolors', 'pink', NUMA]), /--bgcolors must be/);
  });

  test('--help lists every option, exit 0', () => {
    const run = runFlamegraph(['--help']);
    assert.equal(run.status, 0);
    const options = [
      'title', 'subtitle', 'width', 'height', 'minwidth', 'fonttype', 'fontsize', 'fontwidth', 'countname', 'nametype', 'colors',
      'bgcolors', 'hash', 'random', 'cp', 'reverse', 'inverted', 'flamechart', 'negate', 'factor', 'total', 'notes', 'nameattr',
      'encoding', 'help',
    ];
    for (const option of options) assert.match(run.stdout, new RegExp(`^  --${option}\\b`, 'm'), option);
    assert.match(run.stdout, /python/);
  });
});

describe('inputs and outputs', () => {
  test('stdin, a file, "-", several files, gzip: the same graph', () => {
    const dir = tempDir();
    const first = join(dir, 'first.folded');
    const second = join(dir, 'second.folded.gz');
    writeFileSync(first, 'main;work 300\n');
    writeFileSync(second, gzipSync('main;idle 100\n'));
    const fromStdin = runFlamegraph([], { input: STACKS });
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    const frames = frameMultiset(parseSvg(fromStdin.stdout));
    assert.equal(frames.length, 4);
    assert.deepEqual(frameMultiset(parseSvg(runFlamegraph(['-'], { input: STACKS }).stdout)), frames);
    assert.deepEqual(frameMultiset(parseSvg(runFlamegraph([first, second]).stdout)), frames);
    assert.equal(frameNamed(parseSvg(fromStdin.stdout), 'work').title, 'work (300 samples, 75.00%)');
  });

  test('a last line without newline counts; invalid lines are counted on stderr', () => {
    const run = runFlamegraph([], { input: 'main;work 300\nnot a line\n\nmain;idle 100' });
    assert.equal(run.status, 0);
    assert.equal(frameNamed(parseSvg(run.stdout), 'idle').title, 'idle (100 samples, 25.00%)');
    assert.equal(run.stderr, 'Ignored 2 lines with invalid format\n');
  });

  test('counts too large to draw (hundreds of digits, a total past 2^53) are skipped with a warning, never NaN', () => {
    const result = runFlamegraph([], { input: `a;b ${'9'.repeat(400)}\na;c ${2 ** 53}\na;d 5\na;e 7\n` });
    assert.equal(result.status, 0);
    assert.match(result.stderr, /^Ignored 2 lines whose counts are too large to draw \(the total must stay below 2\^53\)$/m);
    assert.doesNotMatch(result.stdout, /NaN|="[^"]*Infinity/, 'no attribute holds a non-number');
    assert.match(result.stdout, /<title>all \(12 samples, 100%\)<\/title>/);
  });

  test('--encoding must be an XML encoding name: a value that would break the declaration is refused', () => {
    const bad = runFlamegraph(['--encoding', 'x"?><script>alert(1)</script>'], { input: 'a 1\n' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^flamegraph: --encoding must be an encoding name such as UTF-8/);
    assert.equal(bad.stdout, '');
    assert.match(runFlamegraph(['--encoding', 'ISO-8859-1'], { input: 'a 1\n' }).stdout, /^<\?xml version="1\.0" encoding="ISO-8859-1" standalone="no"\?>/);
  });

  test('no valid line: the error SVG on stdout, exit status 2', () => {
    const run = runFlamegraph([], { input: 'nothing\n' });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, readFileSync(join(FLAMEGRAPH_CORPUS, '12-empty-input-error.svg'), 'utf8'));
    assert.match(run.stderr, /Ignored 1 lines with invalid format\n.*No stack counts found/s);
  });

  test('a missing input file: one line naming it, exit 2', () => {
    assertOneLineError(runFlamegraph(['/nonexistent/stacks.folded']), /^flamegraph: \/nonexistent\/stacks\.folded: no such file$/);
  });

  test('--cp reads and rewrites ./palette.map', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'palette.map'), 'work->rgb(1,2,3)\nunused->rgb(4,5,6)\n');
    const run = runFlamegraph(['--cp'], { input: STACKS, cwd: dir });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(frameNamed(parseSvg(run.stdout), 'work').fill, 'rgb(1,2,3)');
    const map = readFileSync(join(dir, 'palette.map'), 'utf8');
    assert.match(map, /^->rgb\(\d+,\d+,\d+\)\nidle->rgb\(\d+,\d+,\d+\)\nmain->rgb\(\d+,\d+,\d+\)\nunused->rgb\(4,5,6\)\nwork->rgb\(1,2,3\)\n$/);
    const again = runFlamegraph(['--cp', '--colors', 'blue'], { input: STACKS, cwd: dir });
    assert.equal(frameNamed(parseSvg(again.stdout), 'idle').fill, frameNamed(parseSvg(run.stdout), 'idle').fill, 'kept across palettes');
    const fresh = tempDir();
    assert.equal(runFlamegraph(['--cp'], { input: STACKS, cwd: fresh }).status, 0);
    assert.ok(existsSync(join(fresh, 'palette.map')));
  });

  test('--nameattr FILE; a missing one is an error', () => {
    const dir = tempDir();
    const attributes = join(dir, 'attrs.tsv');
    writeFileSync(attributes, 'work\thref=https://example.com/work\tclass=hot\n');
    const run = runFlamegraph(['--nameattr', attributes], { input: STACKS });
    assert.match(run.stdout, /<a xlink:href="https:\/\/example.com\/work" target="_top" class="hot">\n<title>work /);
    assertOneLineError(runFlamegraph(['--nameattr', join(dir, 'missing.tsv')], { input: STACKS }), /missing\.tsv: no such file$/);
  });

  test('output into head: no EPIPE noise', () => {
    const dir = tempDir();
    const big = join(dir, 'big.folded');
    writeFileSync(big, Array.from({ length: 20000 }, (_, i) => `root;f${i % 97};g${i} ${1 + (i % 13)}`).join('\n'));
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${FLAMEGRAPH_BIN}" "${big}" | head -c 100`], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, runFlamegraph([big]).stdout.slice(0, 100));
    assert.equal(result.stderr, '');
  });
});
