/** `offgil` as a user runs it: inputs, outputs, errors, exit codes. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { bufferArgs, perfRecordArgs } from '../src/cli/record.js';
import { runBin, runOffgil } from './helpers/cli.js';
import { pageData, viewStacks } from './helpers/page.js';
import { FIXTURES, OFFGIL_BIN, ROOT } from './helpers/paths.js';
import { GIL_WAIT_FOLDED, GIL_WAIT_STACK, sched_switch, SLEEP_FOLDED, SLEEP_STACK } from './helpers/perfText.js';

const switchIn = (time: string, tid: number): string =>
  sched_switch({ time, prevComm: 'swapper/0', prevPid: 0, header: 'swapper     0', state: 'R', nextPid: tid });

/** Thread 10 waits 250 µs for the GIL, thread 11 sleeps 1000 µs. */
const SMALL =
  sched_switch({ time: '5.000000', prevPid: 10, nextPid: 0, stack: GIL_WAIT_STACK }) +
  switchIn('5.000250', 10) +
  sched_switch({ time: '5.000300', prevPid: 11, nextPid: 0, stack: SLEEP_STACK }) +
  switchIn('5.001300', 11);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'offgil-cli-'));
}

function assertOneLineError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.equal(stderr.trimEnd().split('\n').length, 1, `one line expected, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('inputs', () => {
  test('perf script text on stdin → folded stacks on stdout, counts in µs', () => {
    const result = runOffgil([], { input: SMALL });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${GIL_WAIT_FOLDED} 250\n`);
    assert.equal(runOffgil(['--state', 'all'], { input: SMALL }).stdout, `${GIL_WAIT_FOLDED} 250\n${SLEEP_FOLDED} 1000\n`);
  });

  test('-i FILE, plain and gzip', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), SMALL);
    writeFileSync(join(dir, 'in.txt.gz'), gzipSync(SMALL));
    for (const name of ['in.txt', 'in.txt.gz']) {
      const result = runOffgil(['-i', join(dir, name), '--tid'], { stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, `python3-10/10;${GIL_WAIT_FOLDED} 250\n`, name);
    }
  });

  test('gzip on stdin', () => {
    assert.equal(runOffgil([], { input: gzipSync(SMALL) }).stdout, `${GIL_WAIT_FOLDED} 250\n`);
  });

  test('no input given: ./perf-sched.data, else ./perf.data, else how to record', () => {
    const dir = tempDir();
    const none = runOffgil([], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^offgil: no input: .*\n {2}perf record -e sched:sched_switch .*--call-graph dwarf/);
    writeFileSync(join(dir, 'perf.data'), SMALL);
    assert.equal(runOffgil([], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).stdout, `${GIL_WAIT_FOLDED} 250\n`);
    writeFileSync(join(dir, 'perf-sched.data'), SMALL.replaceAll('5.000250', '5.000400'));
    assert.equal(runOffgil([], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).stdout, `${GIL_WAIT_FOLDED} 400\n`, 'perf-sched.data first');
  });

  test('a binary perf.data without perf installed: says what to do', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'perf.data'), Buffer.concat([Buffer.from('PERFILE2'), Buffer.alloc(100)]));
    const result = runOffgil(['-i', join(dir, 'perf.data')], { env: { PATH: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(result.status, 2);
    assertOneLineError(result.stderr, /perf\.data is a binary perf\.data file and reading it needs the perf tool, which is not installed/);
  });
});

