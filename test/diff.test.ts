/**
 * `offgil diff`: the differential folded form against FlameGraph's difffolded.pl (run with perl on
 * folded files made from real fixtures, with and without -n), recordings and folded files as inputs,
 * the SVG through the flamegraph renderer's differential mode, and the HTML diff page's data.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { diffFolded, formatDiff, looksFolded, parseFolded } from '../src/render/differential.js';
import { renderFlameGraph } from '../src/render/flamegraph/index.js';
import { decodeStacks } from '../src/render/html/index.js';
import { runOffgil } from './helpers/cli.js';
import { pageData } from './helpers/page.js';
import { FIXTURES, ROOT } from './helpers/paths.js';

const DIFFFOLDED = join(ROOT, '..', 'shared', 'anchors', 'FlameGraph', 'difffolded.pl');
const dir = mkdtempSync(join(tmpdir(), 'offgil-diff-'));

/** Folded output of offgil for a fixture, written to a file. */
function folded(fixture: string, args: readonly string[] = []): string {
  const path = join(dir, `${fixture}-${args.join('_')}.folded`);
  if (!existsSync(path)) {
    const result = runOffgil(['-i', join(FIXTURES, fixture), '-o', path, ...args]);
    assert.equal(result.status, 0, result.stderr);
  }
  return path;
}

/** difffolded.pl prints in Perl's hash order: compare sorted lines. */
function sortedLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '').sort();
}

describe('diffFolded and the folded-file reader', () => {
  test('a stack on one side only gets 0 on the other; lines are in code point order', () => {
    const lines = diffFolded(new Map([['b', 5], ['a;x', 2]]), new Map([['a;x', 7], ['😀', 1], ['\uffff', 1]]), false);
    assert.equal(formatDiff(lines), 'a;x 2 7\nb 5 0\n\uffff 0 1\n😀 0 1\n');
    assert.equal(lines.beforeTotal, 7);
    assert.equal(lines.afterTotal, 9);
  });

  test('-n scales BEFORE to the total of AFTER, truncating as Perl int() does', () => {
    const lines = diffFolded(new Map([['a', 10], ['b', 20]]), new Map([['a', 1], ['b', 6]]), true);
    // 10 × 7 / 30 = 2.33, 20 × 7 / 30 = 4.67
    assert.equal(formatDiff(lines), 'a 2 1\nb 4 6\n');
    assert.equal(lines.normalized, true);
    assert.equal(diffFolded(new Map([['a', 3]]), new Map([['a', 3]]), true).normalized, false, 'equal totals are left alone');
  });

  test('folded text is told from perf script text by its first line', () => {
    assert.equal(looksFolded('\n# comment\nmain;work 123\n'), true);
    assert.equal(looksFolded('main;a b;c (x.py) 7.5\n'), true);
    assert.equal(looksFolded('python3  6060 [001]   159.179033: sched:sched_switch: prev_comm=python3 prev_pid=6060 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n'), false);
    assert.equal(looksFolded('python3 6057/6057 [000]  825.680078: PERF_RECORD_SWITCH OUT preempt 0\n'), false);
    assert.equal(looksFolded(''), false);
  });

  test('repeated stacks add up; lines without a count are skipped and counted', () => {
    assert.deepEqual(parseFolded('a;b 1\nnot folded\na;b 2\nc  4\n'), { stacks: new Map([['a;b', 3], ['c ', 4]]), ignored: 1, tooLarge: 0 });
  });

  test('counts beyond 2^53 are skipped and counted, not printed as 1e+30 (found by npm run fuzz)', () => {
    const text = `a 1000000000000000000000000000000\nb 9007199254740991\nb 1\nc 5\n`;
    assert.deepEqual(parseFolded(text), { stacks: new Map([['b', 9007199254740991], ['c', 5]]), ignored: 0, tooLarge: 2 });
    const before = join(dir, 'huge.folded');
    writeFileSync(before, text);
    const result = runOffgil(['diff', before, before]);
    assert.equal(result.status, 0);
    assert.equal(result.stdout, 'b 9007199254740991 9007199254740991\nc 5 5\n');
    assert.match(result.stderr, /warning: .*huge\.folded: skipped 2 lines whose count \(or the sum for their stack\) is beyond 2\^53/);
  });
});

