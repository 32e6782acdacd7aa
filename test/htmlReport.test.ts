/**
 * The report page without a browser: the timeline summary (levels add up to the lanes' time per
 * state, budgets hold, kept intervals are exact), the embedded views per thread, and the page under
 * jsdom (header notices as text, the thread table). htmlReportBrowser.test.ts drives it in chromium.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { JSDOM, VirtualConsole } from 'jsdom';
import { analyze } from '../src/analyze.js';
import { decodeLevelLane, LANE_STATES, renderReport } from '../src/render/html/index.js';
import { stateOfClass, timelineData, type TimelineData } from '../src/render/html/timelineData.js';
import { pageData, viewStacks } from './helpers/page.js';
import { FIXTURES } from './helpers/paths.js';

const text = gunzipSync(readFileSync(join(FIXTURES, 'jit-3.13-Xperf_jit.txt.gz'))).toString('utf8');
const result = analyze(text, { holders: true, timeline: true, byThread: true, states: ['all'] });
const tids = result.threads.map((thread) => thread.tid);
const names: string[] = [];
const nameIndex = (name: string): number => {
  const known = names.indexOf(name);
  if (known >= 0) return known;
  names.push(name);
  return names.length - 1;
};

/** Kept intervals of a lane back as absolute times. */
function rawIntervals(data: TimelineData, lane: number): { startNs: number; endNs: number; cls: string }[] {
  const raw = data.lanes[lane]!.raw;
  const out = [];
  let at = 0;
  for (let i = 0; i < raw.length; i += 5) {
    const startNs = at + raw[i]!;
    const endNs = startNs + raw[i + 1]!;
    at = endNs;
    out.push({ startNs, endNs, cls: data.classes[raw[i + 2]!]! });
  }
  return out;
}

describe('timelineData', () => {
  const data = timelineData(result.timeline!, tids, nameIndex);

  test('one lane per thread asked for, in that order, every interval kept: the lanes are exact', () => {
    assert.deepEqual(
      data.lanes.map((lane) => lane.tid),
      tids,
    );
    assert.equal(data.keptIntervals, data.totalIntervals);
    for (const [i, lane] of data.lanes.entries()) {
      assert.equal(lane.complete, true);
      const source = [...result.timeline!.lane(lane.tid)!.intervals()].map(({ startNs, endNs, cls }) => ({ startNs, endNs, cls }));
      assert.deepEqual(rawIntervals(data, i), source);
    }
  });

  test('each level adds up, per lane and state, to the time of the lane (within the 1/255 steps)', () => {
    assert.ok(data.levels.length >= 1);
    for (const level of data.levels) {
      const width = data.endNs / level.buckets;
      for (const [i, lane] of data.lanes.entries()) {
        const shares = decodeLevelLane(level.lanes[i]!, level.buckets);
        const ns = new Array<number>(LANE_STATES.length).fill(0);
        for (let b = 0; b < level.buckets; b++) for (let s = 0; s < LANE_STATES.length; s++) ns[s]! += (shares[b * LANE_STATES.length + s]! / 255) * width;
        const truth = new Array<number>(LANE_STATES.length).fill(0);
        const timelineLane = result.timeline!.lane(lane.tid)!;
        for (const interval of timelineLane.intervals()) truth[stateOfClass(interval.cls)]! += interval.endNs - interval.startNs;
        truth[0] = timelineLane.runningNs();
        // Quantization: at most half a step per bucket the lane touches, plus the one-step minimum of short states.
        const touched = Math.ceil((lane.lastNs - lane.firstNs) / width) + 2;
        for (let s = 0; s < LANE_STATES.length; s++) {
          assert.ok(Math.abs(ns[s]! - truth[s]!) <= touched * width * (1 / 255) + 1, `level ${level.buckets} lane ${lane.tid} ${LANE_STATES[s]}: ${ns[s]} vs ${truth[s]}`);
        }
      }
    }
  });

  test('the GIL wait of a lane is the thread summary’s GIL wait', () => {
    for (const thread of result.threads) {
      const lane = data.lanes.findIndex((l) => l.tid === thread.tid);
      const gil = rawIntervals(data, lane).filter((interval) => interval.cls === 'gil').reduce((sum, interval) => sum + interval.endNs - interval.startNs, 0);
      assert.equal(gil, thread.gilNs);
    }
  });

  test('GIL waits carry their holders, other intervals none; stacks are leaf first', () => {
    const lane = data.lanes[0]!;
    for (let i = 0; i < lane.raw.length; i += 5) {
      const cls = data.classes[lane.raw[i + 2]!];
      const holders = lane.raw[i + 4]!;
      if (cls !== 'gil') assert.equal(holders, -1);
      const stack = lane.raw[i + 3]!;
      if (cls === 'gil' && stack >= 0) assert.equal(names[data.stacks[stack]![0]!], 'take_gil');
    }
    const waits = data.holders.reduce((sum, list) => sum + list.length / 3, 0);
    assert.ok(waits > 0);
  });

  test('over the interval budget the longest intervals are kept and lanes are marked inexact', () => {
    const small = timelineData(result.timeline!, tids, nameIndex, { levelBytes: 4_000_000, maxIntervals: 40, topFrames: 4 });
    assert.ok(small.keptIntervals <= 40 && small.keptIntervals > 20, `${small.keptIntervals}`);
    assert.ok(small.lanes.some((lane) => !lane.complete));
    const kept = small.lanes.flatMap((_, i) => rawIntervals(small, i).map((interval) => interval.endNs - interval.startNs));
    const all = data.lanes.flatMap((_, i) => rawIntervals(data, i).map((interval) => interval.endNs - interval.startNs)).sort((a, b) => b - a);
    assert.ok(Math.min(...kept) >= all[40]!, 'nothing shorter than the 41st longest is kept');
    assert.ok(small.stacks.every((stack) => stack.length <= 4));
  });

  test('over the level budget only the coarse levels are kept; the first always is', () => {
    const tiny = timelineData(result.timeline!, tids, nameIndex, { levelBytes: 1, maxIntervals: 10, topFrames: 4 });
    assert.deepEqual(
      tiny.levels.map((level) => level.buckets),
      [2048],
    );
    const sized = timelineData(result.timeline!, tids, nameIndex, { levelBytes: 60_000, maxIntervals: 10, topFrames: 4 });
    const bytes = sized.levels.reduce((sum, level) => sum + level.lanes.reduce((s, lane) => s + Buffer.from(lane, 'base64').length, 0), 0);
    assert.ok(bytes <= 60_000, `${bytes}`);
    assert.ok(sized.levels.length > 1, 'finer levels fit');
  });
});