describe('bad input: one line naming file and line, exit 2, no output file', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['nothing but garbage', 'this is not perf output\nneither is this\n', /bad\.txt:1: not a perf script header \(no "SECS\.FRAC:" timestamp\): "this is not perf output"/],
    ['binary junk', Buffer.concat([Buffer.from(SMALL), Buffer.from([0, 1, 2, 0xff, 10])]), /bad\.txt:28: binary data, not perf script text/],
    ['truncated last line', SMALL.slice(0, -40), /bad\.txt:27: input ends in the middle of a line/],
    ['empty input', '', /bad\.txt:0: empty input: no perf script events/],
    ['comments only', '# captured on: today\n#\n', /bad\.txt:2: no perf script events in the input/],
  ];
  for (const [name, content, pattern] of cases) {
    test(name, () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'bad.txt'), content);
      const out = join(dir, 'out.folded');
      const result = runOffgil(['-i', join(dir, 'bad.txt'), '-o', out]);
      assert.equal(result.status, 2, result.stderr);
      assertOneLineError(result.stderr, pattern);
      assert.equal(result.stdout, '');
      assert.deepEqual(readdirSync(dir), ['bad.txt'], 'no output or temporary file left');
    });
  }

  test('a missing file', () => {
    const result = runOffgil(['-i', '/nonexistent/perf.txt']);
    assert.equal(result.status, 2);
    assertOneLineError(result.stderr, /^offgil: \/nonexistent\/perf\.txt: no such file\n$/);
  });

  test('--partial still writes what was aggregated before the error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cut.txt'), `${SMALL}python3    10 [000]     6.0000`);
    const out = join(dir, 'out.folded');
    const result = runOffgil(['-i', join(dir, 'cut.txt'), '-o', out, '--partial', '--state', 'all']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /cut\.txt:28: input ends in the middle of a line/);
    assert.equal(readFileSync(out, 'utf8'), `${GIL_WAIT_FOLDED} 250\n${SLEEP_FOLDED} 1000\n`);
  });

  test('unknown option: usage error, exit 2', () => {
    const result = runOffgil(['--no-such-option'], { input: SMALL });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown option '--no-such-option'/);
  });
});

describe('outputs', () => {
  test('-o FILE writes the folded stacks and a one-line note', () => {
    const dir = tempDir();
    const out = join(dir, 'stacks.folded');
    const result = runOffgil(['-o', out], { input: SMALL });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(out, 'utf8'), `${GIL_WAIT_FOLDED} 250\n`);
    assert.match(result.stderr, /wrote 1 stacks, 250 µs, to .*stacks\.folded/);
  });

  test('--html FILE: a self-contained page with the stacks; no folded output unless -o', () => {
    const dir = tempDir();
    const page = join(dir, 'offgil.html');
    const result = runOffgil(['--html', page, '--title', 'GIL <waits> & more'], { input: SMALL });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    const html = readFileSync(page, 'utf8');
    assert.match(html, /<title>GIL &lt;waits&gt; &amp; more<\/title>/);
    assert.deepEqual(viewStacks(pageData(html), 'waiters'), new Map([[GIL_WAIT_FOLDED, 250_000]]), 'the waiters view, in ns');
    assert.deepEqual(pageData(html).views.map((view) => view.id), ['waiters', 'holders', 'both']);
    assert.equal(pageData(html).timeline!.lanes.length, pageData(html).threads!.length, 'one lane per thread of the table');
    assert.doesNotMatch(html, /<script[^>]+src=/);
    const both = runOffgil(['--html', page, '-o', join(dir, 'out.folded')], { input: SMALL });
    assert.equal(both.status, 0, both.stderr);
    assert.equal(readFileSync(join(dir, 'out.folded'), 'utf8'), `${GIL_WAIT_FOLDED} 250\n`);
  });

  test('--svg FILE: flamegraph.pl-compatible SVG with off-GIL defaults; options pass through', () => {
    const dir = tempDir();
    const svg = join(dir, 'offgil.svg');
    const result = runOffgil(['--svg', svg, '--width', '800', '--title', 'waits <&> "here"', '--tid'], { input: SMALL });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /<svg version="1\.1" width="800" height="\d+"/);
    assert.match(text, /<text id="title" [^>]*>waits &lt;&amp;&gt; "here"<\/text>/);
    assert.match(text, /<title>take_gil \(250 us, 100\.00%\)<\/title>/);
    assert.match(text, /<title>python3-10\/10 \(250 us, 100\.00%\)<\/title>/);
    const bad = runOffgil(['--svg', svg, '--minwidth', 'wide'], { input: SMALL });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /minwidth/);
  });

  test('-v: per-thread table and rule counts on stderr; stdout stays folded only', () => {
    const result = runOffgil(['-v'], { input: SMALL });
    assert.equal(result.stdout, `${GIL_WAIT_FOLDED} 250\n`);
    assert.match(result.stderr, /thread\s+pid\s+tid\s+observed\s+running\s+GIL wait\s+GIL drop\s+lock\s+sleep/);
    // Times in ms: thread 10 waited 250 µs for the GIL, thread 11 slept 1,000 µs.
    assert.match(result.stderr, /\npython3\s+10\s+10\s+0\.3\s+0\.0\s+0\.3\s+0\.0\s+0\.0\s+0\.0\s+0\.0\s+0\.0\s+0\.0\s+1\s+0\.3/);
    assert.match(result.stderr, /\npython3\s+11\s+11\s+1\.0\s+0\.0\s+0\.0\s+0\.0\s+0\.0\s+1\.0\s+0\.0/);
    assert.match(result.stderr, /2 intervals closed by rule: wakeup 0, switch-in 2, own event 0; 0 open at the end \(dropped\); 1 in the output/);
  });

  test('offgil | head -1 exits quietly (no EPIPE noise)', () => {
    // 3,000 threads with a root frame each: far more output than a pipe buffer holds.
    const many = Array.from({ length: 3000 }, (_, i) =>
      sched_switch({ time: `7.${String(i * 10).padStart(6, '0')}`, prevPid: 100 + i, nextPid: 0, stack: GIL_WAIT_STACK }) + switchIn(`7.${String(i * 10 + 5).padStart(6, '0')}`, 100 + i),
    ).join('');
    const dir = tempDir();
    writeFileSync(join(dir, 'many.txt'), many);
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${OFFGIL_BIN}" -i many.txt --tid | head -1`], { cwd: dir, encoding: 'utf8' });
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `python3-100/100;${GIL_WAIT_FOLDED} 5\n`);
    assert.equal(result.stderr, '');
    assert.ok(!existsSync(join(dir, 'core')));
  });
});

