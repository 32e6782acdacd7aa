/** The renderer's rules one by one (test/conformance/README.md §4), through the library API. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatFixed, formatPerlNumber, withThousands } from '../src/render/flamegraph/cFormat.js';
import { markWakerFrames, parseFoldedLine } from '../src/render/flamegraph/foldedInput.js';
import { guessFrameKind } from '../src/stacks/frameKind.js';
import {
  FlameGraphOptionError,
  formatPaletteMap,
  parseNameAttributes,
  parsePaletteMap,
  renderFlameGraph,
  type FlameGraphOptions,
} from '../src/render/flamegraph/index.js';
import { mergeLines, orderLines, sharedFrames } from '../src/render/flamegraph/merge.js';
import { differentialColor, nameHash, paletteColor, seededValue } from '../src/render/flamegraph/palette.js';
import { fitLabel, nameParts } from '../src/render/flamegraph/svgWriter.js';
import { drawnFrames, fixedTexts, frameNamed, parseSvg } from './helpers/flamegraph.js';

function render(text: string, options: Partial<FlameGraphOptions> = {}): Document {
  const result = renderFlameGraph(text.split('\n').filter((line) => line !== ''), options);
  assert.equal(result.exitCode, 0, result.warnings.join('\n'));
  return parseSvg(result.svg);
}

function titles(doc: Document): string[] {
  return drawnFrames(doc)
    .map((frame) => frame.title)
    .sort();
}

describe('C printf and Perl number formatting', () => {
  test('%.Nf rounds exact ties to even, everything else by the exact binary value', () => {
    assert.equal(formatFixed(0.25, 1), '0.2');
    assert.equal(formatFixed(0.75, 1), '0.8');
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(3.5, 0), '4');
    assert.equal(formatFixed(12345.5, 0), '12346');
    assert.equal(formatFixed(-0.25, 1), '-0.2');
    // 1132.45 is 1132.4500000000000454… as a double, 1.005 is 1.00499999999999989…
    assert.equal(formatFixed(1132.45, 1), '1132.5');
    assert.equal(formatFixed(1.005, 2), '1.00');
    assert.equal(formatFixed(-0.001, 2), '-0.00');
    assert.equal(formatFixed(1e21, 0), '1000000000000000000000');
    assert.equal(formatFixed(1180, 1), '1180.0');
  });

  test('Perl stringification is %.15g', () => {
    assert.equal(formatPerlNumber(421), '421');
    assert.equal(formatPerlNumber(431.5), '431.5');
    assert.equal(formatPerlNumber(0.1 + 0.2), '0.3');
    assert.equal(formatPerlNumber(1 / 3), '0.333333333333333');
    assert.equal(formatPerlNumber(0.00001234), '1.234e-05');
    assert.equal(formatPerlNumber(1e21), '1e+21');
    assert.equal(formatPerlNumber(-0), '0');
  });

  test('thousands separators', () => {
    assert.deepEqual(['7', '999', '1000', '12345', '161616160'].map(withThousands), ['7', '999', '1,000', '12,345', '161,616,160']);
  });
});

describe('folded lines', () => {
  test('STACK COUNT: the count is the last token, the stack keeps other whitespace', () => {
    assert.deepEqual(parseFoldedLine('main;work 5', false), { key: 'main;work 5', stack: 'main;work', count: 5, delta: undefined });
    assert.equal(parseFoldedLine('pad;frame  25', false)?.stack, 'pad;frame ');
    assert.equal(parseFoldedLine('frac;half 2.5', false)?.count, 2.5);
    assert.equal(parseFoldedLine('a 5.', false)?.count, 5);
    assert.equal(parseFoldedLine(' 7', false)?.stack, '');
    // Perl's \s and \d are Unicode classes: NBSP separates, Arabic-Indic digits count (numerically as Perl does).
    assert.equal(parseFoldedLine('a\u00a0100', false)?.count, 100);
    assert.equal(parseFoldedLine('a 1\u0663', false)?.count, 1);
  });

  test('invalid lines', () => {
    for (const line of ['', 'no count here', 'a5', 'trailing 5 ', 'a .5', 'crlf 5\r', '# comment']) {
      assert.equal(parseFoldedLine(line, false), undefined, JSON.stringify(line));
    }
  });

  test('STACK BEFORE AFTER is differential: width = after, delta = after − before', () => {
    assert.deepEqual(parseFoldedLine('a;b 10 25', false), { key: 'a;b 10 25', stack: 'a;b', count: 25, delta: 15 });
  });

  test('--reverse reverses frames (trailing empty ones dropped first) and rebuilds the sort key', () => {
    assert.deepEqual(parseFoldedLine('trail;x; 30', true), { key: 'x;trail 30', stack: 'x;trail', count: 30, delta: undefined });
    assert.equal(parseFoldedLine('c;d;e 2 3', true)?.key, 'e;d;c 2 3');
  });

  test('--colors chain tags waker frames after each ;--; and closes stacks without one', () => {
    assert.equal(markWakerFrames('a;--;b;--;c'), 'a;--;b_[w];--;c_[w]');
    assert.equal(markWakerFrames('a;--;--;b'), 'a;--;--_[w];b_[w]');
    assert.equal(markWakerFrames('a;--;;b'), 'a;--;_[w];b_[w]');
    assert.equal(markWakerFrames('a;b'), 'a;b;--');
    assert.equal(markWakerFrames('a;--;'), 'a;--');
  });
});

describe('sorting and merging', () => {
  test('whole lines sort by code point, so main.cold splits main in two', () => {
    const doc = render('main 100\nmain.cold;x 40\nmain;work 5');
    assert.deepEqual(
      drawnFrames(doc)
        .filter((f) => f.title.startsWith('main ('))
        .map((f) => f.x)
        .sort(),
      ['10.0', '1149.3'],
    );
  });

  test('code point order puts astral characters after U+FFxx (UTF-16 order would not)', () => {
    const lines = ['\u{1f600} 1', '\uff21 1', 'a 1'].map((line) => parseFoldedLine(line, false)!);
    assert.deepEqual(
      orderLines(lines, false).map((line) => line.stack),
      ['a', '\uff21', '\u{1f600}'],
    );
  });

  test('a flame chart keeps input order and merges only neighbours', () => {
    const doc = render('a;b 10\nc 10\na;b 10', { flamechart: true });
    assert.equal(titles(doc).filter((title) => title.startsWith('a (')).length, 2);
    assert.equal(fixedTexts(doc).title?.[3], 'Flame Chart');
  });

  test('shared frames of neighbouring stacks', () => {
    assert.deepEqual(sharedFrames('a;b;c', 'a;b;d'), { shared: 2, end: 3 });
    assert.deepEqual(sharedFrames('a;b;c', 'a;b'), { shared: 2, end: 3 });
    assert.deepEqual(sharedFrames('a;b', 'a;bc'), { shared: 1, end: 1 });
    assert.deepEqual(sharedFrames('', ';a'), { shared: 0, end: -1 });
    assert.deepEqual(sharedFrames(';a', ';b'), { shared: 1, end: 0 });
  });

  test('boxes: start, end, depth and deltas', () => {
    const lines = ['a;b 1 3', 'a;c 4 2', 'a 5'].map((line) => parseFoldedLine(line, false)!);
    const { nodes, maxDepth } = mergeLines(orderLines(lines, false), { wakerFrames: 'none', minWidth: 0 });
    const byName = new Map(nodes.map((node) => [`${node.name}@${node.depth}`, node]));
    assert.equal(maxDepth, 2);
    assert.deepEqual(byName.get('@0'), { name: '', depth: 0, start: 0, end: 10, delta: undefined });
    // "a 5" sorts first and opens `a` without a delta; `b` and `c` are leaves of differential lines.
    assert.deepEqual(byName.get('a@1'), { name: 'a', depth: 1, start: 0, end: 10, delta: undefined });
    assert.deepEqual(byName.get('b@2'), { name: 'b', depth: 2, start: 5, end: 8, delta: 2 });
    assert.deepEqual(byName.get('c@2'), { name: 'c', depth: 2, start: 8, end: 10, delta: -2 });
  });

  test('empty frames: inner ones are kept, trailing ones dropped', () => {
    assert.deepEqual(titles(render('main;;child 50\ntrail;x; 50')), [
      ' (50 samples, 50.00%)',
      'all (100 samples, 100%)',
      'child (50 samples, 50.00%)',
      'main (50 samples, 50.00%)',
      'trail (50 samples, 50.00%)',
      'x (50 samples, 50.00%)',
    ]);
  });

  test('--minwidth in px and in % of the total; the height follows the deepest kept frame', () => {
    const text = 'big;deep;deeper 990\nsmall;s2;s3;s4 10';
    // 1180 px for 1000 counts: 10 counts are 11.8 px.
    assert.equal(titles(render(text, { minWidth: 11.7 })).length, 8);
    assert.equal(titles(render(text, { minWidth: 11.9 })).length, 4);
    assert.equal(titles(render(text, { minWidth: '1%' })).length, 8);
    const pruned = render(text, { minWidth: '1.1%' });
    assert.equal(titles(pruned).length, 4);
    assert.equal(pruned.documentElement.getAttribute('height'), String(4 * 16 + 36 + 34));
  });

  test('a zero-count line replaces a same-named box ending at the same time (flamegraph.pl keys boxes so)', () => {
    // `b` of the second line has zero width and takes the place of the first `b`, which ended when it began.
    assert.deepEqual(titles(render('a;b 10\nc;b 0')), ['a (10 samples, 100.00%)', 'all (10 samples, 100%)']);
    assert.deepEqual(titles(render('a;b 10\nc;d 0')), ['a (10 samples, 100.00%)', 'all (10 samples, 100%)', 'b (10 samples, 100.00%)']);
    // Shared frames stay open, so they have no twin.
    assert.deepEqual(titles(render('a 10\na;z 0')), ['a (10 samples, 100.00%)', 'all (10 samples, 100%)']);
  });
});

describe('geometry, tooltips and labels', () => {
  test('rect and text coordinates (default layout)', () => {
    const doc = render('a;b 3\na;c 1');
    assert.equal(doc.documentElement.getAttribute('height'), String(3 * 16 + 36 + 34));
    assert.deepEqual(frameNamed(doc, 'b'), {
      title: 'b (3 samples, 75.00%)',
      x: '10.0',
      y: '37',
      width: '885.0',
      height: '15.0',
      fill: paletteColor('hot', 'b', 'default'),
      textX: '13.00',
      textY: '47.5',
      label: 'b',
    });
    assert.deepEqual([frameNamed(doc, 'c').x, frameNamed(doc, 'c').width], ['895.0', '295.0']);
  });

  test('--inverted puts the root on top; a subtitle adds 2·fontsize', () => {
    const doc = render('a;b 3', { inverted: true, subtitle: 'sub' });
    assert.deepEqual(
      drawnFrames(doc).map((f) => [f.title.split(' ')[0], f.y]),
      [
        ['all', '36'],
        ['a', '52'],
        ['b', '68'],
      ],
    );
    assert.equal(doc.documentElement.getAttribute('height'), String(3 * 16 + 36 + 34 + 24));
    assert.deepEqual(fixedTexts(doc).subtitle, ['600.00', '48', '', 'sub']);
    assert.equal(fixedTexts(doc).title?.[3], 'Icicle Graph');
  });

  test('tooltips: thousands, --factor, --countname, --total, differential deltas and --negate', () => {
    assert.deepEqual(titles(render('a 12345\nb 1', { factor: 1000, countName: 'us', minWidth: 0 })), [
      'a (12,345,000 us, 99.99%)',
      'all (12,346,000 us, 100%)',
      'b (1,000 us, 0.01%)',
    ]);
    const total = render('a 30', { total: 120 });
    assert.deepEqual(titles(total), ['a (30 samples, 25.00%)', 'all (120 samples, 100%)']);
    assert.equal(frameNamed(total, 'all').width, '1180.0');
    const diff = render('a 10 30\nb 20 10\nc 5 5');
    assert.deepEqual(titles(diff), [
      'a (30 samples, 66.67%; +44.44%)',
      'all (45 samples, 100%)',
      'b (10 samples, 22.22%; -22.22%)',
      'c (5 samples, 11.11%; 0.00%)',
    ]);
    assert.deepEqual(
      ['a', 'b', 'c', 'all'].map((name) => frameNamed(diff, name).fill),
      ['rgb(255,0,0)', 'rgb(105,105,255)', 'rgb(255,255,255)', 'rgb(255,255,255)'],
    );
    assert.equal(frameNamed(render('a 10 30', { negate: true }), 'a').title, 'a (30 samples, 100.00%; -66.67%)');
  });

  test('annotations are removed from tooltips and labels but color the frame', () => {
    const doc = render('java/Foo:::bar_[j];vfs_read_[k] 100', { colors: 'java' });
    assert.equal(frameNamed(doc, 'vfs_read').fill, paletteColor('java', 'vfs_read_[k]', 'default'));
    assert.match(frameNamed(doc, 'vfs_read').fill, /^rgb\(\d+,\d+,0\)$/);
    assert.equal(frameNamed(doc, 'java/Foo:::bar').label, 'java/Foo:::bar');
  });

  test('labels: floor(width / (fontsize·fontwidth)) code points, the last two replaced by ..', () => {
    assert.equal(fitLabel(nameParts('a_very_long_name'), 6), 'a_ve..');
    assert.equal(fitLabel(nameParts('abc'), 3), 'abc');
    assert.equal(fitLabel(nameParts('abcd'), 2), '');
    assert.equal(fitLabel(nameParts('😀😀😀😀😀'), 4), '😀😀..');
    assert.equal(fitLabel(nameParts('<&>"x"_[k]'), 20), '&lt;&amp;&gt;"x"');
  });
});

describe('escaping', () => {
  const NASTY = ['<script>alert(1)</script>', 'a&b', 'say "hi"', 'naïve 日本'];

  test('frame names render as text in tooltips and labels; the SVG is well-formed XML', () => {
    const result = renderFlameGraph(NASTY.map((name) => `${name} 100`));
    assert.doesNotMatch(result.svg, /<script>alert/);
    assert.match(result.svg, /<title>&lt;script&gt;alert\(1\)&lt;\/script&gt; \(100 samples, 25.00%\)<\/title>/);
    assert.match(result.svg, /<title>say &quot;hi&quot; \(100 samples, 25.00%\)<\/title>/);
    const doc = parseSvg(result.svg);
    assert.equal(doc.getElementsByTagName('parsererror').length, 0);
    assert.deepEqual(
      NASTY.map((name) => frameNamed(doc, name).label),
      NASTY,
    );
    assert.equal(doc.querySelectorAll('script').length, 1);
  });

  test('title, subtitle, countname and nametype are escaped too; control characters become U+FFFD', () => {
    const result = renderFlameGraph(['a\u0001b 5'], { title: 'x < y & z', subtitle: '"s"', countName: '<us>', nameType: ']]> </script>' });
    const doc = parseSvg(result.svg);
    assert.equal(doc.getElementsByTagName('parsererror').length, 0);
    assert.equal(fixedTexts(doc).title?.[3], 'x < y & z');
    assert.equal(frameNamed(doc, 'a\ufffdb').title, 'a\ufffdb (5 <us>, 100.00%)');
    assert.equal(result.svg.split(']]>').length, 2, 'the script section is closed exactly once');
  });

  test('--notes goes into a comment, rejected with < or >; -- is spaced out to keep the comment valid', () => {
    assert.match(renderFlameGraph(['a 5'], { notes: 'run 3 & "x" -- y' }).svg, /<!-- NOTES: run 3 & "x" - - y -->/);
    assert.throws(() => renderFlameGraph(['a 5'], { notes: 'a<b' }), FlameGraphOptionError);
  });

  test('--encoding names the encoding in the XML declaration', () => {
    assert.match(renderFlameGraph(['a 5'], { encoding: 'iso-8859-1' }).svg, /^<\?xml version="1.0" encoding="iso-8859-1" standalone="no"\?>\n/);
  });
});

describe('--nameattr', () => {
  const attributes = parseNameAttributes(
    'a\ttitle=custom <t>\tid=myid\tclass=cls\tg_extra=data-x="1"\n' + 'b\thref=http://e.com/?a=1&b=2\ttarget=_blank\ta_extra=rel="x"\tid=i\n' + 'c\thref=u\n',
  );

  test('title, id, class, g_extra on the group; href turns it into a link', () => {
    const svg = renderFlameGraph(['a;b 10', 'a;c 20'], { nameAttributes: attributes }).svg;
    assert.match(svg, /<g id="myid" class="cls" data-x="1">\n<title>custom &lt;t&gt;<\/title>/);
    assert.match(svg, /<a xlink:href="http:\/\/e.com\/\?a=1&amp;b=2" target="_blank" rel="x" id="i">\n<title>b \(10 samples/);
    assert.match(svg, /<a xlink:href="u" target="_top">\n<title>c /);
    assert.equal(parseSvg(svg).getElementsByTagName('parsererror').length, 0);
  });
});

describe('colors', () => {
  test('drand48 seeded with the sum of code points, and the --hash name hash', () => {
    assert.equal(seededValue(''), 0.17082803610628972);
    assert.equal(seededValue('a'), seededValue('\u0061'));
    assert.equal(nameHash(''), 1);
    assert.equal(nameHash('libc.so.6`malloc'), nameHash('malloc'));
    assert.equal(paletteColor('hot', 'a', 'default'), 'rgb(236,146,35)');
    const random = new Set(Array.from({ length: 20 }, () => paletteColor('hot', 'a', 'random')));
    assert.ok(random.size > 1);
  });

  test('separators are grey; differential shades scale with the largest delta', () => {
    assert.equal(paletteColor('java', '--', 'hash'), 'rgb(160,160,160)');
    assert.equal(paletteColor('io', '-', 'default'), 'rgb(200,200,200)');
    assert.equal(differentialColor(5, 10), 'rgb(255,105,105)');
    assert.equal(differentialColor(-10, 10), 'rgb(0,0,255)');
  });

  test('background gradient follows the palette; --bgcolors overrides; bad values are rejected', () => {
    const stops = (options: Partial<FlameGraphOptions>) =>
      [...parseSvg(renderFlameGraph(['a 5'], options).svg).querySelectorAll('stop')].map((stop) => stop.getAttribute('stop-color'));
    assert.deepEqual(stops({}), ['#eeeeee', '#eeeeb0']);
    assert.deepEqual(stops({ colors: 'mem' }), ['#eef2ee', '#e0ffe0']);
    assert.deepEqual(stops({ colors: 'chain' }), ['#eeeeee', '#e0e0ff']);
    assert.deepEqual(stops({ colors: 'aqua' }), ['#f8f8f8', '#e8e8e8']);
    assert.deepEqual(stops({ bgColors: '#123abc' }), ['#123abc', '#123abc']);
    assert.throws(() => renderFlameGraph(['a 5'], { bgColors: 'pink' }), /--bgcolors/);
  });

  test('--cp: colors from the map win, new names are added, the map is written sorted', () => {
    const result = renderFlameGraph(['a;b 10', 'a;c 20'], { paletteMap: new Map([['b', 'rgb(9,9,9)'], ['zeta', 'rgb(1,2,3)']]) });
    assert.equal(frameNamed(parseSvg(result.svg), 'b').fill, 'rgb(9,9,9)');
    assert.equal(
      formatPaletteMap(result.paletteMap!),
      `->${paletteColor('hot', '', 'default')}\na->rgb(236,146,35)\nb->rgb(9,9,9)\nc->${paletteColor('hot', 'c', 'default')}\nzeta->rgb(1,2,3)\n`,
    );
    assert.deepEqual(parsePaletteMap('x->y->rgb(1,2,3)\n\n'), new Map([['x->y', 'rgb(1,2,3)']]));
  });

  test('an unknown palette draws black, as flamegraph.pl does, with a warning', () => {
    const result = renderFlameGraph(['a 500'], { colors: 'bogus' });
    assert.equal(frameNamed(parseSvg(result.svg), 'a').fill, 'rgb(0,0,0)');
    assert.match(result.warnings.join('\n'), /Unknown palette bogus/);
  });
});

describe('--colors python on --with-holders lines', () => {
  test('the holder part (after --) gets cool colors per kind; no trailing -- on other lines; names unchanged', () => {
    const lines = ['start_thread;thread_run;take_gil;--;drop_gil;thread_run;start_thread 300', 'start_thread;time_sleep 100'];
    const frames = drawnFrames(parseSvg(renderFlameGraph(lines, { colors: 'python' }).svg));
    const fills = (name: string) => frames.filter((frame) => frame.title.startsWith(`${name} (`)).map((frame) => frame.fill);
    const [waiterRun, holderRun] = fills('thread_run');
    assert.notEqual(waiterRun, holderRun);
    assert.equal(holderRun, paletteColor('python', 'thread_run_[w]', 'default'));
    for (const name of ['drop_gil_[w]', 'start_thread_[w]', 'py::run_[w]', 'schedule_[w]', 'numpy_matmul_[w]']) {
      const [r, g, b] = paletteColor('python', name, 'default').match(/\d+/g)!.map(Number) as [number, number, number];
      assert.ok(b > r && b > g, `${name}: blue is the strongest channel`);
    }
    assert.deepEqual(fills('--'), ['rgb(160,160,160)']);
    assert.ok(!frames.some((frame) => frame.title.includes('_[w]')), 'the annotation never shows');
    assert.equal(frames.filter((frame) => frame.title.startsWith('-- (')).length, 1, 'only the with-holders line has a separator');
  });
});

describe('--colors python', () => {
  const KINDS: [string, string][] = [
    ['py::run', 'python'],
    ['is_prime (gil.py)', 'python'],
    ['compute (/srv/app/work.py:42)', 'python'],
    ['_find_and_load (<frozen importlib._bootstrap>)', 'python'],
    ['cpyeval::_PyEval_EvalFrameDefault', 'cpython'],
    ['_PyEval_EvalFrameDefault', 'cpython'],
    ['PyObject_Call', 'cpython'],
    ['take_gil', 'cpython'],
    ['take_gil.constprop.0', 'cpython'],
    ['drop_gil.isra.0', 'cpython'],
    ['pymain_run_python.constprop.0', 'cpython'],
    ['pythread_wrapper', 'cpython'],
    ['thread_run', 'cpython'],
    ['method_vectorcall_VARARGS_KEYWORDS', 'cpython'],
    ['__new_sem_wait_slow64.constprop.0', 'libc'],
    ['_start', 'libc'],
    ['pthread_cond_timedwait@@GLIBC_2.3.2', 'libc'],
    ['__pthread_mutex_lock', 'libc'],
    ['__futex_abstimed_wait_common', 'libc'],
    ['__GI___poll', 'libc'],
    ['__lll_lock_wait', 'libc'],
    ['__condvar_dec_grefs', 'libc'],
    ['__libc_start_main', 'libc'],
    ['start_thread', 'libc'],
    ['clone3', 'libc'],
    ['__schedule', 'kernel'],
    ['schedule', 'kernel'],
    ['do_syscall_64', 'kernel'],
    ['entry_SYSCALL_64_after_hwframe', 'kernel'],
    ['__x64_sys_futex', 'kernel'],
    ['futex_wait_queue', 'kernel'],
    ['do_futex', 'kernel'],
    ['anything_[k]', 'kernel'],
    ['numpy_matmul', 'native'],
    ['[unknown]', 'native'],
  ];

  test('frame kinds from names', () => {
    assert.deepEqual(
      KINDS.map(([name]) => [name, guessFrameKind(name)]),
      KINDS,
    );
  });

  /** Hue of an `rgb(r,g,b)` fill, in degrees. */
  function hue(fill: string): number {
    const [r, g, b] = fill.match(/\d+/g)!.map((value) => Number(value) / 255) as [number, number, number];
    const max = Math.max(r, g, b);
    const span = max - Math.min(r, g, b);
    const h = max === r ? ((g - b) / span) % 6 : max === g ? (b - r) / span + 2 : (r - g) / span + 4;
    return (h * 60 + 360) % 360;
  }

  test('each kind has its own hue family; names vary within it, deterministically', () => {
    const families = new Map<string, number[]>();
    for (const [name, kind] of KINDS) {
      const fill = paletteColor('python', name, 'default');
      assert.equal(paletteColor('python', name, 'default'), fill);
      families.set(kind, [...(families.get(kind) ?? []), hue(fill)]);
    }
    const ranges = [...families].map(([kind, hues]) => [kind, Math.min(...hues), Math.max(...hues)] as const);
    for (const [kind, low, high] of ranges) assert.ok(high - low < 35, `${kind} hues ${low}–${high}`);
    for (const [a, lowA, highA] of ranges) {
      for (const [b, lowB, highB] of ranges) {
        if (a !== b) assert.ok(highA < lowB || highB < lowA, `${a} (${lowA}–${highA}) and ${b} (${lowB}–${highB}) overlap`);
      }
    }
    assert.notEqual(paletteColor('python', 'PyObject_Call', 'default'), paletteColor('python', 'PyList_New', 'default'));
  });

  test('a frameKind callback decides first; undefined falls back to the names', () => {
    const frameKind = (name: string) => (name === 'mystery' ? ('kernel' as const) : undefined);
    assert.equal(paletteColor('python', 'mystery', 'default', frameKind), paletteColor('python', 'mystery', 'default', () => 'kernel'));
    const doc = render('py::main;mystery;take_gil 10', { colors: 'python', frameKind });
    assert.equal(hue(frameNamed(doc, 'mystery').fill), hue(paletteColor('python', 'mystery', 'default', () => 'kernel')));
    assert.notEqual(frameNamed(doc, 'mystery').fill, paletteColor('python', 'mystery', 'default'));
    assert.equal(frameNamed(doc, 'take_gil').fill, paletteColor('python', 'take_gil', 'default'));
    const stops = [...doc.querySelectorAll('stop')].map((stop) => stop.getAttribute('stop-color'));
    assert.deepEqual(stops, ['#f8f8f8', '#e8e8e8']);
  });
});

