/**
 * Property tests (fast-check) over generated `perf script` text (test/helpers/perfGen.ts): the
 * invariants every number offgil prints rests on, checked on thousands of small scenarios and their
 * mutations instead of a few hand-written ones. docs/reliability.md lists them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { OffGilAnalyzer, analyze, type AnalysisResult, type AnalyzeOptions } from '../src/analyze.js';
import type { AttributedWait } from '../src/holders/attribution.js';
import { PerfInputError } from '../src/perf/scriptParser.js';
import { diffFolded, formatDiff, parseFolded } from '../src/render/differential.js';
import { renderFlameGraph } from '../src/render/flamegraph/index.js';
import { chunksAt, foldedStackArb, perfText, scenarioArb, type Scenario } from './helpers/perfGen.js';

/** Runs per property; OFFGIL_PROPERTY_RUNS raises it for a longer search. */
const RUNS = Number(process.env.OFFGIL_PROPERTY_RUNS ?? 200);
const params = { numRuns: RUNS };

/** Analyzes the chunks; an input error (nothing readable) gives undefined. */
function run(chunks: readonly Buffer[], options: AnalyzeOptions): AnalysisResult | undefined {
  const analyzer = new OffGilAnalyzer(options);
  try {
    for (const chunk of chunks) analyzer.push(chunk);
    return analyzer.finish();
  } catch (error) {
    if (error instanceof PerfInputError) return undefined;
    throw error;
  }
}

