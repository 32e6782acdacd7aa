/**
 * The HTML report's size budget, measured: for large recordings, the time `offgil --html` takes, the
 * page's size, and how long Chromium (Debian's, headless, on this machine) takes until the page is
 * interactive (its script has drawn the table, the timeline and the flame graph), plus the time of a
 * thread filter and a timeline zoom. Budget (docs/html.md): a 150 MB recording gives a page under
 * 15 MB that is interactive within 3 s.
 *
 * Inputs, in bench/out/ (made once, then reused):
 * - `html-fixtures-150mb.txt`: the recorded fixtures one after another, each moved to start where
 *   the previous one ended, repeated: a long recording of real stacks (DWARF stacks make each event
 *   several KB, so 150 MB hold about 30,000 intervals).
 * - `html-dense-150mb.txt`: 16 threads switching every 20–200 µs with short stacks (and hand-off
 *   wakes): some 300,000 intervals, over the page's interval budget, so the timeline is drawn from
 *   its summary levels.
 * - `html-dense-short-150mb.txt`: the same with two frames per stack: about 700,000 intervals, far
 *   over the budget (no real recording has so few frames: the worst case for the timeline).
 * OFFGIL_HTML_BENCH_INPUT adds a recording of your own; OFFGIL_HTML_BENCH_MB changes the size.
 *
 * Run alone: `npm run bench:html`; `npm run bench` runs it last.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { measure, ROOT } from './measure.js';

const FIXTURES = ['gil-3.11-switch.txt.gz', 'jit-3.13-Xperf_jit.txt.gz', 'io-3.13.txt.gz', 'numpy-3.11.txt.gz', 'pool-3.12.txt.gz', 'gil-3.8.txt.gz'];
const TIMESTAMP = /^(\S.*? )(\d+)\.(\d+):/;
const CHROMIUM = '/usr/bin/chromium';

async function writeLines(path: string, targetBytes: number, next: () => string): Promise<void> {
  const out = createWriteStream(`${path}.part`);
  let written = 0;
  while (written < targetBytes) {
    const text = next();
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const { renameSync } = await import('node:fs');
  renameSync(`${path}.part`, path);
}

/** The fixtures in sequence: each copy's timestamps moved so that it starts 10 ms after the previous ended. */
export async function fixturesInSequence(path: string, targetMb: number): Promise<void> {
  if (existsSync(path) && statSync(path).size >= targetMb * 1e6) return;
  const pieces = FIXTURES.map((name) => {
    const lines = gunzipSync(readFileSync(join(ROOT, 'fixtures', name))).toString('utf8').split('\n');
    let first = Infinity;
    let last = 0;
    let digits = 6;
    for (const line of lines) {
      const match = line.length > 0 && line.charCodeAt(0) !== 9 ? TIMESTAMP.exec(line) : null;
      if (match === null) continue;
      digits = match[3]!.length;
      const ns = Number(match[2]) * 1e9 + Number(match[3]!.padEnd(9, '0'));
      first = Math.min(first, ns);
      last = Math.max(last, ns);
    }
    return { lines, first, last, digits };
  });
  let cursor = 1000e9;
  let piece = 0;
  await writeLines(path, targetMb * 1e6, () => {
    const { lines, first, last, digits } = pieces[piece++ % pieces.length]!;
    const unit = 10 ** (9 - digits);
    let out = '';
    for (const line of lines) {
      const match = line.length > 0 && line.charCodeAt(0) !== 9 ? TIMESTAMP.exec(line) : null;
      if (match === null) {
        out += `${line}\n`;
        continue;
      }
      const ns = Number(match[2]) * 1e9 + Number(match[3]!.padEnd(9, '0')) - first + cursor;
      const fraction = String(Math.round((ns % 1e9) / unit)).padStart(digits, '0');
      out += `${match[1]}${Math.floor(ns / 1e9)}.${fraction}:${line.slice(match[0].length)}\n`;
    }
    cursor += last - first + 10e6;
    return `${out}\n`;
  });
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LIBPYTHON = '/usr/lib/libpython3.12.so.1.0';
const frame = (address: number, name: string, dso = LIBPYTHON): string => `\t${address.toString(16).padStart(16)} ${name}+0x1a (${dso})`;

/**
 * Many short intervals: 16 threads of one process that switch every 20–200 µs (GIL waits, sleeps,
 * locks, preemptions); a GIL wait ends with a hand-off wake from another thread's drop_gil, as
 * CPython's do, so holder attribution has releases to work with.
 */
export async function denseRecording(path: string, targetMb: number, short = false): Promise<void> {
  if (existsSync(path) && statSync(path).size >= targetMb * 1e6) return;
  const next = random(42);
  const threads = 16;
  const pid = 5000;
  /** Per thread: undefined while running, else the class of its off-CPU interval. */
  const off = new Array<string | undefined>(threads).fill(undefined);
  const functions = Array.from({ length: 40 }, (_, i) => `py::work_${i}:/app/jobs.py`);
  const kernel = (names: string[]): string[] => names.map((name, i) => frame(0xffffffff81000000 + i * 64, name, '[kernel.kallsyms]'));
  const handoff = short
    ? [...kernel(['futex_wake']), frame(0x7f0000001400, 'drop_gil')]
    : [
        ...kernel(['try_to_wake_up', 'wake_up_q', 'futex_wake', 'do_futex', '__x64_sys_futex', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']),
        frame(0x7f0000300000, 'pthread_cond_signal@@GLIBC_2.3.2', '/usr/lib/x86_64-linux-gnu/libc.so.6'),
        frame(0x7f0000001400, 'drop_gil'),
        frame(0x7f0000001500, '_PyEval_EvalFrameDefault'),
      ];
  let timeUs = 1_000_000_000;
  const stamp = (): string => `${Math.floor(timeUs / 1e6)}.${String(timeUs % 1e6).padStart(6, '0')}`;
  await writeLines(path, targetMb * 1e6, () => {
    let out = '';
    for (let k = 0; k < 200; k++) {
      timeUs += 20 + Math.floor(next() * 180);
      const index = Math.floor(next() * threads);
      const tid = pid + index;
      if (off[index] === undefined) {
        const roll = next();
        const [cls, state, leaf] =
          roll < 0.6 ? ['gil', 'S', ['take_gil']] : roll < 0.8 ? ['sleep', 'S', ['__select', 'time_sleep']] : roll < 0.95 ? ['lock', 'S', ['PyThread_acquire_lock_timed', 'acquire_timed']] : ['R', 'R', ['_PyEval_EvalFrameDefault']];
        const py = [functions[Math.floor(next() * 40)]!, functions[index]!];
        const frames = short
          ? [frame(0x7f0000001000, leaf[0]!), frame(0x7f0000100000, py[1]!, '/tmp/perf-5000.map')]
          : [
              ...kernel(['__schedule']),
              ...leaf.map((name, i) => frame(0x7f0000001000 + i * 64, name)),
              ...py.map((name, i) => frame(0x7f0000100000 + i * 64, name, '/tmp/perf-5000.map')),
              frame(0x7f0000200000, 'start_thread', '/usr/lib/x86_64-linux-gnu/libc.so.6'),
            ];
        out += `python3 ${pid}/${tid} [000] ${stamp()}: sched:sched_switch: prev_comm=python3 prev_pid=${tid} prev_prio=120 prev_state=${state} ==> next_comm=swapper/0 next_pid=0 next_prio=120\n${frames.join('\n')}\n\n`;
        off[index] = cls;
      } else {
        if (off[index] === 'gil') {
          const releaser = pid + ((index + 1 + Math.floor(next() * (threads - 1))) % threads);
          const py = frame(0x7f0000100800, functions[releaser - pid]!, '/tmp/perf-5000.map');
          out += `python3 ${pid}/${releaser} [001] ${stamp()}: sched:sched_waking: comm=python3 pid=${tid} prio=120 target_cpu=000\n${[...handoff, py].join('\n')}\n\n`;
        }
        out += `swapper     0/0 [000] ${stamp()}: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=python3 next_pid=${tid} next_prio=120\n`;
        off[index] = undefined;
      }
    }
    return out;
  });
}

interface PageRow {
  name: string;
  inputMb: number;
  intervals: string;
  offgilSeconds: number;
  peakRssMb: number;
  pageMb: number;
  interactiveMs: number;
  filterMs: number;
  zoomMs: number;
}

type Timed = { ready: number; filter: number; zoom: number; lanes: number; kept: number; total: number };

async function inChromium(page: string): Promise<Timed> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(pathToFileURL(page).href, { timeout: 120_000 });
    await tab.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 120_000 });
    if (errors.length > 0) throw new Error(`${page}: ${errors.join('; ')}`);
    return await tab.evaluate(async () => {
      const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      const data = JSON.parse(document.getElementById('offgil-data')!.textContent!) as { timeline?: { endNs: number; keptIntervals: number; totalIntervals: number; lanes: unknown[] } };
      const ready = Number(document.body.dataset.ready);
      let start = performance.now();
      (document.querySelector('#threads tbody tr') as HTMLElement | null)?.click();
      await frame();
      await frame();
      const filter = performance.now() - start;
      (document.querySelector('#threads tbody tr') as HTMLElement | null)?.click();
      await frame();
      const api = (window as unknown as { offgilTimeline?: { setView(a: number, b: number): void } }).offgilTimeline;
      const end = data.timeline?.endNs ?? 0;
      start = performance.now();
      api?.setView(end * 0.4, end * 0.41);
      await frame();
      await frame();
      const zoom = performance.now() - start;
      return { ready, filter, zoom, lanes: data.timeline?.lanes.length ?? 0, kept: data.timeline?.keptIntervals ?? 0, total: data.timeline?.totalIntervals ?? 0 };
    });
  } finally {
    await browser.close();
  }
}