describe('results', () => {
  test('no valid line: the error SVG, exit code 2, and why', () => {
    const result = renderFlameGraph(['nothing here', '# neither']);
    assert.equal(result.exitCode, 2);
    assert.match(result.svg, /<text {2}x="600.00" y="24" >ERROR: No valid input provided to flamegraph.pl.<\/text>\n<\/svg>\n$/);
    assert.deepEqual(result.warnings, ['Ignored 2 lines with invalid format', 'ERROR: No stack counts found']);
    assert.equal(renderFlameGraph(['a 0']).exitCode, 2);
  });

  test('warnings as flamegraph.pl prints them', () => {
    assert.deepEqual(renderFlameGraph(['a 30', 'x']).warnings, ['Ignored 1 lines with invalid format', 'Stack count is low (30). Did something go wrong?']);
    assert.deepEqual(renderFlameGraph(['a 30'], { countName: 'us' }).warnings, []);
    assert.deepEqual(renderFlameGraph(['a 300'], { total: 100 }).warnings, ['Specified --total 100 is less than actual total 300, so ignored']);
  });

  test('bad option values throw FlameGraphOptionError naming the option', () => {
    for (const [options, flag] of [
      [{ width: 0 }, '--width'],
      [{ fontSize: -1 }, '--fontsize'],
      [{ minWidth: 'x%' }, '--minwidth'],
      [{ factor: Number.NaN }, '--factor'],
    ] as const) {
      assert.throws(() => renderFlameGraph(['a 5'], options), (error: Error) => error instanceof FlameGraphOptionError && error.message.includes(flag));
    }
  });
});