function runText(text: string, options: AnalyzeOptions): AnalysisResult | undefined {
  return run([Buffer.from(text)], options);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** What a result says, as plain data (holder stretches reference release objects). */
function observable(result: AnalysisResult | undefined): unknown {
  if (result === undefined) return undefined;
  return {
    stacks: [...result.stacks],
    withHolders: result.holderViews && [...result.holderViews.withHolders],
    holders: result.holderViews && [...result.holderViews.holders],
    threads: result.threads,
    findings: result.findings,
    warnings: result.warnings,
    stats: result.stats,
  };
}

/** A scenario with a line-level mutation: a line deleted, duplicated or a step back in time. */
const mutatedText = fc
  .tuple(scenarioArb(), fc.array(fc.tuple(fc.constantFrom('delete', 'duplicate', 'swap'), fc.nat()), { maxLength: 4 }))
  .map(([scenario, mutations]) => {
    const lines = perfText(scenario).split('\n');
    for (const [kind, at] of mutations) {
      const i = at % lines.length;
      if (kind === 'delete') lines.splice(i, 1);
      else if (kind === 'duplicate') lines.splice(i, 0, lines[i]!);
      else if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    }
    return lines.join('\n');
  });

const anyText = fc.oneof({ weight: 3, arbitrary: scenarioArb().map(perfText) }, { weight: 1, arbitrary: mutatedText });

describe('parser and analyzer properties', () => {
  test('the result does not depend on how the input is cut into chunks', () => {
    fc.assert(
      fc.property(anyText, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (text, cuts) => {
        const bytes = Buffer.from(text);
        const options: AnalyzeOptions = { holders: true, states: ['all'], rootFrame: 'tid' };
        const whole = run([bytes], options);
        const cut = run(chunksAt(bytes, cuts), options);
        const bytewise = run([...bytes].map((byte) => Buffer.from([byte])), options);
        assert.deepEqual(observable(cut), observable(whole));
        assert.deepEqual(observable(bytewise), observable(whole));
        // The line API (analyze) reads the same text the same way.
        if (whole !== undefined && text.endsWith('\n')) assert.deepEqual(observable(analyze(text.slice(0, -1), options)), observable(whole));
      }),
      { numRuns: Math.max(20, RUNS / 4) },
    );
  });

  test('folded totals are the sum of the shown intervals, floored once per stack', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom<AnalyzeOptions['states']>(['gil'], ['all'], ['S', 'gil-drop'], ['lock', 'R', 'R+']), fc.constantFrom('none', 'tid', 'pid', 'comm' as const), (text, states, rootFrame) => {
        const result = runText(text, { states, rootFrame: rootFrame as AnalyzeOptions['rootFrame'], timeline: true, holders: true });
        if (result === undefined) return;
        const timeline = result.timeline!;
        const ns = new Map<string, number>();
        for (const lane of timeline.threads()) {
          for (const interval of lane.intervals()) {
            assert.ok(interval.endNs >= interval.startNs, 'no interval ends before it starts');
            if (!interval.shown) continue;
            const stack = timeline.stacks[interval.stack]!.join(';');
            ns.set(stack, (ns.get(stack) ?? 0) + interval.endNs - interval.startNs);
          }
        }
        const expected = [...ns].map(([stack, total]) => [stack, Math.floor(total / 1000)] as const).filter(([, us]) => us > 0);
        assert.deepEqual(new Map(expected), new Map(result.stacks));
        assert.equal(result.totalUs, sum(result.stacks.values()));
        for (const thread of result.threads) {
          for (const [key, value] of Object.entries(thread)) if (typeof value === 'number') assert.ok(value >= 0 && Number.isFinite(value), `${key} = ${value}`);
        }
      }),
      params,
    );
  });

  test('--state all shows at least as much as any subset of classes, and the classes add up', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const all = runText(text, { states: ['all'] });
        if (all === undefined) return;
        const gil = runText(text, { states: ['gil'] })!;
        const some = runText(text, { states: ['gil', 'S', 'R+'] })!;
        assert.ok(all.totalUs >= some.totalUs && some.totalUs >= gil.totalUs, `${all.totalUs} ≥ ${some.totalUs} ≥ ${gil.totalUs}`);
        assert.equal(sum(Object.values(all.stats.classNs)), sum(Object.values(gil.stats.classNs)));
      }),
      params,
    );
  });

  test('stripping at take_gil never changes the nanoseconds, only where the stacks end', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom<AnalyzeOptions['states']>(['gil'], ['all'], ['gil-drop']), (text, states) => {
        const stripped = runText(text, { states, byThread: true });
        if (stripped === undefined) return;
        const kept = runText(text, { states, byThread: true, stripTakeGil: false })!;
        const ns = (result: AnalysisResult): number => sum([...result.threadViews!.values()].map((views) => sum(views.stacks.values())));
        assert.equal(ns(stripped), ns(kept));
        // Stripping merges stacks, so the floored totals can only grow, by less than 1 µs per unstripped line.
        assert.ok(stripped.totalUs >= kept.totalUs && stripped.totalUs - kept.totalUs < Math.max(1, kept.stacks.size + 1));
        assert.ok(stripped.stacks.size <= kept.stacks.size);
      }),
      params,
    );
  });

  test('the holder views add up to the plain view within 1 µs per line, and stretches cover each wait exactly', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom<AnalyzeOptions['states']>(['gil'], ['all']), fc.constantFrom('none', 'tid' as const), (text, states, rootFrame) => {
        const waits: AttributedWait[] = [];
        const result = runText(text, { states, rootFrame, holders: true, onWait: (wait) => waits.push(wait) });
        if (result === undefined) return;
        const views = result.holderViews!;
        const lines = result.stacks.size + views.withHolders.size + views.holders.size;
        for (const view of [views.withHolders, views.holders]) {
          assert.ok(Math.abs(sum(view.values()) - result.totalUs) <= lines, `${sum(view.values())} vs ${result.totalUs} (${lines} lines)`);
        }
        for (const wait of waits) {
          const { interval, stretches } = wait;
          // An empty wait (switch-out and switch-in at the same time) has no stretch.
          if (stretches.length === 0) {
            assert.equal(interval.endNs, interval.startNs);
            continue;
          }
          assert.equal(stretches[0]!.startNs, interval.startNs);
          assert.equal(stretches.at(-1)!.endNs, interval.endNs);
          for (let i = 0; i < stretches.length; i++) {
            assert.ok(stretches[i]!.endNs >= stretches[i]!.startNs);
            if (i > 0) assert.equal(stretches[i]!.startNs, stretches[i - 1]!.endNs);
          }
        }
      }),
      params,
    );
  });

  test('--min-us and --max-us split the intervals without loss', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 20_000 }), (text, limit) => {
        const all = runText(text, { states: ['all'], byThread: true });
        if (all === undefined) return;
        const ns = (result: AnalysisResult): number => sum([...result.threadViews!.values()].map((views) => sum(views.stacks.values())));
        const low = runText(text, { states: ['all'], byThread: true, maxUs: limit })!;
        const high = runText(text, { states: ['all'], byThread: true, minUs: limit + 0.001 })!;
        assert.equal(ns(low) + ns(high), ns(all));
      }),
      params,
    );
  });
});

/** A folded line for the flamegraph reader: valid, with an absurd count, or garbage. */
type FoldedCase = { line: string; count: number | undefined };
const foldedLineArb: fc.Arbitrary<FoldedCase> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(foldedStackArb, fc.integer({ min: 0, max: 1_000_000 })).map(([stack, count]) => ({ line: `${stack} ${count}`, count })) },
  { weight: 1, arbitrary: fc.tuple(foldedStackArb, fc.integer({ min: 17, max: 400 })).map(([stack, digits]) => ({ line: `${stack} ${'9'.repeat(digits)}`, count: undefined })) },
  { weight: 1, arbitrary: fc.tuple(foldedStackArb, fc.constantFrom('1e5', '-3', 'NaN', 'Infinity', '0x10', '')).map(([stack, count]) => ({ line: `${stack} ${count}`.trimEnd(), count: undefined })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).filter((text) => !/\d$/.test(text) && !text.includes('\n')).map((line) => ({ line, count: undefined })) },
);

