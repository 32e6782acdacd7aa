/**
 * The HTML report of real recordings in a real browser (Debian chromium, from file://): the thread
 * table sorts and filters every view, the flame graph's views, icicle toggle and search, the timeline's
 * lanes, zoom, pan and hover with GIL holders, hostile names as text, and the diff page's colors.
 * Screenshots go to test/artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../src/analyze.js';
import { reportTotals } from '../src/cli/htmlReport.js';
import { diffFolded } from '../src/render/differential.js';
import { renderDiff, renderReport } from '../src/render/html/index.js';
import { artifactPath, launchChromium } from './helpers/browser.js';
import { pageData, viewStacks } from './helpers/page.js';
import { FIXTURES } from './helpers/paths.js';
import { frame, GIL_WAIT_STACK, KERNEL, sched_switch } from './helpers/perfText.js';
import { chromiumUnavailable, requireOrSkip } from './helpers/system.js';

const OPTIONS: AnalyzeOptions = { holders: true, timeline: true, byThread: true, rootFrame: 'tid' };

function fixtureText(name: string): string {
  return gunzipSync(readFileSync(join(FIXTURES, name))).toString('utf8');
}

interface Drawn {
  name: string;
  x: number;
  y: number;
  width: number;
}

function frames(page: Page): Promise<Drawn[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#chart g.frame')].map((g) => {
      const box = g.querySelector('rect')!.getBoundingClientRect();
      return { name: g.getAttribute('name')!, x: box.x, y: box.y, width: box.width };
    }),
  );
}

/** Waits until no frame moves for 500 ms (d3's transitions are over). */
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

function tableTids(page: Page): Promise<number[]> {
  return page.evaluate(() => [...document.querySelectorAll('#threads tbody tr')].map((row) => Number((row as HTMLElement).dataset.tid)));
}

function tooltipLines(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('#tooltip div')].map((line) => line.textContent!));
}

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
  file: string;
}

async function open(browser: Browser, dir: string, name: string, html: string): Promise<Opened> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const opened: Opened = { page, errors: [], requests: [], dialogs: [], file };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') opened.errors.push(message.text());
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('request', (request) => opened.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.body.dataset.ready !== undefined);
  return opened;
}

/** The page as `offgil -i INPUT --tid --html report.html` writes it. */
function report(result: AnalysisResult, input: string): string {
  return renderReport(result, {
    command: `offgil -i ${input} --tid --html report.html`,
    input,
    totals: reportTotals(result, { state: ['gil'], until: 'switch-in' }),
    frameKind: (name) => result.frameKinds.get(name),
  });
}

