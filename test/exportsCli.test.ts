/**
 * The exports from the command line, checked by their real consumers: `go tool pprof` for --pprof,
 * FlameGraph's stackcollapse.pl for --format dtrace (perl), Chrome DevTools' trace engine and the
 * Trace Event Format rules for --trace. The browser checks are in exportsBrowser.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runOffgil } from './helpers/cli.js';
import { assertTraceEventFormat, decodePprof, replayEvented, stackcollapseFrames, type SpeedscopeFile, type TraceFile } from './helpers/exports.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { frame, GIL_WAIT_STACK, inTimeOrder, LIBPYTHON, offCpu, otherEvent, wake } from './helpers/perfText.js';
import { requireOrSkip } from './helpers/system.js';

const STACKCOLLAPSE = join(ROOT, '..', 'shared', 'anchors', 'FlameGraph', 'stackcollapse.pl');
const FIXTURE = join(FIXTURES, 'gil-3.11-switch-pid.txt.gz');
/** GIL wait per thread of that recording, µs (as test/fixtures.test.ts). */
const GIL_US: Record<number, number> = { 6057: 34198, 6059: 131590, 6060: 148681, 6061: 85778, 6062: 60337 };

const dir = mkdtempSync(join(tmpdir(), 'offgil-exports-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function perlMissing(): string | undefined {
  if (!existsSync(STACKCOLLAPSE)) return `${STACKCOLLAPSE} not found`;
  return spawnSync('perl', ['-v']).status === 0 ? undefined : 'perl not installed';
}

function goMissing(): string | undefined {
  return spawnSync('go', ['version']).status === 0 ? undefined : 'go is not installed (apt-get install golang-go)';
}

/** `go tool pprof` with a private HOME (it writes ~/pprof) and no symbolization (it would fetch). */
function pprof(args: readonly string[]): string {
  return execFileSync('go', ['tool', 'pprof', '-symbolize=none', ...args], { encoding: 'utf8', env: { ...process.env, HOME: dir, PPROF_TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `Showing nodes accounting for 148.68ms, …` → µs. */
function shownUs(top: string): number {
  const match = /Showing nodes accounting for ([\d.]+)(ms|s|us|µs), /.exec(top);
  assert.ok(match, top);
  return Number(match[1]) * { s: 1e6, ms: 1e3, us: 1, µs: 1 }[match[2] as 's' | 'ms' | 'us' | 'µs'];
}

function foldedTotal(text: string): number {
  return text
    .trim()
    .split('\n')
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** What stackcollapse.pl makes of folded lines: its documented rewrites of each frame, re-aggregated and sorted. */
function rewritten(folded: string): string {
  const stacks = new Map<string, number>();
  for (const line of folded.trim().split('\n')) {
    const space = line.lastIndexOf(' ');
    const stack = line
      .slice(0, space)
      .split(';')
      .flatMap((name) => stackcollapseFrames(name))
      .join(';');
    stacks.set(stack, (stacks.get(stack) ?? 0) + Number(line.slice(space + 1)));
  }
  return [...stacks]
    .sort((a, b) => (Buffer.from(a[0]) < Buffer.from(b[0]) ? -1 : 1))
    .map(([stack, us]) => `${stack} ${us}\n`)
    .join('');
}

describe('offgil --trace / --speedscope / --pprof', () => {
  test('write the files, say so, and print no folded stacks (as with --svg)', () => {
    const [trace, speedscope, profile] = ['t.json', 's.json', 'p.pb.gz'].map((name) => join(dir, name));
    const run = runOffgil(['-i', FIXTURE, '--trace', trace!, '--speedscope', speedscope!, '--pprof', profile!]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /wrote the Chrome trace \(5 threads, 150 off-CPU, \d+ running and \d+ counter events, [\d.]+ KB\) to /);
    assert.match(run.stderr, /wrote the speedscope profile \([\d.]+ KB\) to /);
    assert.match(run.stderr, /wrote the pprof profile \([\d.]+ KB\) to /);
    const traceFile = JSON.parse(readFileSync(trace!, 'utf8')) as TraceFile;
    assertTraceEventFormat(traceFile);
    assert.match(String(traceFile.otherData.command), /--trace/);
    const speedscopeFile = JSON.parse(readFileSync(speedscope!, 'utf8')) as SpeedscopeFile;
    const totals = speedscopeFile.profiles.map((_, index) => Math.round(replayEvented(speedscopeFile, index).totalUs));
    assert.deepEqual(totals, [34198, 131590, 148681, 85778, 60337]);
    assert.equal(decodePprof(readFileSync(profile!)).samples.length > 0, true);
  });

  test('with -o, the folded stacks still go to the file', () => {
    const out = join(dir, 'o.folded');
    const run = runOffgil(['-i', FIXTURE, '--pprof', join(dir, 'p2.pb.gz'), '-o', out]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(foldedTotal(readFileSync(out, 'utf8')), 460584);
  });

  test('--trace-min-us drops short events and says how many; without --trace it is an error', () => {
    const trace = join(dir, 'min.json');
    const run = runOffgil(['-i', FIXTURE, '--state', 'all', '--trace', trace, '--trace-min-us', '100']);
    assert.equal(run.status, 0, run.stderr);
    const file = JSON.parse(readFileSync(trace, 'utf8')) as TraceFile;
    const dropped = Number(file.otherData.droppedIntervals) + Number(file.otherData.droppedRunning);
    assert.ok(dropped > 0);
    assert.match(run.stderr, new RegExp(`, ${dropped} shorter than 100 µs left out`));
    assert.ok(file.traceEvents.filter((event) => event.ph === 'X').every((event) => event.dur! >= 100));
    const bad = runOffgil(['-i', FIXTURE, '--trace-min-us', '100']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'offgil: --trace-min-us needs --trace FILE\n');
  });

  test('the trace is written in place of an existing file only when complete, and its size per input MB is small', () => {
    const trace = join(dir, 'size.json');
    writeFileSync(trace, 'old');
    const run = runOffgil(['-i', FIXTURE, '--state', 'all', '--trace', trace]);
    assert.equal(run.status, 0, run.stderr);
    const inputMb = execFileSync('gzip', ['-dc', FIXTURE]).length / 1e6;
    const perMb = statSync(trace).size / 1e6 / inputMb;
    // docs/trace.md quotes 0.05–0.16 MB of trace per MB of perf script text for the fixtures.
    assert.ok(perMb < 0.25, `${perMb.toFixed(2)} MB per input MB`);
  });
});

interface DevtoolsThread {
  name: string;
  entries: { name: string; ts: number; dur: number; args: Record<string, unknown> }[];
}

/** Chrome DevTools' trace engine (the Performance panel's parser, as Lighthouse runs it in Node). */
async function devtoolsParse(traceEvents: unknown[]): Promise<Map<number, Map<number, DevtoolsThread>>> {
  const specifier = '@paulirish/trace_engine/analyze-trace.mjs';
  const engine = (await import(specifier)) as { analyzeEvents(events: unknown[]): Promise<{ parsedTrace: { data: { Renderer: { processes: Map<number, { threads: Map<number, DevtoolsThread> }> } } } }> };
  const { parsedTrace } = await engine.analyzeEvents(traceEvents);
  return new Map([...parsedTrace.data.Renderer.processes].map(([pid, process]) => [pid, process.threads]));
}

describe('Chrome DevTools’ trace engine reads --trace', () => {
  test('one process, five named threads, every X event as an entry, Σ GIL wait per thread exact', async () => {
    const trace = join(dir, 'devtools.json');
    assert.equal(runOffgil(['-i', FIXTURE, '--state', 'all', '--trace', trace]).status, 0);
    const file = JSON.parse(readFileSync(trace, 'utf8')) as TraceFile;
    const processes = await devtoolsParse(file.traceEvents);
    assert.deepEqual([...processes.keys()], [6057]);
    const threads = processes.get(6057)!;
    assert.deepEqual([...threads.keys()].sort(), [6057, 6059, 6060, 6061, 6062]);
    for (const [tid, thread] of threads) {
      assert.equal(thread.name, 'python3.11');
      const events = file.traceEvents.filter((event) => event.ph === 'X' && event.tid === tid);
      assert.equal(thread.entries.length, events.length, `thread ${tid}`);
      const gilUs = thread.entries.filter((entry) => entry.name === 'GIL wait').reduce((sum, entry) => sum + entry.dur, 0);
      assert.ok(Math.abs(gilUs - GIL_US[tid]!) < 1, `thread ${tid}: ${gilUs} µs`);
      const wait = thread.entries.find((entry) => entry.name === 'GIL wait')!;
      assert.ok(Array.isArray(wait.args.stack) && Array.isArray(wait.args.holders), 'args survive');
    }
  });
});

describe('go tool pprof reads --pprof', () => {
  const profile = join(dir, 'go.pb.gz');
  const holders = join(dir, 'go-holders.pb.gz');

  test('-top and -raw: the shown total, the sample types as written, -tagfocus by thread, class and holder', (t) => {
    if (!requireOrSkip(t, goMissing())) return;
    assert.equal(runOffgil(['-i', FIXTURE, '--pprof', profile]).status, 0);
    const top = pprof(['-top', profile]);
    assert.match(top, /^Type: off_cpu$/m);
    assert.ok(Math.abs(shownUs(top) - 460584) <= 4605, top);
    const raw = pprof(['-raw', profile]);
    assert.match(raw, /^intervals\/count off_cpu\/nanoseconds\[dflt\]$/m);
    assert.match(raw, /^PeriodType: off_cpu nanoseconds$/m);
    for (const label of ['class:[gil]', 'holder:[6059]', 'holder:[handoff]', 'pid:[6057]', 'thread_id:[6060]', 'thread_name:[python3.11]']) assert.ok(raw.includes(label), label);
    for (const [tid, us] of Object.entries(GIL_US)) {
      const focused = shownUs(pprof(['-top', '-tagfocus', `thread_id=${tid}`, profile]));
      assert.ok(Math.abs(focused - us) <= us / 100, `thread ${tid}: ${focused} µs, expected ${us}`);
    }
    assert.equal(shownUs(pprof(['-top', '-tagfocus', 'class=^gil$', profile])), shownUs(top));
    // Split by holder, the waits add up to the whole.
    const tags = pprof(['-tags', profile]);
    const holderSection = tags.slice(tags.indexOf('holder:'), tags.indexOf('pid:'));
    const holderMs = [...holderSection.matchAll(/([\d.]+)ms \(/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    assert.ok(Math.abs(holderMs * 1000 - 460584) <= 4605, holderSection);
  });

  test('--with-holders: the holder frames above the waiter’s, the same total', (t) => {
    if (!requireOrSkip(t, goMissing())) return;
    assert.equal(runOffgil(['-i', FIXTURE, '--with-holders', '--pprof', holders, '-o', join(dir, 'wh.folded')]).status, 0);
    const top = pprof(['-top', holders]);
    assert.ok(Math.abs(shownUs(top) - 460584) <= 4605, top);
    assert.match(top, / drop_gil$/m);
    assert.match(top, / --$/m);
    // -traces lists each stack leaf first: the holder's frames (its root on top), the separator, then take_gil.
    const traces = pprof(['-traces', holders]);
    assert.match(traces, /^\s+drop_gil\n\s+--\n\s+take_gil$/m);
  });
});

describe('--format dtrace through FlameGraph’s stackcollapse.pl', () => {
  test('real recordings: the same stacks and totals as the folded output', (t) => {
    if (!requireOrSkip(t, perlMissing())) return;
    for (const [fixture, args] of [
      ['gil-3.11-switch-pid.txt.gz', []],
      ['gil-3.11-switch-pid.txt.gz', ['--state', 'all', '--tid']],
      ['gil-3.11-switch-pid.txt.gz', ['--with-holders']],
      ['trampoline-3.12-Xperf.txt.gz', ['--state', 'all']],
    ] as const) {
      const input = join(FIXTURES, fixture);
      const folded = runOffgil(['-i', input, ...args]).stdout;
      const dtrace = runOffgil(['-i', input, ...args, '--format', 'dtrace']);
      assert.equal(dtrace.status, 0, dtrace.stderr);
      assert.match(dtrace.stdout, /^offgil: folded stacks in DTrace's form/);
      const collapsed = execFileSync('perl', [STACKCOLLAPSE], { input: dtrace.stdout, encoding: 'utf8' });
      assert.equal(collapsed, folded, `${fixture} ${args.join(' ')}`);
      assert.equal(foldedTotal(collapsed), foldedTotal(folded));
    }
  });

  test('names stackcollapse.pl rewrites change as documented (C++ arguments, a leading L, +, ->, digits)', (t) => {
    if (!requireOrSkip(t, perlMissing())) return;
    const collapse = (names: readonly string[]): { folded: string; collapsed: string } => {
      const text = inTimeOrder(
        otherEvent('1.000000', 1),
        ...names.map((name, i) =>
          offCpu(2, `1.00${i}100`, `1.00${i}900`, { stack: [...GIL_WAIT_STACK.slice(0, 11), frame(name, LIBPYTHON), ...GIL_WAIT_STACK.slice(11)] }),
        ),
        wake({ time: '1.000800', waker: 1, target: 2 }),
      );
      const input = join(dir, 'names.txt');
      writeFileSync(input, text);
      const folded = runOffgil(['-i', input]).stdout;
      return { folded, collapsed: execFileSync('perl', [STACKCOLLAPSE], { input: runOffgil(['-i', input, '--format', 'dtrace']).stdout, encoding: 'utf8' }) };
    };
    const { folded, collapsed } = collapse(['Lock.acquire (threading.py)', 'std::vector<int>::push_back(int)', 'ns::f<T>', 'operator+', 'a->b']);
    assert.equal(collapsed, rewritten(folded));
    assert.equal(foldedTotal(collapsed), foldedTotal(folded));
    assert.match(folded, /;Lock\.acquire \(threading\.py\);/);
    assert.match(collapsed, /;ock\.acquire \(threading\.py\);/);
    assert.match(folded, /;std::vector<int>::push_back\(int\);/);
    assert.match(collapsed, /;std::vector<int>::push_back;/);
    assert.match(collapsed, /;ns::f;/);
    assert.match(collapsed, /;operator;/);
    assert.match(collapsed, /;a;b_\[i\];/);
    // A frame that is all digits reads as a count: its stack splits in two.
    const digits = collapse(['123']);
    assert.equal(digits.folded, 'clone3;start_thread;thread_run;123;take_gil 800\n');
    assert.equal(digits.collapsed, 'clone3;start_thread;thread_run 800\ntake_gil 123\n');
  });
});