test('input out of time order (an event before the first timestamp) neither breaks nor slows the summary', () => {
  const early = gunzipSync(readFileSync(join(FIXTURES, 'gil-3.11-switch.txt.gz')))
    .toString('utf8')
    .replace(/\n\n/, '\n\nperf  6057 [000]   159.000001: PERF_RECORD_LOST lost 7\n\n');
  const odd = analyze(early, { holders: true, timeline: true });
  const started = performance.now();
  const summary = timelineData(odd.timeline!, odd.threads.map((thread) => thread.tid), nameIndex);
  assert.ok(performance.now() - started < 2000);
  assert.ok(summary.lanes.every((lane) => lane.complete));
  for (const [i] of summary.lanes.entries()) for (const interval of rawIntervals(summary, i)) assert.ok(interval.endNs >= interval.startNs);
});

describe('renderReport', () => {
  const html = renderReport(result, { command: 'offgil --html x.html', input: 'x <b>y</b>', notices: [{ severity: 'note', message: '<i>hi</i>' }] });
  const data = pageData(html);

  test('the waiters view per thread adds up to the folded output (ns, floored per stack there)', () => {
    const merged = viewStacks(data, 'waiters');
    assert.deepEqual(new Map([...merged].map(([stack, ns]) => [stack, Math.floor(ns / 1000)] as const).filter(([, us]) => us > 0)), result.stacks);
    for (const [id, folded] of [
      ['holders', result.holderViews!.holders],
      ['both', result.holderViews!.withHolders],
    ] as const) {
      const view = viewStacks(data, id);
      for (const [stack, us] of folded) assert.equal(Math.floor(view.get(stack)! / 1000), us, `${id}: ${stack}`);
    }
  });

  test('each thread’s part of a view is its own waits', () => {
    for (const thread of result.threads) {
      const own = viewStacks(data, 'waiters', thread.tid);
      const ns = [...own.values()].reduce((a, b) => a + b, 0);
      assert.equal(ns, Object.values(thread.classNs).reduce((a, b) => a + b, 0), `thread ${thread.tid}`);
    }
  });

  test('the page under jsdom: notices and input as text, one table row per thread, sorting by a column', () => {
    const virtualConsole = new VirtualConsole();
    const errors: string[] = [];
    virtualConsole.on('jsdomError', (error) => {
      // jsdom has no canvas: the timeline draws nothing there.
      if (!/getContext/.test(error.message)) errors.push(error.message);
    });
    const dom = new JSDOM(html, { runScripts: 'dangerously', pretendToBeVisual: true, virtualConsole });
    const { document } = dom.window;
    assert.deepEqual(errors, []);
    assert.equal(document.querySelector('.notices li.note')!.textContent, 'note <i>hi</i>');
    assert.equal(document.querySelectorAll('i, b').length, 0);
    const rows = (): string[] => [...document.querySelectorAll('#threads tbody tr')].map((row) => (row as HTMLElement).dataset.tid!);
    assert.deepEqual(rows(), result.threads.map((thread) => String(thread.tid)));
    (document.querySelector('#threads th[data-key="tid"]') as HTMLElement).click();
    assert.deepEqual(rows(), [...tids].sort((a, b) => b - a).map(String));
    assert.deepEqual(
      [...document.querySelectorAll('#views button')].map((button) => button.textContent),
      ['waiters', 'holders', 'waiters + holders'],
    );
    assert.equal(document.querySelectorAll('.tl-label').length, result.threads.length);
    dom.window.close();
  });

  test('the page opens on the view asked for', () => {
    assert.equal(pageData(renderReport(result, { view: 'both' })).initialView, 2);
    assert.equal(pageData(renderReport(result, {})).initialView, undefined);
  });
});
