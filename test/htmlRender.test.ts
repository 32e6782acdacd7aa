/**
 * The HTML page at DOM level (jsdom): data embedding, escaping, inlined assets, the flame tree and
 * the frame kinds. htmlBrowser.test.ts drives the same page in a real browser.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JSDOM } from 'jsdom';
import { buildHierarchy, guessFrameKind, renderHtml, type FlameNode, type FrameKind, type PageData } from '../src/render/html/index.js';
import { viewStacks } from './helpers/page.js';

const ATTACK = '</script><script>alert(1)</script>';

/** Frames that must survive the trip into the page unchanged. */
const HOSTILE_STACKS = new Map<string, number>([
  [`main;${ATTACK};leaf`, 1200],
  ['main;a & b "quoted" \'single\';<!--comment-->', 30],
  ['main;naïve façade — 東京;🐍 py::snake:/app/🐍.py', 4500],
  ['main;line\u2028separator\u2029para', 7],
  ['main;]]><![CDATA[ &lt &#60 \\u003c', 1],
]);

function parse(html: string): Document {
  return new JSDOM(html).window.document;
}

function embedded(document: Document): PageData {
  return JSON.parse(document.getElementById('offgil-data')!.textContent!) as PageData;
}

/** Every node as `path → value`, root first. */
function flatten(node: FlameNode, path = node.name, into = new Map<string, number>()): Map<string, number> {
  into.set(path, node.value);
  for (const child of node.children ?? []) flatten(child, `${path};${child.name}`, into);
  return into;
}

describe('buildHierarchy', () => {
  const stacks = new Map<string, number>([
    ['a;b;c', 10],
    ['a;b', 5],
    ['a;d', 7],
    ['e', 3],
    ['a;b;c;f', 1],
  ]);
  const tree = buildHierarchy(stacks, guessFrameKind);

  test('each node holds the µs of every stack through it; the root holds the total', () => {
    assert.deepEqual(
      flatten(tree),
      new Map([
        ['all', 26],
        ['all;a', 23],
        ['all;a;b', 16],
        ['all;a;b;c', 11],
        ['all;a;b;c;f', 1],
        ['all;a;d', 7],
        ['all;e', 3],
      ]),
    );
  });

  test('children never sum to more than their parent; the difference is the stacks ending there', () => {
    const self = new Map<string, number>();
    const walk = (node: FlameNode, path: string): void => {
      const childSum = (node.children ?? []).reduce((sum, child) => sum + child.value, 0);
      assert.ok(childSum <= node.value, path);
      self.set(path, node.value - childSum);
      for (const child of node.children ?? []) walk(child, `${path};${child.name}`);
    };
    walk(tree, 'all');
    assert.deepEqual(
      [...self].filter(([, us]) => us > 0),
      [
        ['all;a;b', 5],
        ['all;a;b;c', 10],
        ['all;a;b;c;f', 1],
        ['all;a;d', 7],
        ['all;e', 3],
      ],
    );
  });

  test('children are sorted by code point (UTF-8 byte) order, as flamegraph.pl sorts', () => {
    const sorted = buildHierarchy(
      new Map([
        ['x;\uffff', 1],
        ['x;😀', 1],
        ['x;b', 1],
        ['x;B', 1],
        ['x;b!', 1],
      ]),
      guessFrameKind,
    );
    assert.deepEqual(
      sorted.children![0]!.children!.map((child) => child.name),
      ['B', 'b', 'b!', '\uffff', '😀'],
    );
  });

  test('leaves have no children array and the root no kind', () => {
    assert.equal(tree.kind, undefined);
    assert.deepEqual(tree.children![1], { name: 'e', value: 3, kind: 'native' });
  });
});

