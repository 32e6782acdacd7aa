/**
 * `flamegraph` against the reference SVGs of flamegraph.pl (test/conformance/README.md §3–5): every
 * SVG with the command of the README table, run in the corpus directory, and every row of
 * palette-colors.tsv.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { paletteColor, type ColorMode } from '../src/render/flamegraph/palette.js';
import { FLAMEGRAPH_CORPUS, fixedTexts, frameMultiset, parseSvg, runFlamegraph } from './helpers/flamegraph.js';

const NUMA = 'perf-numa-stacks-01-collapsed-default.txt';
const EDGE = 'synthetic-edge-cases.txt';
const DIFF = 'perf-cycles-instructions-01-collapsed-all-diff.txt';
const JAVA = 'java-inline-collapsed-all.txt';

/** The README's table: reference SVG → flamegraph.pl arguments. */
const CASES: [string, string[]][] = [
  ['01-numa-default.svg', [NUMA]],
  ['02-numa-title-subtitle-countname-nametype.svg', ['--title', 'T', '--subtitle', 'S', '--countname', 'us', '--nametype', 'Frame:', NUMA]],
  ['03-numa-colors-io-inverted.svg', ['--colors', 'io', '--inverted', NUMA]],
  ['04-numa-hash.svg', ['--hash', NUMA]],
  ['05-edge-default.svg', [EDGE]],
  ['06-edge-reverse-width800-minwidth2.svg', ['--reverse', '--width', '800', '--minwidth', '2', EDGE]],
  ['07-edge-flamechart.svg', ['--flamechart', EDGE]],
  ['08-diff.svg', [DIFF]],
  ['09-diff-negate.svg', ['--negate', DIFF]],
  ['10-java-colors-java.svg', ['--colors', 'java', JAVA]],
  ['11-java-colors-java-hash.svg', ['--colors', 'java', '--hash', JAVA]],
];

/** Everything before the script, and between the script and the frames, is flamegraph.pl's layout. */
function layoutParts(svg: string): [string, string] {
  const scriptStart = svg.indexOf('<script type="text/ecmascript">');
  const scriptEnd = svg.indexOf('</script>\n');
  const frames = svg.indexOf('<g id="frames">');
  assert.ok(scriptStart > 0 && scriptEnd > scriptStart && frames > scriptEnd, 'header, script, controls, frames in that order');
  return [svg.slice(0, scriptStart), svg.slice(scriptEnd, frames)];
}

describe('reference SVGs of flamegraph.pl', () => {
  for (const [name, args] of CASES) {
    test(`${name}: flamegraph ${args.join(' ')}`, () => {
      const expected = readFileSync(join(FLAMEGRAPH_CORPUS, name), 'utf8');
      const run = runFlamegraph(args, { cwd: FLAMEGRAPH_CORPUS });
      assert.equal(run.status, 0, run.stderr);
      const ours = parseSvg(run.stdout);
      const theirs = parseSvg(expected);
      const svg = (doc: Document) => doc.documentElement;
      assert.equal(svg(ours).getAttribute('width'), svg(theirs).getAttribute('width'));
      assert.equal(svg(ours).getAttribute('height'), svg(theirs).getAttribute('height'));
      assert.deepEqual(fixedTexts(ours), fixedTexts(theirs));
      const frames = frameMultiset(ours);
      assert.ok(frames.length > 10);
      assert.deepEqual(frames, frameMultiset(theirs));
      assert.deepEqual(layoutParts(run.stdout), layoutParts(expected));
      assert.ok(run.stdout.endsWith('</g>\n</g>\n</svg>\n') || run.stdout.endsWith('</a>\n</g>\n</svg>\n'));
    });
  }

  test('12-empty-input-error.svg: byte for byte, exit status 2', () => {
    const run = runFlamegraph(['empty.txt'], { cwd: FLAMEGRAPH_CORPUS });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, readFileSync(join(FLAMEGRAPH_CORPUS, '12-empty-input-error.svg'), 'utf8'));
    assert.match(run.stderr, /No stack counts found/);
  });

  test('the edge-case input reports its 4 invalid lines on stderr', () => {
    assert.match(runFlamegraph([EDGE], { cwd: FLAMEGRAPH_CORPUS }).stderr, /^Ignored 4 lines with invalid format$/m);
  });
});

describe('palette-colors.tsv', () => {
  const rows = readFileSync(join(FLAMEGRAPH_CORPUS, 'palette-colors.tsv'), 'utf8').trimEnd().split('\n').slice(1);

  test('all 1600 rows: palette × default/hash × name → fill', () => {
    assert.equal(rows.length, 1600);
    const wrong: string[] = [];
    for (const row of rows) {
      const [palette, mode, name, fill] = row.split('\t') as [string, ColorMode, string, string];
      const ours = paletteColor(palette, name, mode);
      if (ours !== fill) wrong.push(`${palette} ${mode} ${JSON.stringify(name)}: ${ours}, expected ${fill}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('every palette and the unknown one are covered', () => {
    const palettes = new Set(rows.map((row) => row.split('\t')[0]));
    assert.deepEqual(
      [...palettes].sort(),
      ['aqua', 'blue', 'bogus', 'chain', 'green', 'hot', 'io', 'java', 'js', 'mem', 'orange', 'perl', 'purple', 'red', 'wakeup', 'yellow'],
    );
  });
});