async function benchPage(name: string, input: string, out: string): Promise<PageRow> {
  const page = join(out, `${name.replace(/\W+/g, '-')}.html`);
  rmSync(page, { force: true });
  const { seconds, peakRssMb } = measure(process.execPath, [join(ROOT, 'bin', 'offgil'), '-i', input, '--state', 'all', '--html', page]);
  // Chromium's first start is slower (disk cache): the best of three loads.
  let best: Timed | undefined;
  for (let run = 0; run < 3; run++) {
    const timed = await inChromium(page);
    if (best === undefined || timed.ready < best.ready) best = timed;
  }
  return {
    name,
    inputMb: statSync(input).size / 1e6,
    intervals: `${best!.total.toLocaleString('en-US')} (${best!.kept.toLocaleString('en-US')} kept), ${best!.lanes} lanes`,
    offgilSeconds: seconds,
    peakRssMb,
    pageMb: statSync(page).size / 1e6,
    interactiveMs: best!.ready,
    filterMs: best!.filter,
    zoomMs: best!.zoom,
  };
}

function format(rows: readonly PageRow[]): string {
  const header = ['input', 'MB', 'intervals', 'offgil --html s', 'RSS MB', 'page MB', 'interactive ms', 'filter ms', 'zoom ms'];
  const lines = rows.map((row) => [
    row.name,
    row.inputMb.toFixed(0),
    row.intervals,
    row.offgilSeconds.toFixed(1),
    row.peakRssMb.toFixed(0),
    row.pageMb.toFixed(2),
    row.interactiveMs.toFixed(0),
    row.filterMs.toFixed(0),
    row.zoomMs.toFixed(0),
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, column) => Math.max(...all.map((line) => line[column]!.length)));
  return all.map((line) => line.map((cell, column) => (column === 0 || column === 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n');
}

/** The HTML rows; the table goes to stdout. */
export async function benchHtml(out: string): Promise<PageRow[]> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`bench: ${CHROMIUM} is missing (apt-get install chromium): no HTML benchmark\n`);
    return [];
  }
  mkdirSync(out, { recursive: true });
  const mb = Number(process.env.OFFGIL_HTML_BENCH_MB ?? 150);
  const inputs: [string, string][] = [['fixture jit-3.13-Xperf_jit', join(ROOT, 'fixtures', 'jit-3.13-Xperf_jit.txt.gz')]];
  const sequence = join(out, `html-fixtures-${mb}mb.txt`);
  const dense = join(out, `html-dense-${mb}mb.txt`);
  const denseShort = join(out, `html-dense-short-${mb}mb.txt`);
  process.stderr.write(`bench: HTML inputs ${sequence}, ${dense}, ${denseShort}\n`);
  await fixturesInSequence(sequence, mb);
  await denseRecording(dense, mb);
  await denseRecording(denseShort, mb, true);
  inputs.push([`fixtures in sequence, ${mb} MB`, sequence], [`dense synthetic, ${mb} MB`, dense], [`dense, 2-frame stacks, ${mb} MB`, denseShort]);
  if (process.env.OFFGIL_HTML_BENCH_INPUT !== undefined) inputs.push(['OFFGIL_HTML_BENCH_INPUT', process.env.OFFGIL_HTML_BENCH_INPUT]);
  const rows: PageRow[] = [];
  for (const [name, input] of inputs) {
    process.stderr.write(`bench: HTML report of ${name}\n`);
    rows.push(await benchPage(name, input, out));
  }
  process.stdout.write(`HTML report (offgil --state all --html; Chromium ${CHROMIUM}, headless, 1280 px; best of 3 loads):\n\n${format(rows)}\n`);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchHtml(join(ROOT, 'bench', 'out'));
