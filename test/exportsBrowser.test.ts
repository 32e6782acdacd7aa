/**
 * The exports in their real consumer: the speedscope web app (the npm package `speedscope` ships it
 * built), served with the files from 127.0.0.1 and opened in Debian's chromium. It must import the
 * `--speedscope` file and the `--trace` file (speedscope reads Chrome Trace Event JSON too) without an
 * error, list every thread, and show their durations as time. And `go tool pprof -http`'s web UI on
 * the `--pprof` file.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium } from './helpers/browser.js';
import { runOffgil } from './helpers/cli.js';
import type { TraceFile } from './helpers/exports.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { chromiumUnavailable, requireOrSkip } from './helpers/system.js';

const APP = join(ROOT, 'node_modules', 'speedscope', 'dist', 'release');
const FIXTURE = join(FIXTURES, 'gil-3.11-switch-pid.txt.gz');
/** GIL wait per thread of that recording, µs (as test/fixtures.test.ts). */
const GIL_US: Record<number, number> = { 6057: 34198, 6059: 131590, 6060: 148681, 6061: 85778, 6062: 60337 };
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png' };

const dir = mkdtempSync(join(tmpdir(), 'offgil-speedscope-'));
const files = new Map<string, string>();
let server: Server | undefined;
let browser: Browser | undefined;
let base = '';

/** The app's files and the exported ones, from 127.0.0.1 only. */
function serve(): Promise<void> {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files.get(path) ?? join(APP, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () => {
      base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

before(async () => {
  if (chromiumUnavailable() !== undefined) return;
  await serve();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Exports `args` from the fixture to a served file. */
function exported(name: string, args: readonly string[]): string {
  const path = join(dir, name);
  const run = runOffgil(['-i', FIXTURE, ...args, path]);
  assert.equal(run.status, 0, run.stderr);
  files.set(`/${name}`, path);
  return path;
}

interface Opened {
  page: Page;
  logs: string[];
  problems: string[];
}

/** Opens speedscope on a served profile and waits for its import to finish. */
async function open(name: string): Promise<Opened> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 700 } });
  const logs: string[] = [];
  const problems: string[] = [];
  page.on('console', (message) => {
    logs.push(message.text());
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${base}/index.html#profileURL=${encodeURIComponent(`${base}/${name}`)}`);
  await page.waitForFunction(() => document.body.innerText.includes('Sandwich') && /\(\d+\/\d+\)/.test(document.body.innerText), undefined, { timeout: 8000 });
  await page.waitForTimeout(300);
  return { page, logs, problems };
}

/** `148.68ms` → 148680 (µs). */
function microseconds(text: string): number {
  const match = /^([\d.]+)(ns|µs|us|ms|s)$/.exec(text.trim());
  assert.ok(match, `a time: ${text}`);
  return Number(match[1]) * { ns: 1e-3, µs: 1, us: 1, ms: 1e3, s: 1e6 }[match[2] as 'ns' | 'µs' | 'us' | 'ms' | 's'];
}

/** The profile picker (click on the title): each profile's name and Total Weight (the time its stack is not empty). */
async function profileList(page: Page): Promise<[string, string][]> {
  await page.click('text=/\\(\\d+\\/\\d+\\)/');
  await page.waitForFunction(() => document.body.innerText.includes('Total Weight'));
  const text = await page.evaluate(() => document.body.innerText);
  await page.keyboard.press('Escape');
  const rows: [string, string][] = [];
  for (const line of text.split('\n')) {
    const match = /^\d+\t(.+)\t(\S+)$/.exec(line);
    if (match) rows.push([match[1]!, match[2]!]);
  }
  return rows;
}

describe('speedscope opens the exports', () => {
  test('--speedscope: five thread profiles, each with its GIL wait as time, on one time axis', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable())) return;
    exported('gil.speedscope.json', ['--speedscope']);
    const { page, logs, problems } = await open('gil.speedscope.json');
    assert.deepEqual(problems, []);
    assert.ok(logs.includes('Importing as speedscope json file'), logs.join('\n'));
    const body = await page.evaluate(() => document.body.innerText);
    // The thread that waited longest opens first; the time axis is labelled in ms.
    assert.match(body, /python3\.11-6057\/6060 \(3\/5\)/);
    await page.screenshot({ path: artifactPath('speedscope-time-order.png') });
    const rows = await profileList(page);
    assert.deepEqual(
      rows.map(([name]) => name),
      ['python3.11-6057/6057', 'python3.11-6057/6059', 'python3.11-6057/6060', 'python3.11-6057/6061', 'python3.11-6057/6062'],
    );
    for (const [name, weight] of rows) {
      assert.match(weight, /^[\d.]+ms$/, 'a time, not a bare count');
      const expected = GIL_US[Number(name.split('/')[1])]!;
      assert.ok(Math.abs(microseconds(weight) - expected) <= expected / 100, `${name}: ${weight}, expected ${expected} µs`);
    }
    await page.click('text=Sandwich');
    await page.waitForFunction(() => document.body.innerText.includes('Symbol Name'));
    const sandwich = await page.evaluate(() => document.body.innerText);
    assert.match(sandwich, /148\.68ms \(100%\)\s+148\.68ms \(100%\)\s+take_gil/);
    await page.screenshot({ path: artifactPath('speedscope-sandwich.png') });
    await page.close();
  });

  test('--speedscope --with-holders: the holders above the waiters, totals unchanged', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable())) return;
    exported('holders.speedscope.json', ['--with-holders', '--speedscope']);
    const { page, problems } = await open('holders.speedscope.json');
    assert.deepEqual(problems, []);
    const rows = await profileList(page);
    for (const [name, weight] of rows) {
      const expected = GIL_US[Number(name.split('/')[1])]!;
      assert.ok(Math.abs(microseconds(weight) - expected) <= expected / 100, `${name}: ${weight}`);
    }
    await page.click('text=Sandwich');
    await page.waitForFunction(() => document.body.innerText.includes('Symbol Name'));
    const sandwich = await page.evaluate(() => document.body.innerText);
    assert.match(sandwich, /\t--\n/);
    assert.match(sandwich, /\tdrop_gil\n/);
    await page.click('text=Time Order');
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('speedscope-with-holders.png') });
    await page.close();
  });

  test('--trace: speedscope’s Trace Event importer reads it, one profile per thread with the time of its events', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable())) return;
    const path = exported('gil.trace.json', ['--state', 'all', '--trace']);
    const { page, logs, problems } = await open('gil.trace.json');
    assert.deepEqual(problems, []);
    assert.ok(logs.includes('Importing as Trace Event Format profile'), logs.join('\n'));
    const file = JSON.parse(readFileSync(path, 'utf8')) as TraceFile;
    const rows = await profileList(page);
    assert.equal(rows.length, 5);
    for (const [name, weight] of rows) {
      const tid = Number(/tid (\d+)/.exec(name)![1]);
      assert.match(name, new RegExp(`^python3\\.11 \\(pid 6057\\), python3\\.11 \\(tid ${tid}\\)$`));
      // The profile's weight is the time covered by its X events: the GIL waits and the running stretches.
      const events = file.traceEvents.filter((event) => event.ph === 'X' && event.tid === tid);
      const us = events.reduce((sum, event) => sum + event.dur!, 0);
      const gilUs = events.filter((event) => event.name === 'GIL wait').reduce((sum, event) => sum + event.dur!, 0);
      assert.ok(Math.abs(gilUs - GIL_US[tid]!) <= 1, `${name}: GIL wait ${gilUs} µs`);
      assert.ok(Math.abs(microseconds(weight) - us) <= us / 100, `${name}: ${weight}, events ${us} µs`);
    }
    // Thread 6060's track: GIL waits, GIL drops and running stretches, at their real times.
    await page.click('text=/\\(\\d+\\/\\d+\\)/');
    await page.click('text=python3.11 (pid 6057), python3.11 (tid 6060)');
    await page.waitForFunction(() => document.body.innerText.includes('(tid 6060) (3/5)'));
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('speedscope-trace.png') });
    await page.close();
  });
});