describe('guessFrameKind on frame names seen in the fixtures', () => {
  const cases: [string, FrameKind][] = [
    ['py::is_prime:/work/main/fixtures/workloads/gil_contention.py', 'python'],
    ['py::Thread._bootstrap_inner:/root/.pyenv/versions/3.13.0/lib/python3.13/threading.py', 'python'],
    ['is_prime (gil_contention.py:12)', 'python'],
    ['worker (app.py)', 'python'],
    ['_PyEval_EvalFrameDefault', 'cpython'],
    ['PyObject_Vectorcall', 'cpython'],
    ['take_gil', 'cpython'],
    ['drop_gil', 'cpython'],
    ['cpyeval::worker', 'cpython'],
    ['pythread_wrapper', 'cpython'],
    ['thread_run', 'cpython'],
    ['method_vectorcall_VARARGS_KEYWORDS', 'cpython'],
    ['pthread_cond_timedwait@@GLIBC_2.3.2', 'libc'],
    ['__libc_start_main@@GLIBC_2.34', 'libc'],
    ['__futex_abstimed_wait_common', 'libc'],
    ['__new_sem_wait_slow64.constprop.0', 'libc'],
    ['start_thread', 'libc'],
    ['clone3', 'libc'],
    ['__schedule', 'kernel'],
    ['schedule', 'kernel'],
    ['futex_wait', 'kernel'],
    ['entry_SYSCALL_64_after_hwframe', 'kernel'],
    ['asm_sysvec_apic_timer_interrupt', 'kernel'],
    ['do_syscall_64', 'kernel'],
    ['io_schedule', 'kernel'],
    ['finish_task_switch.isra.0_[k]', 'kernel'],
    ['[unknown]', 'native'],
    ['python3.12-6031/6031', 'native'],
    ['DOUBLE_add_AVX2', 'native'],
  ];
  for (const [name, kind] of cases) {
    test(`${name} → ${kind}`, () => assert.equal(guessFrameKind(name), kind));
  }
});

describe('renderHtml: embedded data', () => {
  const html = renderHtml(HOSTILE_STACKS, { command: 'offgil --html out.html' });
  const document = parse(html);

  test('JSON.parse of the data element gives back every stack and count exactly', () => {
    const data = embedded(document);
    assert.equal(data.unit, 'µs');
    assert.equal(data.scale, 1);
    assert.deepEqual(viewStacks(data, 'stacks'), HOSTILE_STACKS);
    for (const name of [ATTACK, 'a & b "quoted" \'single\'', '<!--comment-->', '🐍 py::snake:/app/🐍.py', 'line\u2028separator\u2029para', ']]><![CDATA[ &lt &#60 \\u003c']) {
      assert.ok(data.names.includes(name), name);
    }
  });

  test('no frame text reaches the HTML parser: <, >, & and U+2028/9 are \\u escapes', () => {
    const raw = html.slice(html.indexOf('<script type="application/json"'));
    const data = raw.slice(raw.indexOf('>') + 1, raw.indexOf('</script>'));
    assert.doesNotMatch(data, /[<>&\u2028\u2029]/);
    assert.match(data, /\\u003c\/script\\u003e\\u003cscript\\u003ealert\(1\)\\u003c\/script\\u003e/);
    // The frame name could not add elements: only the page's own 16 scripts exist.
    assert.equal(document.querySelectorAll('script').length, 16);
    assert.equal(document.querySelectorAll('script[type="application/json"]').length, 1);
  });

  test('a caller-supplied frameKind colors frames; undefined falls back to the name', () => {
    const data = embedded(parse(renderHtml(new Map([['a;take_gil;py::f:/x.py', 5]]), { frameKind: (name) => (name === 'a' ? 'kernel' : undefined) })));
    assert.deepEqual(data.names, ['a', 'take_gil', 'py::f:/x.py']);
    assert.equal(data.kinds, 'kcp');
  });

  test('countName sets the unit; us is shown as µs', () => {
    assert.equal(embedded(parse(renderHtml(new Map([['a', 1]]), { countName: 'samples' }))).unit, 'samples');
    assert.equal(embedded(parse(renderHtml(new Map([['a', 1]]), {}))).unit, 'µs');
  });

  test('stacks share their prefix with the one before: a deep profile costs little more than its new frames', () => {
    const deep = new Map<string, number>();
    const base = Array.from({ length: 60 }, (_, i) => `frame${i}`).join(';');
    for (let i = 0; i < 100; i++) deep.set(`${base};leaf${i}`, i + 1);
    const data = embedded(parse(renderHtml(deep)));
    assert.deepEqual(viewStacks(data, 'stacks'), deep);
    assert.ok(data.views[0]!.stacks.length < 60 + 100 * 6, `${data.views[0]!.stacks.length} numbers`);
  });
});

