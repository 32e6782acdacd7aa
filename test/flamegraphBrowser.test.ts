/**
 * A generated flame graph in Debian's Chromium, opened from file:// like a user opens one: zoom by
 * click, reset, regex search with its matched share, the URL state, labels refitted by the browser's
 * own text measurement, and frame names that must not run as script.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { renderFlameGraph } from '../src/render/flamegraph/index.js';
import { artifactPath, launchChromium } from './helpers/browser.js';
import { chromiumUnavailable, requireOrSkip } from './helpers/system.js';

/** 400 samples; `<script>…` is a frame name, and so are an ampersand, quotes and non-ASCII text. */
const STACKS = [
  'python3;main;work;compute;inner_loop_with_a_long_name 120',
  'python3;main;work;io;read 60',
  'python3;main;idle 20',
  'python3;<script>alert(1)</script>;a&b 40',
  'python3;say "hi";naïve 日本 60',
  'other;take_gil 100',
];

interface Box {
  name: string;
  x: number;
  width: number;
  className: string;
  label: string;
  labelWidth: number;
}

async function boxes(page: Page): Promise<Box[]> {
  return page.evaluate(() =>
    [...document.getElementById('frames')!.children].map((group) => {
      const rect = group.querySelector('rect')!;
      const text = group.querySelector('text') as SVGTextElement;
      return {
        name: group.querySelector('title')!.textContent!.replace(/ \([^(]*\)$/, ''),
        x: Number(rect.getAttribute('x')),
        width: Number(rect.getAttribute('width')),
        className: group.getAttribute('class') ?? '',
        label: text.textContent ?? '',
        labelWidth: text.textContent === '' ? 0 : text.getComputedTextLength(),
      };
    }),
  );
}

function boxNamed(all: Box[], name: string): Box {
  const box = all.find((b) => b.name === name);
  assert.ok(box, `no frame ${name}`);
  return box;
}

async function frameCenter(page: Page, name: string): Promise<{ x: number; y: number }> {
  return page.evaluate((wanted) => {
    const group = [...document.getElementById('frames')!.children].find((g) => g.querySelector('title')!.textContent!.startsWith(`${wanted} (`))!;
    const box = group.querySelector('rect')!.getBoundingClientRect();
    return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
  }, name);
}

async function clickFrame(page: Page, name: string): Promise<void> {
  const point = await frameCenter(page, name);
  await page.mouse.click(point.x, point.y);
}

describe('flame graph in Chromium', () => {
  let browser: Browser | undefined;
  let dir: string;
  let url: string;
  const dialogs: string[] = [];

  before(async () => {
    if (chromiumUnavailable() !== undefined) return;
    dir = mkdtempSync(join(tmpdir(), 'offgil-fg-browser-'));
    const file = join(dir, 'graph.svg');
    writeFileSync(file, renderFlameGraph(STACKS, { title: 'Browser test', countName: 'us', colors: 'python' }).svg);
    url = pathToFileURL(file).href;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function openPage(query = ''): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 260 } });
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url + query);
    assert.deepEqual(errors, []);
    return page;
  }

  test('click zooms, labels are refitted to the measured text, reset zoom restores', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable())) return;
    const page = await openPage();
    const before = await boxes(page);
    assert.deepEqual(
      [boxNamed(before, 'work').x, boxNamed(before, 'work').width],
      [482, 531],
    );

    await clickFrame(page, 'work');
    const zoomed = await boxes(page);
    assert.deepEqual([boxNamed(zoomed, 'work').x, boxNamed(zoomed, 'work').width], [10, 1180]);
    assert.deepEqual([boxNamed(zoomed, 'compute').x, boxNamed(zoomed, 'compute').width], [10, 786.67]);
    assert.deepEqual([boxNamed(zoomed, 'io').x, boxNamed(zoomed, 'io').width], [796.67, 393.33]);
    assert.equal(boxNamed(zoomed, 'main').className, 'parent');
    assert.equal(boxNamed(zoomed, 'idle').className, 'hide');
    assert.equal(boxNamed(zoomed, 'take_gil').className, 'hide');
    // The long leaf now has room for its whole name; every visible label fits its box.
    assert.equal(boxNamed(zoomed, 'inner_loop_with_a_long_name').label, 'inner_loop_with_a_long_name');
    for (const box of zoomed.filter((b) => b.className !== 'hide')) {
      assert.ok(box.labelWidth <= box.width - 3 + 0.5, `${box.name}: label ${box.labelWidth} px in ${box.width} px`);
    }
    assert.match(page.url(), /\?x=[\d.]+&y=\d+$/);
    assert.equal(await page.evaluate(() => document.getElementById('unzoom')!.getAttribute('class')), '');
    await page.screenshot({ path: artifactPath('flamegraph-zoomed.png') });

    await page.click('#unzoom');
    const restored = await boxes(page);
    assert.deepEqual(
      restored.map((b) => [b.name, b.x, b.width, b.className, b.label]),
      before.map((b) => [b.name, b.x, b.width, b.className, b.label]),
    );
    assert.equal(page.url(), url);
    await page.close();
  });

  test('regex search from the Search button: matched share, then reset', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable())) return;
    const page = await openPage();
    await page.evaluate(() => {
      window.prompt = () => 'o.*\\(';
    });
    await page.click('#search');
    // Tooltips containing an "o" before a "(": python3 (all but `other`), other — everything: 100%.
    assert.equal(await page.textContent('#matched'), 'Matched: 100%');
    await page.click('#search');
    await page.evaluate(() => {
      window.prompt = () => '^(io|idle|take_gil) ';
    });
    await page.keyboard.press('Control+f');
    // io 60 + idle 20 + take_gil 100 of 400 samples = 45 %.
    assert.equal(await page.textContent('#matched'), 'Matched: 45.0%');
    const fills = await page.evaluate(() =>
      [...document.querySelectorAll('#frames rect')].filter((rect) => rect.getAttribute('fill') === 'rgb(230,0,230)').length,
    );
    assert.equal(fills, 3, 'io, idle and take_gil (not read, io\'s child)');
    assert.match(page.url(), /\?s=%5E\(io%7Cidle%7Ctake_gil\)%20$/);
    await page.screenshot({ path: artifactPath('flamegraph-search.png') });
    await page.keyboard.press('Control+f');
    assert.equal(await page.textContent('#matched'), ' ');
    await page.close();
  });

  test('?x=&y= zooms on load, ?s= searches on load', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable())) return;
    const first = await openPage();
    const { x, y } = await first.evaluate(() => {
      const group = [...document.getElementById('frames')!.children].find((g) => g.querySelector('title')!.textContent!.startsWith('compute ('))!;
      const rect = group.querySelector('rect')!;
      return { x: rect.getAttribute('x')!, y: rect.getAttribute('y')! };
    });
    await first.close();
    const page = await openPage(`?x=${x}&y=${y}&s=read`);
    const zoomed = await boxes(page);
    assert.deepEqual([boxNamed(zoomed, 'compute').x, boxNamed(zoomed, 'compute').width], [10, 1180]);
    assert.equal(boxNamed(zoomed, 'read').className, 'hide');
    assert.equal(await page.textContent('#matched'), 'Matched: 15.0%');
    await page.close();
  });

  test('frame names with markup show as text and run nothing', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable())) return;
    const page = await openPage();
    const all = await boxes(page);
    assert.equal(boxNamed(all, '<script>alert(1)</script>').label, '<script>alert(..');
    assert.equal(boxNamed(all, 'a&b').label, 'a&b');
    assert.equal(boxNamed(all, 'say "hi"').label, 'say "hi"');
    assert.equal(boxNamed(all, 'naïve 日本').label, 'naïve 日本');
    const point = await frameCenter(page, '<script>alert(1)</script>');
    await page.mouse.move(point.x, point.y);
    assert.equal(await page.textContent('#details'), 'Function: <script>alert(1)</script> (40 us, 10.00%)');
    await page.mouse.click(point.x, point.y);
    assert.equal(boxNamed(await boxes(page), 'a&b').width, 1180);
    assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 1);
    assert.deepEqual(dialogs, []);
    await page.close();
  });
});