/** The SVG without its script (whose code may say `Infinity`). */
function markup(svg: string): string {
  return svg.replace(/<script[\s\S]*?<\/script>/g, '');
}

/** Every numeric attribute of the SVG (x, y, width, height, font sizes, viewBox) that is not a finite number. */
function badNumbers(svg: string): string[] {
  return [...markup(svg).matchAll(/\b(x|y|width|height|font-size|viewBox)="([^"]*)"/g)].filter(([, , value]) => /NaN|Infinity|e\+|^-?$/.test(value!) || value!.split(/\s+/).some((part) => !Number.isFinite(Number(part)))).map(([whole]) => whole);
}

describe('flamegraph reader properties', () => {
  test('rendering never writes NaN or Infinity, and the root is the sum of the valid counts', () => {
    fc.assert(
      fc.property(fc.array(foldedLineArb, { maxLength: 40 }), fc.boolean(), fc.boolean(), (cases, inverted, reverse) => {
        const result = renderFlameGraph(
          cases.map((c) => c.line),
          { inverted, reverse, countName: 'us' },
        );
        assert.deepEqual(badNumbers(result.svg), []);
        assert.doesNotMatch(markup(result.svg), /NaN|Infinity/);
        const total = sum(cases.map((c) => c.count ?? 0));
        if (total === 0) {
          assert.equal(result.exitCode, 2);
          return;
        }
        const root = /<title>all \(([\d,]+) us, 100%\)<\/title>/.exec(result.svg);
        assert.ok(root !== null, 'the root frame has a tooltip');
        assert.equal(Number(root[1]!.replaceAll(',', '')), total);
      }),
      params,
    );
  });

  test('differential lines never write NaN or Infinity', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(foldedStackArb, fc.nat(1_000_000), fc.nat(1_000_000)), { maxLength: 30 }), fc.boolean(), (lines, negate) => {
        const result = renderFlameGraph(
          lines.map(([stack, before, after]) => `${stack} ${before} ${after}`),
          { negate },
        );
        assert.deepEqual(badNumbers(result.svg), []);
        assert.doesNotMatch(markup(result.svg), /NaN|Infinity/);
      }),
      params,
    );
  });
});

describe('offgil diff properties', () => {
  const foldedMap = fc.array(fc.tuple(foldedStackArb.filter((stack) => stack !== ''), fc.integer({ min: 1, max: 1_000_000 })), { maxLength: 30 }).map((entries) => {
    const map = new Map<string, number>();
    for (const [stack, count] of entries) map.set(stack, (map.get(stack) ?? 0) + count);
    return map;
  });

  test('the differential form keeps both totals, lists every stack of either side once, and reads back', () => {
    fc.assert(
      fc.property(foldedMap, foldedMap, (before, after) => {
        const lines = diffFolded(before, after, false);
        assert.equal(sum([...lines.stacks.values()].map(([old]) => old)), sum(before.values()));
        assert.equal(sum([...lines.stacks.values()].map(([, now]) => now)), sum(after.values()));
        assert.equal(lines.stacks.size, new Set([...before.keys(), ...after.keys()]).size);
        // `STACK BEFORE AFTER` read as folded gives back AFTER's column (the last number is the count).
        const back = parseFolded(formatDiff(lines));
        assert.equal(back.ignored, 0);
        assert.equal(sum(back.stacks.values()), sum(after.values()));
      }),
      params,
    );
  });

  test('-n scales BEFORE to AFTER\'s total, losing less than 1 per line to truncation', () => {
    fc.assert(
      fc.property(foldedMap, foldedMap, (before, after) => {
        const lines = diffFolded(before, after, true);
        const scaled = sum([...lines.stacks.values()].map(([old]) => old));
        if (!lines.normalized) {
          assert.equal(scaled, sum(before.values()));
          return;
        }
        assert.ok(scaled <= lines.afterTotal && scaled > lines.afterTotal - lines.stacks.size - 1, `${scaled} vs ${lines.afterTotal}`);
      }),
      params,
    );
  });

  test('the diff of a recording with itself has equal columns', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario: Scenario) => {
        const result = runText(perfText(scenario), { holders: true, states: ['all'] });
        if (result === undefined) return;
        for (const view of [result.stacks, result.holderViews!.withHolders]) {
          for (const [before, after] of diffFolded(view, view, true).stacks.values()) assert.equal(before, after);
        }
      }),
      { numRuns: Math.max(20, RUNS / 4) },
    );
  });
});