describe('offgil diff against difffolded.pl', () => {
  const pairs: [string, string, string[]][] = [
    ['gil-3.11.txt.gz', 'gil-3.11-switch.txt.gz', []],
    ['gil-3.12.txt.gz', 'gil-3.13.txt.gz', ['--state', 'all', '--comm']],
    ['io-3.10.txt.gz', 'io-3.13.txt.gz', ['--state', 'all', '--with-holders']],
  ];
  for (const [before, after, args] of pairs) {
    for (const normalize of [false, true]) {
      test(`${before} → ${after} ${args.join(' ')}${normalize ? ' -n' : ''}: folded files and recordings give difffolded.pl's lines`, () => {
        const a = folded(before, args);
        const b = folded(after, args);
        const n = normalize ? ['-n'] : [];
        const perl = execFileSync('perl', [DIFFFOLDED, ...n, a, b], { encoding: 'utf8' });
        const fromFolded = runOffgil(['diff', ...n, a, b]);
        assert.equal(fromFolded.status, 0, fromFolded.stderr);
        assert.deepEqual(sortedLines(fromFolded.stdout), sortedLines(perl));
        assert.ok(sortedLines(perl).length >= 2);
        const fromRecordings = runOffgil(['diff', ...n, ...args, join(FIXTURES, before), join(FIXTURES, after)]);
        assert.equal(fromRecordings.status, 0, fromRecordings.stderr);
        assert.equal(fromRecordings.stdout, fromFolded.stdout, 'a recording diffs as its folded output does');
      });
    }
  }

  test('a gzipped folded file and a recording can be mixed; -o writes the lines and a note', () => {
    const a = folded('gil-3.11.txt.gz');
    const gz = join(dir, 'before.folded.gz');
    writeFileSync(gz, gzipSync(readFileSync(a)));
    const out = join(dir, 'mixed.diff');
    const result = runOffgil(['diff', gz, join(FIXTURES, 'gil-3.11-switch.txt.gz'), '-o', out]);
    assert.equal(result.status, 0, result.stderr);
    const perl = execFileSync('perl', [DIFFFOLDED, a, folded('gil-3.11-switch.txt.gz')], { encoding: 'utf8' });
    assert.deepEqual(sortedLines(readFileSync(out, 'utf8')), sortedLines(perl));
    assert.match(result.stderr, /offgil diff: wrote \d+ stacks \(before 663810 µs, after 460584 µs\)/);
  });
});

describe('offgil diff --svg and --html', () => {
  const before = join(FIXTURES, 'gil-3.11.txt.gz');
  const after = join(FIXTURES, 'gil-3.11-switch.txt.gz');

  test('--svg draws the differential lines with the flamegraph renderer (red more, blue less)', () => {
    const svg = join(dir, 'diff.svg');
    const result = runOffgil(['diff', before, after, '--svg', svg, '--width', '900']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '', 'no folded lines on stdout unless -o');
    const lines = runOffgil(['diff', before, after]).stdout.split('\n').filter(Boolean);
    const expected = renderFlameGraph(lines, { title: 'Off-GIL differential flame graph', countName: 'us', colors: 'python', width: 900 }).svg;
    const drawn = readFileSync(svg, 'utf8');
    // Frame kinds from the DSOs do not matter for differential colors: the SVGs are the same.
    assert.equal(drawn, expected);
    assert.match(drawn, /fill="rgb\(\d+,\d+,255\)"/, 'blue frames: less GIL wait after');
    const negated = join(dir, 'negated.svg');
    assert.equal(runOffgil(['diff', before, after, '--svg', negated, '--negate']).status, 0);
    assert.notEqual(readFileSync(negated, 'utf8'), drawn);
  });

  test('--html: a diff page with the three views of two recordings, counts before and after', () => {
    const page = join(dir, 'diff.html');
    const result = runOffgil(['diff', before, after, '--html', page, '-n']);
    assert.equal(result.status, 0, result.stderr);
    const html = readFileSync(page, 'utf8');
    const data = pageData(html);
    assert.equal(data.mode, 'diff');
    assert.deepEqual(data.views.map((view) => view.id), ['waiters', 'holders', 'both']);
    const lines = runOffgil(['diff', '-n', before, after]).stdout;
    const fromPage = decodeStacks(data.views[0]!, data)
      .map(([, [old, now], frames]) => `${frames.join(';')} ${old} ${now}`)
      .join('\n');
    assert.equal(`${fromPage}\n`, lines);
    assert.match(html, /<dt>before<\/dt><dd><code>[^<]*gil-3\.11\.txt\.gz<\/code>/);
    assert.match(html, /normalized<\/span> <span class="value">yes: before scaled by/);
  });

  test('folded inputs give one view; --with-holders opens on waiters + holders', () => {
    const page = join(dir, 'folded.html');
    assert.equal(runOffgil(['diff', folded('gil-3.11.txt.gz'), folded('gil-3.11-switch.txt.gz'), '--html', page]).status, 0);
    assert.deepEqual(pageData(readFileSync(page, 'utf8')).views.map((view) => view.id), ['stacks']);
    assert.equal(runOffgil(['diff', before, after, '--html', page, '--with-holders']).status, 0);
    assert.deepEqual(pageData(readFileSync(page, 'utf8')).views.map((view) => view.id), ['both', 'waiters', 'holders']);
  });

  test('a missing input is a one-line error with exit status 2', () => {
    const result = runOffgil(['diff', '/nonexistent/a.folded', after]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^offgil: \/nonexistent\/a\.folded: no such file\n$/);
    const usage = runOffgil(['diff', before]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /missing required argument 'after'/);
  });
});