describe('renderHtml: header', () => {
  const meta = {
    title: 'GIL <b>wait</b> & "more"',
    command: `offgil -i 'a&b.txt' --html ${ATTACK}.html`,
    input: '/tmp/<img src=x onerror=alert(1)>.txt.gz',
    totals: [
      { label: 'GIL wait', value: '12,345 µs in 4 threads' },
      { label: '<i>other</i>', value: '6 µs & "more"' },
    ],
  };
  const document = parse(renderHtml(new Map([['a;b', 3]]), meta));

  test('title, command, input and totals are shown as text', () => {
    assert.equal(document.title, meta.title);
    assert.equal(document.querySelector('h1')!.textContent, meta.title);
    assert.deepEqual(
      [...document.querySelectorAll('.meta dt, .meta dd')].map((element) => element.textContent),
      ['command', meta.command, 'input', meta.input],
    );
    assert.deepEqual(
      [...document.querySelectorAll('.totals li')].map((item) => item.textContent),
      ['GIL wait 12,345 µs in 4 threads', '<i>other</i> 6 µs & "more"'],
    );
  });

  test('the text adds no elements', () => {
    assert.equal(document.querySelectorAll('img, b, i').length, 0);
    assert.equal(document.querySelectorAll('script').length, 16);
  });

  test('defaults: title, no command or input rows, no totals', () => {
    const plain = parse(renderHtml(new Map([['a', 1]])));
    assert.equal(plain.querySelector('h1')!.textContent, 'Off-GIL Time Flame Graph');
    assert.equal(plain.querySelector('.meta'), null);
    assert.equal(plain.querySelector('.totals'), null);
  });
});

describe('renderHtml: self-contained', () => {
  const html = renderHtml(new Map([['a;b', 3]]), { command: 'offgil' });
  const document = parse(html);

  test('nothing is loaded from elsewhere: no src or href, no link, no CSS url() or @import', () => {
    assert.doesNotMatch(html, /\b(?:src|href)\s*=/i);
    assert.equal(document.querySelectorAll('[src], [href], link, iframe, img, object, embed').length, 0);
    for (const style of document.querySelectorAll('style')) assert.doesNotMatch(style.textContent!, /url\(|@import/);
  });

  test('a Content-Security-Policy forbids fetching anything', () => {
    const policy = document.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')!;
    assert.match(policy, /default-src 'none'/);
    assert.doesNotMatch(policy, /https?:|'self'|\*/);
  });

  test('d3-flame-graph and the d3 modules it reads are inlined, dependencies first', () => {
    const labels = [...document.querySelectorAll('script:not([type])')].map((script) => /^\/\* ([^ ]+)@/.exec(script.textContent!)?.[1]);
    assert.deepEqual(labels, [
      'd3-array',
      'd3-color',
      'd3-interpolate',
      'd3-format',
      'd3-time',
      'd3-time-format',
      'd3-scale',
      'd3-dispatch',
      'd3-timer',
      'd3-ease',
      'd3-selection',
      'd3-transition',
      'd3-hierarchy',
      'd3-flame-graph',
      undefined, // the page's own script
    ]);
  });

  test('the page is the inlined code plus little more (bytes)', () => {
    const bytes = Buffer.byteLength(html);
    assert.ok(bytes > 140_000 && bytes < 230_000, `${bytes}`);
  });
});

describe('renderHtml: the page runs (jsdom)', () => {
  const stacks = new Map<string, number>([
    ['main;worker;take_gil', 600],
    ['main;reader;__select', 300],
    [`main;${ATTACK}`, 100],
  ]);

  test('draws one frame per tree node with the frame names, and fires no alert', async () => {
    let alerts = 0;
    const dom = new JSDOM(renderHtml(stacks), {
      runScripts: 'dangerously',
      pretendToBeVisual: true,
      beforeParse(window) {
        window.alert = () => void alerts++;
      },
    });
    const { document } = dom.window;
    const frames = [...document.querySelectorAll('#chart g.frame')].map((g) => g.getAttribute('name'));
    assert.deepEqual(frames.sort(), ['__select', ATTACK, 'all', 'main', 'reader', 'take_gil', 'worker'].sort());
    assert.deepEqual(
      [...document.querySelectorAll('#legend .legend-item')].map((item) => item.textContent),
      ['CPython', 'native', 'libc / pthreads'],
    );
    assert.equal(alerts, 0);
    dom.window.close();
  });
});

test('an empty profile gives a page that says so, without scripts', () => {
  const html = renderHtml(new Map(), { command: 'offgil --html x.html', totals: [{ label: 'GIL wait', value: '0 µs' }] });
  const document = parse(html);
  assert.equal(document.querySelector('.empty')!.textContent, 'Nothing to show: the profile has no stacks.');
  assert.equal(document.querySelector('h1')!.textContent, 'Off-GIL Time Flame Graph');
  assert.equal(document.querySelector('.totals li')!.textContent, 'GIL wait 0 µs');
  assert.equal(document.querySelectorAll('script, #chart, #search').length, 0);
});
