/** `stackcollapse-perf` and `offgil collapse` as a user runs them (the launchers import dist/). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CONFORMANCE, OFFGIL_BIN, ROOT } from './helpers/paths.js';

const STACKCOLLAPSE_BIN = join(ROOT, 'bin', 'stackcollapse-perf');
const CORPUS = join(CONFORMANCE, 'stackcollapse-perf');
const RESULTS = join(CORPUS, 'results');
const SYNTHETIC = join(CORPUS, 'perf-synthetic-edge-cases.txt');
const EXAMPLE_GZ = join(CORPUS, 'inferno', 'example-perf-stacks.txt.gz');
const EXAMPLE_EXPECTED = join(CORPUS, 'inferno', 'perl-results', 'example-perf-stacks-collapsed-default.txt');

const scratch = mkdtempSync(join(tmpdir(), 'offgil-collapse-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(bin: string, args: readonly string[], input?: Buffer): Run {
  const result = spawnSync(process.execPath, [bin, ...args], { input, maxBuffer: 64 << 20 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
}

const stackcollapse = (args: readonly string[], input?: Buffer): Run => run(STACKCOLLAPSE_BIN, args, input);
const offgilCollapse = (args: readonly string[], input?: Buffer): Run => run(OFFGIL_BIN, ['collapse', ...args], input);

function expected(name: string): Buffer {
  return readFileSync(join(RESULTS, name));
}

function scratchFile(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('options and spellings', () => {
  const java = join(CORPUS, 'perf-java-stacks-01.txt');
  const cyclesInstructions = join(CORPUS, 'perf-cycles-instructions-01.txt');

  test('the Perl spellings select the same options', () => {
    for (const args of [['--pid'], ['-pid'], ['--PID'], ['--pi']]) {
      const result = stackcollapse([...args, java]);
      assert.equal(result.status, 0, args.join(' '));
      assert.deepEqual(result.stdout, expected('perf-java-stacks-01-collapsed-pid.txt'), args.join(' '));
    }
    for (const args of [['--event-filter=cycles'], ['--event-filter', 'cycles'], ['--event=cycles'], ['-event-filter', 'cycles']]) {
      assert.deepEqual(stackcollapse([...args, cyclesInstructions]).stdout, expected('perf-cycles-instructions-01-collapsed-event-filter-cycles.txt'), args.join(' '));
    }
    assert.deepEqual(stackcollapse([java, '--tid', '--all']).stdout, stackcollapse(['--all', '--tid', java]).stdout);
  });

  test('offgil collapse takes the same options (after the subcommand, where offgil has its own --pid)', () => {
    assert.deepEqual(offgilCollapse(['--pid', java]).stdout, expected('perf-java-stacks-01-collapsed-pid.txt'));
    assert.deepEqual(offgilCollapse(['--event-filter', 'instructions', cyclesInstructions]).stdout, expected('perf-cycles-instructions-01-collapsed-event-filter-instructions.txt'));
    assert.deepEqual(offgilCollapse(['--kernel', SYNTHETIC]).stdout, expected('perf-synthetic-edge-cases-collapsed-kernel.txt'));
  });

  test('stderr: the event-filter note once, unrecognized lines with their place; exit 0', () => {
    const result = stackcollapse([SYNTHETIC]);
    assert.equal(result.status, 0);
    assert.equal(
      result.stderr,
      'Filtering for events of type: instructions\n' +
        `Unrecognized line:     at ${SYNTHETIC} line 83.\n` +
        `Unrecognized line: \tthis line is not a frame at ${SYNTHETIC} line 85.\n`,
    );
  });

  test('options Perl has but offgil does not implement, and unknown options, are refused', () => {
    for (const option of ['--inline', '--context', '--srcline']) {
      const result = stackcollapse([option, SYNTHETIC]);
      assert.equal(result.status, 2, option);
      assert.match(result.stderr, new RegExp(`^stackcollapse-perf: ${option} is not supported`));
      assert.equal(result.stdout.length, 0);
    }
    const unknown = stackcollapse(['--bogus', SYNTHETIC]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option '--bogus'/);
    assert.equal(stackcollapse(['--a', SYNTHETIC]).status, 2, 'ambiguous: --all or --addrs');
  });
});

describe('inputs', () => {
  test('stdin, plain or gzip, with no file or "-"', () => {
    const text = readFileSync(SYNTHETIC);
    assert.deepEqual(stackcollapse([], text).stdout, expected('perf-synthetic-edge-cases-collapsed-default.txt'));
    assert.deepEqual(stackcollapse(['--tid', '-'], text).stdout, expected('perf-synthetic-edge-cases-collapsed-tid.txt'));
    assert.deepEqual(offgilCollapse([], readFileSync(EXAMPLE_GZ)).stdout, readFileSync(EXAMPLE_EXPECTED));
  });

  test('a .gz file', () => {
    const result = stackcollapse([EXAMPLE_GZ]);
    assert.equal(result.status, 0);
    assert.deepEqual(result.stdout, readFileSync(EXAMPLE_EXPECTED));
  });

  test('several files are read one after the other as one stream', () => {
    const text = readFileSync(SYNTHETIC, 'latin1');
    const cut = text.indexOf('\n\n', text.length >> 1) + 2;
    const first = scratchFile('first.txt', text.slice(0, cut));
    const second = scratchFile('second.txt.gz', gzipSync(Buffer.from(text.slice(cut), 'latin1')));
    assert.deepEqual(stackcollapse([first, second]).stdout, expected('perf-synthetic-edge-cases-collapsed-default.txt'));
  });

  test('-o FILE gets the output, written whole', () => {
    const output = join(scratch, 'out', 'folded.txt');
    rmSync(join(scratch, 'out'), { recursive: true, force: true });
    assert.equal(stackcollapse(['-o', output, SYNTHETIC]).status, 2, 'missing directory');
    const direct = join(scratch, 'folded.txt');
    const result = stackcollapse(['--all', '-o', direct, SYNTHETIC]);
    assert.equal(result.status, 0);
    assert.equal(result.stdout.length, 0);
    assert.deepEqual(readFileSync(direct), expected('perf-synthetic-edge-cases-collapsed-all.txt'));
    assert.deepEqual(
      readdirSync(scratch).filter((name) => name.includes('.offgil-')),
      [],
    );
  });
});

describe('bad input', () => {
  const good = readFileSync(SYNTHETIC, 'latin1');
  const lines = good.split('\n');
  // Line 30 is the first line of a record; the records before it end at line 29.
  const withNul = scratchFile('nul.txt', Buffer.from([...lines.slice(0, 29), 'bin\0ary', ...lines.slice(29)].join('\n'), 'latin1'));

  test('binary data: one line FILE:LINE: …, exit 2, no output and no output file', () => {
    const output = join(scratch, 'never.txt');
    const result = stackcollapse(['-o', output, withNul]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `stackcollapse-perf: ${withNul}:30: binary data (a NUL byte), not perf script text\n`);
    assert.equal(result.stdout.length, 0);
    assert.equal(existsSync(output), false);
    assert.equal(offgilCollapse([withNul]).status, 2);
  });

  test('--partial still writes the records completed before the error (exit status 2)', () => {
    const result = stackcollapse(['--partial', withNul]);
    assert.equal(result.status, 2);
    const partial = result.stdout.toString();
    assert.match(partial, /^V8_WorkerThread;RegExp/);
    assert.match(partial, /^myapp;__libc_start_main;main;compute 500000$/m);
    assert.doesNotMatch(partial, /java/, 'the java record starts after the NUL line');
    const output = join(scratch, 'partial.txt');
    assert.equal(stackcollapse(['--partial', '-o', output, withNul]).status, 2);
    assert.deepEqual(readFileSync(output), result.stdout);
  });

  test('a gzip file that fails to inflate: FILE:LINE: corrupt gzip data', () => {
    const whole = readFileSync(EXAMPLE_GZ);
    const truncated = scratchFile('truncated.txt.gz', whole.subarray(0, whole.length >> 1));
    const result = stackcollapse([truncated]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, new RegExp(`^stackcollapse-perf: ${truncated}:\\d+: corrupt gzip data \\(unexpected end of file\\)\\n$`));
    assert.equal(result.stdout.length, 0);
  });

  test('a missing file is an error (Perl would warn and go on)', () => {
    const result = stackcollapse([join(scratch, 'nope.txt')]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `stackcollapse-perf: ${join(scratch, 'nope.txt')}: no such file\n`);
  });

  test('a missing final newline or blank line is not an error: the last record is dropped, as Perl does', () => {
    const cut = scratchFile('cut.txt', Buffer.from(good.slice(0, good.lastIndexOf('\n')), 'latin1'));
    const result = stackcollapse([cut]);
    assert.equal(result.status, 0);
    assert.deepEqual(result.stdout, expected('perf-synthetic-edge-cases-collapsed-default.txt'));
  });
});

test('piping into head: no EPIPE noise', () => {
  const result = spawnSync('sh', ['-c', `"${process.execPath}" "${STACKCOLLAPSE_BIN}" "${EXAMPLE_GZ}" | head -1`]);
  assert.equal(result.status, 0);
  assert.equal(result.stderr.toString(), '');
  assert.equal(result.stdout.toString(), readFileSync(EXAMPLE_EXPECTED, 'latin1').split('\n')[0] + '\n');
});