describe('output targets and write errors', () => {
  test('a full disk (> /dev/full): one line, exit 2, for offgil, collapse and flamegraph', () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const [bin, args, input] of [
        ['offgil', [], SMALL],
        ['offgil', ['collapse'], 'perf 1 [000] 1.0: cycles:\n\tffff f (x)\n\n'],
        ['flamegraph', [], 'a;b 1\n'],
        ['offgil', ['--help'], ''],
      ] as const) {
        const result = runBin(bin, args, { input, stdio: ['pipe', full, 'pipe'] });
        assert.equal(result.status, 2, `${bin} ${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, new RegExp(`(^|\\n)${bin}: stdout: cannot write \\(ENOSPC\\)\\n$`));
        assert.doesNotMatch(result.stderr, /\bat \S+ \(|node:internal/, 'no stack trace');
      }
    } finally {
      closeSync(full);
    }
  });

  test('-o through a symlink writes its target; a FIFO and a device are written in place; a file keeps its mode', () => {
    const dir = tempDir();
    const target = join(dir, 'target.folded');
    symlinkSync(target, join(dir, 'link.folded'));
    assert.equal(runOffgil(['-o', join(dir, 'link.folded')], { input: SMALL }).status, 0);
    assert.ok(lstatSync(join(dir, 'link.folded')).isSymbolicLink(), 'the link stays a link');
    assert.equal(readFileSync(target, 'utf8'), `${GIL_WAIT_FOLDED} 250\n`);
    chmodSync(target, 0o600);
    assert.equal(runOffgil(['-o', target], { input: SMALL }).status, 0);
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.equal(runOffgil(['-o', '/dev/null', '--svg', '/dev/null'], { input: SMALL }).status, 0);
    assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawnSync('sh', ['-c', `cat '${fifo}' & "${process.execPath}" "${OFFGIL_BIN}" -o '${fifo}'; wait`], { input: SMALL, encoding: 'utf8' });
    assert.equal(reader.status, 0, reader.stderr);
    assert.equal(reader.stdout, `${GIL_WAIT_FOLDED} 250\n`);
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO stays a FIFO');
    assert.deepEqual(readdirSync(dir).sort(), ['fifo', 'link.folded', 'target.folded'], 'no temporary files left');
  });
});

describe('per4m spellings, --version, --state checks, terminal-safe messages', () => {
  test("per4m's options work: --input-perf, --strip-take-gil, --no-keep-cpython-evals, -q, --state 'S(GIL)'", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), SMALL);
    const result = runOffgil(['--input-perf', join(dir, 'in.txt'), '--strip-take-gil', '--no-keep-cpython-evals', '-q', '--state', 'S(GIL)'], { stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${GIL_WAIT_FOLDED} 250\n`);
    assert.equal(result.stderr, '');
  });

  test('--version prints the package version', () => {
    const result = runOffgil(['--version']);
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  test('--state with a class no interval has: a warning that lists the classes there are', () => {
    const result = runOffgil(['--state', 'bogus,gil'], { input: SMALL });
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `${GIL_WAIT_FOLDED} 250\n`);
    assert.match(result.stderr, /^offgil: warning: --state bogus: no interval has this class; the classes in this input are S 1\.0 ms, gil 0\.3 ms/m);
  });

  test('control characters of the input (C0, DEL, C1 such as the CSI U+009B) are escaped in messages', () => {
    const result = runOffgil([], { input: Buffer.from([...Buffer.from('bad'), 0x9b, ...Buffer.from('31m'), 0x07, 0x7f, 0x0a]) });
    assert.equal(result.status, 2);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    assert.match(result.stderr, /bad\\u009b31m\\u0007\\x7f/);
  });
});

