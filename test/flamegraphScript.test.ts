/**
 * The SVG's structure and its embedded script in jsdom: hover details, zoom, reset, search with the
 * matched share, case toggle, keyboard shortcuts and the URL state. jsdom lays nothing out, so label
 * fitting uses its character-width estimate here; browser.test covers a real rendering.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JSDOM } from 'jsdom';
import { parseNameAttributes, renderFlameGraph, type FlameGraphOptions } from '../src/render/flamegraph/index.js';

/** 200 samples: main 100 (idle 20, work 80 = compute 60 + io 20), other 100. */
const STACKS = ['main;work;compute 60', 'main;work;io 20', 'main;idle 20', 'other 100'];

interface Page {
  window: JSDOM['window'];
  document: Document;
  frame(name: string): Element;
  box(name: string): { x: string; width: string; className: string };
  text(id: string): string;
  click(target: Element, init?: MouseEventInit): void;
  key(init: KeyboardEventInit): void;
  url(): string;
}

interface ScriptApi {
  init(): void;
  search(term: string): void;
}

function script(window: JSDOM['window']): ScriptApi {
  return (window as unknown as { flameGraph: ScriptApi }).flameGraph;
}

/** Loads the SVG as a browser would (script run, then `onload`), at `query`. */
function open(options: Partial<FlameGraphOptions> = {}, query = '', stacks = STACKS): Page {
  const { svg } = renderFlameGraph(stacks, options);
  const dom = new JSDOM(svg, { contentType: 'image/svg+xml', url: `http://localhost/graph.svg${query}`, runScripts: 'outside-only' });
  const { window } = dom;
  const document = window.document;
  // A browser runs the script as a classic script, whose functions are globals; a strict indirect
  // eval keeps them in its own scope, so the ones the tests call are handed out explicitly.
  window.eval(`${document.querySelector('script')!.textContent!}\n;window.flameGraph = { init: init, search: search };`);
  script(window).init();
  const frame = (name: string): Element => {
    const found = [...document.getElementById('frames')!.children].find((g) => g.querySelector('title')!.textContent!.startsWith(`${name} (`));
    if (found === undefined) throw new Error(`no frame ${name}`);
    return found;
  };
  return {
    window,
    document,
    frame,
    box(name) {
      const group = frame(name);
      const rect = group.querySelector('rect')!;
      return { x: rect.getAttribute('x')!, width: rect.getAttribute('width')!, className: group.getAttribute('class') ?? '' };
    },
    text: (id) => document.getElementById(id)!.textContent!,
    click(target, init = {}) {
      target.dispatchEvent(new window.MouseEvent('click', { bubbles: true, cancelable: true, ...init }));
    },
    key(init) {
      document.documentElement.dispatchEvent(new window.KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
    },
    url: () => window.location.href,
  };
}

describe('document structure', () => {
  test('one group per frame with title, rect and text; the controls; one script', () => {
    const page = open();
    const groups = [...page.document.getElementById('frames')!.children];
    assert.equal(groups.length, 7);
    for (const group of groups) {
      assert.equal(group.tagName, 'g');
      assert.deepEqual(
        [...group.children].map((child) => child.tagName),
        ['title', 'rect', 'text'],
      );
    }
    assert.deepEqual(
      ['title', 'details', 'unzoom', 'search', 'ignorecase', 'matched'].map((id) => page.text(id)),
      ['Flame Graph', ' ', 'Reset Zoom', 'Search', 'ic', ' '],
    );
    assert.equal(page.document.getElementById('unzoom')!.getAttribute('class'), 'hide');
    assert.equal(page.document.querySelectorAll('script').length, 1);
    assert.equal(page.document.documentElement.getAttribute('onload'), 'init(evt)');
  });

  test('frame names with markup, quotes and non-ASCII stay text', () => {
    const names = ['<script>alert(1)</script>', 'a&b', 'say "hi"', 'naïve 日本'];
    const page = open({}, '', names.map((name) => `${name} 100`));
    assert.equal(page.document.querySelectorAll('script').length, 1);
    assert.equal(page.document.getElementById('frames')!.querySelectorAll('script').length, 0);
    for (const name of names) {
      const group = page.frame(name);
      assert.equal(group.querySelector('title')!.textContent, `${name} (100 samples, 25.00%)`);
      assert.equal(group.querySelector('text')!.textContent, name);
    }
  });
});

describe('embedded script', () => {
  test('hovering a frame shows NAMETYPE and its tooltip; leaving clears it', () => {
    const page = open({ nameType: 'Frame:' });
    const rect = page.frame('work').querySelector('rect')!;
    rect.dispatchEvent(new page.window.MouseEvent('mouseover', { bubbles: true }));
    assert.equal(page.text('details'), 'Frame: work (80 samples, 40.00%)');
    rect.dispatchEvent(new page.window.MouseEvent('mouseout', { bubbles: true }));
    assert.equal(page.text('details'), ' ');
  });

  test('click zooms: the frame and its children span the width, ancestors dim, the rest hides; reset restores', () => {
    const page = open();
    const before = ['all', 'main', 'work', 'compute', 'io', 'idle', 'other'].map((name) => page.box(name));
    page.click(page.frame('work').querySelector('text')!);
    assert.deepEqual(page.box('work'), { x: '10.00', width: '1180.00', className: '' });
    assert.deepEqual(page.box('compute'), { x: '10.00', width: '885.00', className: '' });
    assert.deepEqual(page.box('io'), { x: '895.00', width: '295.00', className: '' });
    assert.deepEqual(page.box('main'), { x: '10.00', width: '1180.00', className: 'parent' });
    assert.equal(page.box('all').className, 'parent');
    assert.equal(page.box('idle').className, 'hide');
    assert.equal(page.box('other').className, 'hide');
    assert.equal(page.frame('compute').querySelector('text')!.getAttribute('x'), '13.00');
    assert.equal(page.frame('work').querySelector('rect')!.getAttribute('_orig_x'), '128.0');
    assert.equal(page.document.getElementById('unzoom')!.getAttribute('class'), '');
    assert.equal(page.url(), 'http://localhost/graph.svg?x=128.0&y=53');

    page.click(page.document.getElementById('unzoom')!);
    assert.deepEqual(
      ['all', 'main', 'work', 'compute', 'io', 'idle', 'other'].map((name) => page.box(name)),
      before,
    );
    assert.equal(page.frame('work').querySelector('text')!.textContent, 'work');
    assert.equal(page.document.getElementById('unzoom')!.getAttribute('class'), 'hide');
    assert.equal(page.url(), 'http://localhost/graph.svg');
  });

  test('clicking a dimmed ancestor zooms out to it; clicking the root resets', () => {
    const page = open();
    page.click(page.frame('compute').querySelector('rect')!);
    assert.equal(page.box('compute').width, '1180.00');
    page.click(page.frame('main').querySelector('rect')!);
    assert.deepEqual(page.box('main'), { x: '10.00', width: '1180.00', className: '' });
    assert.deepEqual(page.box('work'), { x: '246.00', width: '944.00', className: '' });
    page.click(page.frame('all').querySelector('rect')!);
    assert.deepEqual(page.box('other'), { x: '600.0', width: '590.0', className: '' });
    assert.equal(page.url(), 'http://localhost/graph.svg');
  });

  test('search: magenta matches, Matched share without double counting nested matches, reset', () => {
    const page = open();
    let asked = 0;
    page.window.prompt = () => {
      asked++;
      return 'o';
    };
    page.click(page.document.getElementById('search')!);
    assert.equal(asked, 1);
    // work (472 px, with compute and io inside) + other (590 px) of 1180 px.
    assert.equal(page.text('matched'), 'Matched: 90.0%');
    assert.equal(page.text('search'), 'Reset Search');
    assert.equal(page.frame('compute').querySelector('rect')!.getAttribute('fill'), 'rgb(230,0,230)');
    assert.notEqual(page.frame('main').querySelector('rect')!.getAttribute('fill'), 'rgb(230,0,230)');
    assert.equal(page.url(), 'http://localhost/graph.svg?s=o');

    page.click(page.document.getElementById('search')!);
    assert.equal(asked, 1, 'clicking again resets without asking');
    assert.equal(page.text('matched'), ' ');
    assert.equal(page.text('search'), 'Search');
    assert.notEqual(page.frame('compute').querySelector('rect')!.getAttribute('fill'), 'rgb(230,0,230)');
    assert.equal(page.url(), 'http://localhost/graph.svg');
  });

  test('the tooltip text is searched, counts included; everything matched is 100%', () => {
    const page = open();
    const { search } = script(page.window);
    search('samples');
    assert.equal(page.text('matched'), 'Matched: 100%');
    search('^i');
    assert.equal(page.text('matched'), 'Matched: 20.0%');
    search('(');
    assert.equal(page.text('matched'), 'Invalid regular expression');
  });

  test('Ctrl-F and F3 prompt, Ctrl-F again resets; ic and Ctrl-I toggle case', () => {
    const page = open();
    page.window.prompt = () => 'WORK';
    page.key({ key: 'f', keyCode: 70, ctrlKey: true });
    assert.equal(page.text('matched'), 'Matched: 0.0%');
    page.key({ key: 'i', keyCode: 73, ctrlKey: true });
    assert.equal(page.document.getElementById('ignorecase')!.getAttribute('class'), 'show');
    assert.equal(page.text('matched'), 'Matched: 40.0%');
    page.key({ key: 'f', keyCode: 70, ctrlKey: true });
    assert.equal(page.text('matched'), ' ');
    page.click(page.document.getElementById('ignorecase')!);
    assert.equal(page.document.getElementById('ignorecase')!.getAttribute('class'), '');
    page.window.prompt = () => 'idle';
    page.key({ key: 'F3', keyCode: 114 });
    assert.equal(page.text('matched'), 'Matched: 10.0%');
  });

  test('zooming keeps the search highlighting', () => {
    const page = open();
    script(page.window).search('^io');
    page.click(page.frame('work').querySelector('rect')!);
    assert.equal(page.frame('io').querySelector('rect')!.getAttribute('fill'), 'rgb(230,0,230)');
    assert.equal(page.text('matched'), 'Matched: 10.0%');
    assert.equal(page.url(), 'http://localhost/graph.svg?s=%5Eio&x=128.0&y=53');
  });

  test('the URL restores a view: ?x=&y= zooms, ?s= searches (a + stays a +)', () => {
    const zoomed = open({}, '?x=128.0&y=53');
    assert.equal(zoomed.box('work').width, '1180.00');
    assert.equal(zoomed.box('other').className, 'hide');
    const searched = open({}, '?s=ma%2Bin');
    assert.equal(searched.text('matched'), 'Matched: 50.0%');
    const plus = open({}, '?s=ma+in');
    assert.equal(plus.text('matched'), 'Matched: 50.0%');
    assert.equal(open({}, '?x=1&y=2').box('other').className, '', 'no such frame: no zoom');
  });

  test('an icicle graph zooms downwards', () => {
    const page = open({ inverted: true });
    page.click(page.frame('work').querySelector('rect')!);
    assert.deepEqual(page.box('compute'), { x: '10.00', width: '885.00', className: '' });
    assert.equal(page.box('main').className, 'parent');
    assert.equal(page.box('idle').className, 'hide');
  });

  test('frames linked with --nameattr follow the link; Ctrl-click zooms', () => {
    const page = open({ nameAttributes: parseNameAttributes('work\thref=http://localhost/work.html\n') });
    const link = page.frame('work');
    assert.equal(link.tagName, 'a');
    page.click(link.querySelector('rect')!);
    assert.equal(page.box('work').width, '472.0');
    page.click(link.querySelector('rect')!, { ctrlKey: true });
    assert.equal(page.box('work').width, '1180.00');
  });
});