test('the HTML report of a real recording in chromium', { timeout: 240_000 }, async (t) => {
  if (!requireOrSkip(t, chromiumUnavailable())) return;
  const dir = mkdtempSync(join(tmpdir(), 'offgil-report-'));
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const input = 'fixtures/jit-3.13-Xperf_jit.txt.gz';
  const result = analyze(fixtureText('jit-3.13-Xperf_jit.txt.gz'), OPTIONS);
  const html = report(result, input);
  const data = pageData(html);
  const { page, errors, requests, dialogs, file } = await open(browser, dir, 'report.html', html);
  const initial = await settled(page);
  const chartWidth = initial.find((frame) => frame.name === 'all')!.width;

  await t.test('header: command, input, totals', async () => {
    const meta = await page.evaluate(() => [...document.querySelectorAll('.meta dd')].map((dd) => dd.textContent));
    assert.deepEqual(meta, [`offgil -i ${input} --tid --html report.html`, input]);
    const totals = await page.evaluate(() => [...document.querySelectorAll('.totals li')].map((li) => li.textContent));
    const gilUs = Math.round(result.threads.reduce((sum, thread) => sum + thread.gilNs, 0) / 1000).toLocaleString('en-US');
    assert.ok(totals.includes(`GIL wait ${gilUs} µs in 5 of 5 threads`), totals.join('\n'));
    assert.ok(totals.includes('lost events none'));
  });

  await t.test('the thread table: one row per thread, most GIL wait first; columns sort both ways', async () => {
    const byGil = [...result.threads].sort((a, b) => b.gilNs - a.gilNs).map((thread) => thread.tid);
    assert.deepEqual(await tableTids(page), byGil);
    await page.click('#threads th[data-key="tid"]');
    assert.deepEqual(await tableTids(page), [...byGil].sort((a, b) => b - a));
    await page.click('#threads th[data-key="tid"]');
    assert.deepEqual(await tableTids(page), [...byGil].sort((a, b) => a - b));
    assert.equal(await page.getAttribute('#threads th[data-key="tid"]', 'aria-sort'), 'ascending');
    await page.click('#threads th[data-key="caused"]');
    const byCaused = [...result.threads].sort((a, b) => (b.holder?.causedNs ?? 0) - (a.holder?.causedNs ?? 0) || a.tid - b.tid).map((thread) => thread.tid);
    assert.deepEqual(await tableTids(page), byCaused);
    await page.click('#threads th[data-key="gil"]');
  });

  await t.test('the timeline draws one lane per thread, labelled with its name and tid', async () => {
    assert.equal(await page.getAttribute('#tl-canvas', 'data-lanes'), String(result.threads.length));
    const labels = await page.evaluate(() => [...document.querySelectorAll('.tl-label')].map((label) => label.textContent));
    assert.deepEqual(labels, [...result.threads].sort((a, b) => a.tid - b.tid).map((thread) => `${thread.comm} ${thread.tid}`));
    await page.screenshot({ path: artifactPath('report-overview.png'), fullPage: true });
  });

  await t.test('a search reports the matched µs and % of the data', async () => {
    const waiter = result.threads[0]!;
    const root = `${waiter.comm}-${waiter.pid}/${waiter.tid}`;
    await page.fill('#search', root.replace(/[/.]/g, '\\$&'));
    await page.press('#search', 'Enter');
    const stacks = viewStacks(data, 'waiters');
    let total = 0;
    let matched = 0;
    for (const [stack, ns] of stacks) {
      total += ns;
      if (stack.startsWith(`${root};`)) matched += ns;
    }
    const us = (ns: number): string => Math.round(ns / 1000).toLocaleString('en-US');
    assert.equal(await page.textContent('#search-result'), `Matched ${us(matched)} µs of ${us(total)} µs (${((100 * matched) / total).toFixed(2)}%)`);
    await page.fill('#search', '');
    await page.press('#search', 'Enter');
  });

  await t.test('clicking a thread filters the flame graph and the timeline to it; clicking again shows all', async () => {
    const thread = result.threads[0]!;
    const root = `${thread.comm}-${thread.pid}/${thread.tid}`;
    const other = result.threads[1]!;
    const otherRoot = `${other.comm}-${other.pid}/${other.tid}`;
    assert.ok(initial.find((frame) => frame.name === root)!.width < 0.5 * chartWidth);
    await page.click(`#threads tbody tr[data-tid="${thread.tid}"]`);
    const filtered = await settled(page);
    assert.ok(Math.abs(filtered.find((frame) => frame.name === root)!.width - chartWidth) < 0.5, 'the thread fills the graph');
    assert.equal(filtered.find((frame) => frame.name === otherRoot), undefined, 'other threads are gone');
    assert.equal(await page.getAttribute('#tl-canvas', 'data-lanes'), '1');
    assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll('.tl-label')].map((label) => (label as HTMLElement).dataset.tid)), [String(thread.tid)]);
    assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll('#threads tr.selected')].map((row) => (row as HTMLElement).dataset.tid)), [String(thread.tid)]);
    assert.match((await page.textContent('#filter'))!, new RegExp(`thread ${thread.tid} only`));
    await page.screenshot({ path: artifactPath('report-thread.png'), fullPage: true });

    await page.click(`#threads tbody tr[data-tid="${thread.tid}"]`);
    const restored = await settled(page);
    assert.equal(restored.length, initial.length);
    assert.equal(await page.getAttribute('#tl-canvas', 'data-lanes'), String(result.threads.length));
    assert.equal(await page.$('#threads tr.selected'), null);
    assert.equal(await page.isHidden('#filter'), true);
  });

  await t.test('the view switch: holders end in drop_gil, waiters + holders join them with --', async () => {
    const leaves = (drawn: Drawn[]): Set<string> => new Set(drawn.map((frame) => frame.name));
    const waiters = leaves(initial);
    assert.ok(waiters.has('take_gil') && !waiters.has('drop_gil') && !waiters.has('--'));
    await page.click('#views button[data-view="holders"]');
    const holders = await settled(page);
    assert.equal(await page.getAttribute('body', 'data-view'), 'holders');
    assert.ok(leaves(holders).has('drop_gil') && !leaves(holders).has('take_gil'), [...leaves(holders)].join(' '));
    const expected = viewStacks(data, 'holders');
    const dropGilNs = [...expected].filter(([stack]) => stack.endsWith(';drop_gil')).reduce((sum, [, ns]) => sum + ns, 0);
    assert.ok(dropGilNs > 0.5 * [...expected.values()].reduce((a, b) => a + b, 0), 'most holder time ends in drop_gil');
    await page.screenshot({ path: artifactPath('report-holders.png'), fullPage: true });
    await page.click('#views button[data-view="both"]');
    const both = await settled(page);
    assert.ok(leaves(both).has('--') && leaves(both).has('drop_gil') && leaves(both).has('take_gil'));
    await page.click('#views button[data-view="waiters"]');
    await settled(page);
  });

  await t.test('the icicle toggle puts the root on top', async () => {
    const rootY = (drawn: Drawn[]): number => drawn.find((frame) => frame.name === 'all')!.y;
    const upright = await settled(page);
    assert.equal(rootY(upright), Math.max(...upright.map((frame) => frame.y)));
    await page.check('#inverted');
    const icicle = await settled(page);
    assert.equal(rootY(icicle), Math.min(...icicle.map((frame) => frame.y)));
    await page.screenshot({ path: artifactPath('report-icicle.png'), fullPage: true });
    await page.uncheck('#inverted');
    await settled(page);
  });

  await t.test('hovering a GIL wait in the timeline shows its duration, frames and holders', async () => {
    const thread = result.threads[0]!;
    const wait = data.timeline!.lanes.find((lane) => lane.tid === thread.tid)!;
    // From the embedded intervals.
    let at = 0;
    let best: { start: number; end: number; holders: number } | undefined;
    for (let i = 0; i < wait.raw.length; i += 5) {
      const start = at + wait.raw[i]!;
      const end = start + wait.raw[i + 1]!;
      at = end;
      const list = wait.raw[i + 4]!;
      // A wait whose main holder is a thread (not a hand-off), the longest one.
      if (data.timeline!.classes[wait.raw[i + 2]!] === 'gil' && list >= 0 && data.timeline!.holders[list]![0]! > 0 && (best === undefined || end - start > best.end - best.start)) {
        best = { start, end, holders: wait.raw[i + 4]! };
      }
    }
    assert.ok(best !== undefined);
    const span = best.end - best.start;
    await page.evaluate(([from, to]) => (window as unknown as { offgilTimeline: { setView(a: number, b: number): void } }).offgilTimeline.setView(from!, to!), [best.start - span, best.end + span]);
    await page.waitForTimeout(100);
    const canvas = (await page.locator('#tl-canvas').boundingBox())!;
    const point = await page.evaluate(
      ([ns, tid]) => {
        const api = (window as unknown as { offgilTimeline: { xOf(ns: number): number; yOf(tid: number): number } }).offgilTimeline;
        return { x: api.xOf(ns!), y: api.yOf(tid!) };
      },
      [(best.start + best.end) / 2, thread.tid],
    );
    await page.mouse.move(canvas.x + point.x, canvas.y + point.y);
    await page.waitForFunction(() => !document.getElementById('tooltip')!.hidden);
    const lines = await tooltipLines(page);
    assert.equal(lines[0], `${thread.comm} ${thread.tid}: GIL wait`);
    const duration = span < 1e7 ? `${Math.round(span / 1000).toLocaleString('en-US')} µs` : `${(span / 1e6).toFixed(2)} ms`;
    assert.ok(lines[1]!.startsWith(`${duration}, `), lines[1]);
    const holders = data.timeline!.holders[best.holders]!;
    const held = lines.indexOf('GIL held by:');
    assert.ok(held > 0, lines.join('\n'));
    const first = holders[0]!;
    const name = `${result.threads.find((x) => x.tid === first)!.comm} ${first}`;
    assert.ok(lines[held + 1]!.trim().startsWith(name), `${lines[held + 1]} names ${name}`);
    assert.ok(lines.includes('top frames:'));
    assert.ok(lines.some((line) => line.trim() === 'take_gil'));
    await page.screenshot({ path: artifactPath('report-timeline-hover.png'), fullPage: false });

    // Between intervals the thread ran.
    const after = await page.evaluate(
      (tid) => (window as unknown as { offgilTimeline: { intervals(tid: number): { startNs: number; endNs: number }[] } }).offgilTimeline.intervals(tid),
      thread.tid,
    );
    const index = after.findIndex((interval) => interval.startNs === best.start);
    const gap = after[index + 1]!.startNs - after[index]!.endNs;
    if (gap > 0) {
      await page.evaluate(([from, to]) => (window as unknown as { offgilTimeline: { setView(a: number, b: number): void } }).offgilTimeline.setView(from!, to!), [after[index]!.endNs - gap, after[index + 1]!.startNs + gap]);
      await page.waitForTimeout(100);
      const x = await page.evaluate((ns) => (window as unknown as { offgilTimeline: { xOf(ns: number): number } }).offgilTimeline.xOf(ns), after[index]!.endNs + gap / 2);
      await page.mouse.move(canvas.x + x, canvas.y + point.y);
      await page.waitForFunction((title) => document.querySelector('#tooltip div')?.textContent === title, `${thread.comm} ${thread.tid}: running`);
    }
  });

  await t.test('the timeline zooms with the wheel and buttons and pans by dragging', async () => {
    const view = (): Promise<number[]> => page.evaluate(() => (window as unknown as { offgilTimeline: { view(): number[] } }).offgilTimeline.view());
    await page.click('#tl-fit');
    await page.waitForTimeout(100);
    const [from, to] = await view();
    const canvas = (await page.locator('#tl-canvas').boundingBox())!;
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + 30);
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(100);
    const [zoomFrom, zoomTo] = await view();
    assert.ok(zoomTo! - zoomFrom! < 0.8 * (to! - from!), 'the wheel zooms in');
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + 30);
    await page.mouse.down();
    await page.mouse.move(canvas.x + canvas.width / 2 + 200, canvas.y + 30, { steps: 4 });
    await page.mouse.up();
    const [panFrom, panTo] = await view();
    assert.ok(panFrom! < zoomFrom!, 'dragging right shows earlier time');
    assert.ok(Math.abs(panTo! - panFrom! - (zoomTo! - zoomFrom!)) < 1, 'panning keeps the span');
    await page.click('#tl-in');
    await page.waitForTimeout(50);
    const [inFrom, inTo] = await view();
    assert.ok(Math.abs(inTo! - inFrom! - (panTo! - panFrom!) / 2) < 1);
    await page.click('#tl-out');
    await page.click('#tl-reset');
    await page.waitForTimeout(50);
    assert.deepEqual(await view(), [0, data.timeline!.endNs]);
  });

  await t.test('the lanes are colored in proportion to each thread’s time per state: exact, and from the summary levels', async () => {
    const summaryHtml = renderReport(result, { timelineBudget: { levelBytes: 1_000_000, maxIntervals: 20, topFrames: 4 } });
    assert.ok(pageData(summaryHtml).timeline!.lanes.every((lane) => !lane.complete), 'the small budget keeps few intervals');
    const summary = await open(browser, dir, 'summary.html', summaryHtml);
    for (const [label, tab] of [
      ['exact', page],
      ['summary', summary.page],
    ] as const) {
      for (const thread of result.threads) {
        const shares = await tab.evaluate(async (tid) => {
          const api = (window as unknown as { offgilTimeline: { setView(a: number, b: number): void; yOf(tid: number): number } }).offgilTimeline;
          const data = JSON.parse(document.getElementById('offgil-data')!.textContent!) as { timeline: { endNs: number } };
          api.setView(0, data.timeline.endNs);
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
          const canvas = document.getElementById('tl-canvas') as HTMLCanvasElement;
          const scale = canvas.width / canvas.getBoundingClientRect().width;
          const top = Math.round((api.yOf(tid) - 9) * scale);
          // Read through a copy made for reading (Chromium warns about repeated reads of a drawing canvas).
          const copy = document.createElement('canvas');
          copy.width = canvas.width;
          copy.height = Math.round(18 * scale);
          const reader = copy.getContext('2d', { willReadFrequently: true })!;
          reader.drawImage(canvas, 0, -top);
          const pixels = reader.getImageData(0, 0, copy.width, copy.height).data;
          const count = (r: number, g: number, b: number): number => {
            let n = 0;
            for (let i = 0; i < pixels.length; i += 4) if (pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === b) n++;
            return n / (pixels.length / 4);
          };
          return { gil: count(0xe5, 0x39, 0x35), running: count(0x43, 0xa0, 0x47), lock: count(0x8e, 0x24, 0xaa) };
        }, thread.tid);
        const endNs = data.timeline!.endNs;
        const lane = result.timeline!.lane(thread.tid)!;
        const expected = { gil: thread.gilNs / endNs, running: lane.runningNs() / endNs, lock: (thread.classNs.lock ?? 0) / endNs };
        for (const state of ['gil', 'running', 'lock'] as const) {
          assert.ok(Math.abs(shares[state] - expected[state]) < 0.015, `${label} ${thread.tid} ${state}: drawn ${shares[state].toFixed(4)}, time ${expected[state].toFixed(4)}`);
        }
      }
    }
    assert.deepEqual(summary.errors, []);
    await summary.page.close();
  });

  await t.test('nothing but the file was requested, nothing logged an error or opened a dialog', () => {
    assert.deepEqual(requests, [pathToFileURL(file).href]);
    assert.deepEqual(errors, []);
    assert.deepEqual(dialogs, []);
  });

  await t.test('a recording with a finding shows it in the header', async () => {
    const numpy = analyze(fixtureText('numpy-3.11.txt.gz'), OPTIONS);
    assert.ok(numpy.findings.length > 0);
    const opened = await open(browser, dir, 'numpy.html', report(numpy, 'fixtures/numpy-3.11.txt.gz'));
    const findings = await opened.page.evaluate(() => [...document.querySelectorAll('.notices li.finding')].map((li) => li.textContent));
    assert.deepEqual(
      findings,
      numpy.findings.map((finding) => `finding ${finding.message}`),
    );
    await settled(opened.page);
    await opened.page.screenshot({ path: artifactPath('report-finding.png'), fullPage: true });
    assert.deepEqual(opened.errors, []);
    await opened.page.close();
  });

  await t.test('hostile thread and frame names stay text everywhere; warnings show in the header', async () => {
    const comm = '</script><img src=x onerror=alert(1)>';
    const frame = '<script>alert(2)</script>\u0007\u001b[31m';
    let text = fixtureText('gil-3.11-switch.txt.gz').replaceAll('python3.11', comm).replaceAll('thread_run', frame);
    // A lost-records line makes a warning.
    // (at the first event's time: an event earlier than that would be skipped as out of order)
    const firstTime = /\s(\d+\.\d+):\s/.exec(text)![1]!;
    text = text.replace(/\n\n/, `\n\nperf  6057 [000]   ${firstTime}: PERF_RECORD_LOST lost 7\n\n`);
    const hostile = analyze(text, OPTIONS);
    const opened = await open(browser, dir, 'hostile.html', report(hostile, '<b>input</b>'));
    const hostilePage = opened.page;
    await settled(hostilePage);
    assert.equal(await hostilePage.evaluate(() => document.scripts.length), 16);
    assert.equal(await hostilePage.evaluate(() => document.querySelectorAll('img, b').length), 0);
    const names = await hostilePage.evaluate(() => [...document.querySelectorAll('#threads tbody tr td:first-child')].map((td) => td.textContent));
    assert.deepEqual(new Set(names), new Set([comm]));
    const labels = await hostilePage.evaluate(() => [...document.querySelectorAll('.tl-label')].map((label) => label.textContent));
    assert.ok(labels.every((label) => label!.startsWith(comm)));
    assert.ok((await frames(hostilePage)).some((drawn) => drawn.name === frame));
    const warnings = await hostilePage.evaluate(() => [...document.querySelectorAll('.notices li.warning')].map((li) => li.textContent));
    assert.ok(hostile.warnings.some((warning) => warning.code === 'lost-records'));
    assert.ok(warnings.some((line) => /^warning perf lost records 1 time\(s\) \(7 events\)/.test(line!)), warnings.join('\n'));
    assert.deepEqual(opened.dialogs, []);
    assert.deepEqual(opened.errors, []);
    await hostilePage.close();
  });

  await t.test('a 100,000-frame stack: the page loads, keeps both ends of the stack and names what it left out', async () => {
    const deep = [...GIL_WAIT_STACK.slice(0, 9), ...Array.from({ length: 100_000 }, (_, i) => frame(`f${i}`)), frame('start_thread', KERNEL)];
    const text =
      sched_switch({ time: '1.000000', prevPid: 10, nextPid: 0, stack: deep }) +
      sched_switch({ time: '1.000500', prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: 10 });
    const deepResult = analyze(text, OPTIONS);
    const started = Date.now();
    const opened = await open(browser, dir, 'deep.html', report(deepResult, 'deep.txt'));
    const names = (await frames(opened.page)).map((drawn) => drawn.name);
    assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms`);
    // Of the 100,003 frames (root frame, start_thread, f99999…f0, take_gil) 2,048 are drawn besides 'all':
    // the root half, one node for the rest, the leaf half.
    assert.equal(names.length, 1 + 2048 + 1);
    assert.deepEqual(names.slice(0, 3), ['all', 'python3-10/10', 'start_thread']);
    assert.ok(names.includes('take_gil') && names.includes('f0') && names.includes('f99999'));
    assert.ok(names.includes('[97,955 frames not shown here: see the folded output]'), names.find((name) => name.startsWith('[')));
    assert.deepEqual(opened.errors, []);
    await opened.page.close();
  });

  await t.test('the diff page: red where AFTER waits more, blue where less; widths from either side', async () => {
    const before = analyze(fixtureText('gil-3.11.txt.gz'), { holders: true });
    const after = analyze(fixtureText('gil-3.11-switch.txt.gz'), { holders: true });
    const lines = diffFolded(before.stacks, after.stacks, false);
    const opened = await open(
      browser,
      dir,
      'diff.html',
      renderDiff([{ id: 'waiters', label: 'waiters', stacks: lines.stacks }], { before: 'fixtures/gil-3.11.txt.gz', after: 'fixtures/gil-3.11-switch.txt.gz' }),
    );
    const diffPage = opened.page;
    await settled(diffPage);
    const fills = await diffPage.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('#chart g.frame')].map((g) => [g.getAttribute('name'), g.querySelector('rect')!.getAttribute('fill')])),
    );
    const sum = (pick: (stack: string) => boolean, side: 0 | 1): number => [...lines.stacks].filter(([stack]) => pick(stack)).reduce((total, [, counts]) => total + counts[side], 0);
    const leaf = (name: string) => (stack: string) => stack.split(';').includes(name);
    // The main thread's lock wait and the workers' GIL waits each changed; colors follow the sign.
    for (const name of ['thread_run', 'acquire_timed']) {
      const delta = sum(leaf(name), 1) - sum(leaf(name), 0);
      const fill = fills[name]!;
      assert.ok(delta > 0 ? /^rgb\(255,/.test(fill) : /,255\)$/.test(fill), `${name} changed by ${delta}: ${fill}`);
    }
    await diffPage.screenshot({ path: artifactPath('diff.png'), fullPage: true });
    const allAfter = (await frames(diffPage)).find((drawn) => drawn.name === 'all')!.width;
    await diffPage.selectOption('#width-side', 'before');
    const beforeFrames = await settled(diffPage);
    const ratio = sum(leaf('acquire_timed'), 0) / sum(() => true, 0);
    assert.ok(Math.abs(beforeFrames.find((drawn) => drawn.name === 'acquire_timed')!.width / allAfter - ratio) < 0.01);
    await diffPage.hover('#chart g.frame[name="thread_run"] rect');
    const tip = await tooltipLines(diffPage);
    assert.equal(tip[0], 'thread_run');
    assert.equal(tip[1], `before: ${sum(leaf('thread_run'), 0).toLocaleString('en-US')} µs`);
    assert.equal(tip[2], `after: ${sum(leaf('thread_run'), 1).toLocaleString('en-US')} µs`);
    assert.deepEqual(opened.errors, []);
    await diffPage.close();
  });
});