describe('what the input cannot show is in every output', () => {
  test('lines that are not perf script text (perf warnings mixed in with 2>&1) are skipped with one warning; the output is the same', () => {
    const mixed = `WARNING: perf lost something\n${SMALL}this is not perf output\n`;
    const result = runOffgil(['--tid'], { input: mixed });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, runOffgil(['--tid'], { input: SMALL }).stdout);
    assert.match(result.stderr, /^offgil: warning: 2 line\(s\) that are not perf script text were skipped \(first at line 1: not a perf script header \(no "SECS\.FRAC:" timestamp\): "WARNING: perf lost something"\)/m);
  });

  test('a line longer than 16 MiB: one line naming it, exit 2, in linear time (offgil, collapse, flamegraph)', () => {
    const dir = tempDir();
    const path = join(dir, 'long.txt');
    writeFileSync(path, `${SMALL}\t1 ${'x'.repeat(40 << 20)}`);
    for (const [bin, args] of [
      ['offgil', ['-i', path]],
      ['offgil', ['collapse', path]],
      ['flamegraph', [path]],
    ] as const) {
      const started = Date.now();
      const result = runBin(bin, args);
      assert.equal(result.status, 2, `${bin} ${args.join(' ')}`);
      assert.match(result.stderr, new RegExp(`(^|\\n)${bin}: ${path.replaceAll('.', '\\.')}:\\d+: line longer than 16 MiB: not perf script text\\n$`));
      assert.ok(Date.now() - started < 15_000, 'no quadratic time');
    }
  });

  test('lost events: a warning naming the buffer option, the SVG subtitle, the JSON summary', () => {
    const dir = tempDir();
    const input = join(FIXTURES, 'lost-3.11-switch.txt.gz');
    const result = runOffgil(['-i', input, '--svg', join(dir, 'g.svg'), '--summary-json', join(dir, 's.json')]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /^offgil: warning: perf lost records 43 time\(s\) \(53 events\): intervals around the gaps are wrong; record with a bigger buffer \(perf record -m 2048\)/m);
    assert.match(readFileSync(join(dir, 'g.svg'), 'utf8'), /<text id="subtitle" [^>]*>warning: perf lost events 43 times \(details: offgil's stderr\)<\/text>/);
    const json = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    assert.deepEqual(json.warnings.map((w: { code: string; count: number }) => [w.code, w.count]), [['lost-records', 43]]);
  });

  test('offgil record chooses a ring buffer as root unless the user gave one; its hint names --perf-option', () => {
    assert.deepEqual(bufferArgs([], true, 2), ['-m', '2048']);
    assert.deepEqual(bufferArgs([], true, 64), ['-m', '512']);
    assert.deepEqual(bufferArgs(['-m512'], true, 2), []);
    assert.deepEqual(bufferArgs(['--mmap-pages=64'], true, 2), []);
    assert.deepEqual(bufferArgs([], false, 2), []);
    assert.deepEqual(perfRecordArgs('d', ['-m', '2048'], { pid: 42, durationSeconds: 3 }).slice(-9), ['-m', '2048', '-o', 'd', '-p', '42', '--', 'sleep', '3']);
  });
});