describe('go tool pprof -http shows --pprof', () => {
  test('its top table and flame graph: every thread’s GIL wait under its root frame', async (t) => {
    if (!requireOrSkip(t, chromiumUnavailable()) || !requireOrSkip(t, goMissing())) return;
    const profile = join(dir, 'gil.pb.gz');
    assert.equal(runOffgil(['-i', FIXTURE, '--tid', '--pprof', profile]).status, 0);
    const port = await freePort();
    const child = spawn('go', ['tool', 'pprof', '-symbolize=none', '-no_browser', `-http=127.0.0.1:${port}`, profile], { env: { ...process.env, HOME: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let said = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          said += chunk.toString();
          if (said.includes('Serving web UI')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`go tool pprof exited (${code}): ${said}`)));
      });
      const page = await browser!.newPage({ viewport: { width: 1200, height: 330 } });
      await page.goto(`http://127.0.0.1:${port}/ui/top`);
      const top = await page.evaluate(() => document.body.innerText);
      assert.match(top, /460\.58ms\s+100\.00%\s+100\.00%\s+460\.58ms\s+100\.00%\s+take_gil/);
      for (const [tid, us] of Object.entries(GIL_US)) {
        assert.match(top, new RegExp(`${(us / 1000).toFixed(2)}ms\\s+[\\d.]+%\\s+python3\\.11-6057/${tid}`), `thread ${tid}`);
      }
      await page.goto(`http://127.0.0.1:${port}/ui/flamegraph`);
      await page.waitForFunction(() => document.body.innerText.includes('take_gil'));
      await page.screenshot({ path: artifactPath('pprof-flamegraph.png') });
      await page.close();
    } finally {
      child.kill();
    }
  });
});

function goMissing(): string | undefined {
  return spawnSync('go', ['version']).status === 0 ? undefined : 'go is not installed (apt-get install golang-go)';
}

/** A port nobody listens on now, for go tool pprof -http. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
