/**
 * The HTML page in a real browser (Debian chromium, opened from file://): it loads nothing, logs no
 * error, zooms, searches, resets, follows the window width and shows hostile frame names as text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { renderHtml } from '../src/render/html/index.js';
import { artifactPath, launchChromium } from './helpers/browser.js';
import { chromiumUnavailable, requireOrSkip } from './helpers/system.js';

const ATTACK = '</script><script>alert(1)</script>';
const WORKER = 'py::worker:/app/w.py';
const THREAD_ROOT = 'start_thread;thread_run;_PyEval_EvalFrameDefault';

const STACKS = new Map<string, number>([
  [`python3-100/100;${THREAD_ROOT};${WORKER};py::is_prime:/app/w.py;take_gil`, 400_000],
  [`python3-100/100;${THREAD_ROOT};${WORKER};take_gil`, 100_000],
  [`python3-101/101;${THREAD_ROOT};py::reader:/app/r.py;__select;do_select;__schedule`, 250_000],
  [`python3-101/101;${ATTACK};take_gil`, 150_000],
  ['python3-102/102;clone3;a & b "c" é 🐍 [x', 100_000],
]);
const TOTAL = 1_000_000;
/** The root plus one node per distinct stack prefix. */
const NODES = 1 + new Set([...STACKS.keys()].flatMap((stack) => stack.split(';').map((_, i, frames) => frames.slice(0, i + 1).join(';')))).size;
const SCRIPTS_IN_PAGE = 16;

/** What the page must report for a search, computed from the stacks: a stack counts once if any frame matches. */
function expectedSearch(match: (frame: string) => boolean): string {
  let matched = 0;
  for (const [stack, us] of STACKS) if (stack.split(';').some(match)) matched += us;
  const format = (n: number): string => n.toLocaleString('en-US');
  return `Matched ${format(matched)} µs of ${format(TOTAL)} µs (${((100 * matched) / TOTAL).toFixed(2)}%)`;
}

interface Drawn {
  name: string;
  x: number;
  width: number;
}

/** Every drawn frame's name, left edge and width, in document order. */
function frames(page: Page): Promise<Drawn[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#chart g.frame')].map((g) => {
      const box = g.querySelector('rect')!.getBoundingClientRect();
      return { name: g.getAttribute('name')!, x: box.x, width: box.width };
    }),
  );
}

/**
 * Waits for d3's transitions to end: no frame moves for 500 ms, longer than any transition delay
 * (new boxes grow after 200 ms, zooms take 400 ms).
 */
async function settled(page: Page): Promise<Drawn[]> {
  let last = await frames(page);
  for (let still = 0; still < 5; ) {
    await page.waitForTimeout(100);
    const now = await frames(page);
    still = JSON.stringify(now) === JSON.stringify(last) ? still + 1 : 0;
    last = now;
  }
  return last;
}

function widthOf(drawn: readonly Drawn[], name: string): number {
  return drawn.find((frame) => frame.name === name)!.width;
}

/** The width of the chart's box, whole pixels. */
function boxWidth(page: Page): Promise<number> {
  return page.evaluate(() => Math.floor(document.getElementById('chart')!.getBoundingClientRect().width));
}

async function centerOf(page: Page, name: string): Promise<{ x: number; y: number }> {
  const box = await page.evaluate((wanted) => {
    const g = [...document.querySelectorAll('#chart g.frame')].find((element) => element.getAttribute('name') === wanted)!;
    const rect = g.querySelector('rect')!.getBoundingClientRect();
    return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
  }, name);
  return box;
}

test('the HTML page in chromium from file://', { timeout: 120_000 }, async (t) => {
  if (!requireOrSkip(t, chromiumUnavailable())) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-html-'));
  const file = join(dir, 'offgil.html');
  writeFileSync(
    file,
    renderHtml(STACKS, {
      command: 'offgil -i perf-sched.data --tid --html offgil.html',
      input: 'perf-sched.data',
      totals: [{ label: 'GIL wait', value: '1,000,000 µs in 3 threads' }],
    }),
  );
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction((nodes) => document.querySelectorAll('#chart g.frame').length === nodes, NODES);
  const initial = await settled(page);
  const chartWidth = await page.evaluate(() => Number(document.querySelector('#chart svg')!.getAttribute('width')));
  assert.equal(chartWidth, await boxWidth(page), 'the chart fills its box');
  assert.ok(chartWidth > 1100, `${chartWidth}`);
  assert.ok(Math.abs(widthOf(initial, 'all') - chartWidth) < 0.5);
  assert.ok(Math.abs(widthOf(initial, WORKER) - chartWidth / 2) < 0.5, 'the worker frame is half of the total');

  await t.test('hostile frame names are text: the label shows them, no script runs', async () => {
    await page.waitForFunction(
      (attack) => [...document.querySelectorAll('#chart g.frame')].some((g) => g.getAttribute('name') === attack && g.textContent === attack),
      ATTACK,
    );
    assert.equal(await page.evaluate(() => document.scripts.length), SCRIPTS_IN_PAGE);
    assert.deepEqual(dialogs, []);
  });

  await t.test('hovering a frame shows its name, µs with separators and % of the total', async () => {
    const center = await centerOf(page, WORKER);
    await page.mouse.move(center.x, center.y);
    await page.waitForFunction(() => !document.getElementById('tooltip')!.hidden);
    const tip = await page.evaluate(() => [...document.querySelectorAll('#tooltip div')].map((line) => line.textContent));
    assert.deepEqual(tip, [WORKER, '500,000 µs (50.00% of total)', 'Python']);
    assert.equal(await page.textContent('#details'), `${WORKER} — 500,000 µs (50.00%)`);
  });

  await t.test('clicking a frame zooms to it; reset zoom restores every width', async () => {
    const center = await centerOf(page, WORKER);
    await page.mouse.click(center.x, center.y);
    const zoomed = await settled(page);
    assert.ok(Math.abs(widthOf(zoomed, WORKER) - chartWidth) < 0.5, `worker is ${widthOf(zoomed, WORKER)} px`);
    assert.ok(Math.abs(widthOf(zoomed, 'py::is_prime:/app/w.py') - 0.8 * chartWidth) < 0.5);
    assert.equal(
      zoomed.find((frame) => frame.name === 'py::reader:/app/r.py'),
      undefined,
      'frames outside the zoomed one are not drawn',
    );
    assert.equal(await page.isEnabled('#reset'), true);

    await page.click('#reset');
    const reset = await settled(page);
    assert.equal(reset.length, initial.length);
    for (const [i, frame] of initial.entries()) {
      assert.equal(reset[i]!.name, frame.name);
      assert.ok(Math.abs(reset[i]!.width - frame.width) < 0.5 && Math.abs(reset[i]!.x - frame.x) < 0.5, frame.name);
    }
    assert.equal(await page.isEnabled('#reset'), false);
  });

  await t.test('a regex search reports the matched µs and % computed from the data, also while zoomed', async () => {
    await page.fill('#search', 'is_prime|select');
    await page.press('#search', 'Enter');
    const expected = expectedSearch((frame) => /is_prime|select/.test(frame));
    assert.equal(expected, 'Matched 650,000 µs of 1,000,000 µs (65.00%)');
    assert.equal(await page.textContent('#search-result'), expected);
    const highlighted = await page.evaluate(() =>
      [...document.querySelectorAll('#chart g.frame')]
        .filter((g) => g.querySelector('rect')!.getAttribute('fill') === 'hsl(300, 100%, 45%)')
        .map((g) => g.getAttribute('name')),
    );
    assert.deepEqual(highlighted.sort(), ['__select', 'do_select', 'py::is_prime:/app/w.py']);

    const center = await centerOf(page, WORKER);
    await page.mouse.click(center.x, center.y);
    await settled(page);
    await page.fill('#search', 'is_prime|selec');
    await page.press('#search', 'Enter');
    assert.equal(await page.textContent('#search-result'), expectedSearch((frame) => /is_prime|selec/.test(frame)));
    await page.click('#reset');
    await settled(page);
  });

  await t.test('text that is no valid regex is searched as plain text; typing searches too', async () => {
    await page.fill('#search', '');
    await page.type('#search', '🐍 [x');
    const expected = expectedSearch((frame) => frame.includes('🐍 [x'));
    assert.equal(expected, 'Matched 100,000 µs of 1,000,000 µs (10.00%)');
    await page.waitForFunction((text) => document.getElementById('search-result')!.textContent === text, expected);
    await page.fill('#search', '');
    await page.waitForFunction(() => document.getElementById('search-result')!.textContent === '');
  });

  await t.test('the chart follows the window width', async () => {
    await page.setViewportSize({ width: 800, height: 700 });
    const width = await boxWidth(page);
    assert.ok(width < 800, `${width}`);
    await page.waitForFunction((px) => document.querySelector('#chart svg')!.getAttribute('width') === String(px), width);
    const narrow = await settled(page);
    assert.ok(Math.abs(widthOf(narrow, WORKER) - width / 2) < 0.5);
    await page.setViewportSize({ width: 1200, height: 700 });
    await page.waitForFunction((width) => document.querySelector('#chart svg')!.getAttribute('width') === String(width), chartWidth);
  });

  await t.test('a screenshot for people', async () => {
    await page.fill('#search', 'take_gil');
    await page.press('#search', 'Enter');
    await settled(page);
    await page.screenshot({ path: artifactPath('html-flamegraph.png'), fullPage: true });
  });

  await t.test('nothing but the file was requested, nothing logged an error or opened a dialog', () => {
    assert.deepEqual(
      requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:')),
      [],
    );
    assert.deepEqual(requests, [pathToFileURL(file).href]);
    assert.deepEqual(errors, []);
    assert.deepEqual(dialogs, []);
  });
});
