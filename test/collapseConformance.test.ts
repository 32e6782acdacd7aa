/**
 * conformance/README.md §1: every expected file of the stackcollapse-perf corpus (`results/` for the
 * FlameGraph inputs, `inferno/perl-results/` for inferno's), byte for byte. The list comes from the
 * directory listings, so a file nobody maps to an input and options fails instead of being skipped.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { StackCollapser, type CollapseOptions } from '../src/collapse/stackCollapser.js';
import { CONFORMANCE } from './helpers/paths.js';

const CORPUS = join(CONFORMANCE, 'stackcollapse-perf');
const INFERNO = join(CORPUS, 'inferno');
const OPTIONS = ['default', 'pid', 'tid', 'kernel', 'jit', 'all', 'addrs'] as const;
const EXPECTED_NAME = /^(.+)-collapsed-(default|pid|tid|kernel|jit|all|addrs|event-filter-(.+))\.txt$/;

interface Case {
  expected: string;
  input: string;
  options: CollapseOptions;
}

function optionsOf(option: string, eventFilter: string | undefined): CollapseOptions {
  if (eventFilter !== undefined) return { eventFilter };
  return option === 'default' ? {} : { [option]: true };
}

/** Input of an expected file: next to its directory's inputs, or (for inferno) in the FlameGraph inputs. */
function inputFor(stem: string, inputDirs: readonly string[]): string | undefined {
  for (const dir of inputDirs) {
    for (const name of [`${stem}.txt`, `${stem}.txt.gz`]) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

function casesOf(expectedDir: string, inputDirs: readonly string[], problems: string[]): Case[] {
  const cases: Case[] = [];
  for (const name of readdirSync(expectedDir).sort()) {
    const match = EXPECTED_NAME.exec(name);
    const input = match === null ? undefined : inputFor(match[1]!, inputDirs);
    if (match === null || input === undefined) {
      problems.push(`${expectedDir}/${name}: no input or options for it`);
      continue;
    }
    cases.push({ expected: join(expectedDir, name), input, options: optionsOf(match[2]!, match[3]) });
  }
  return cases;
}

function readInput(path: string): Buffer {
  const data = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(data) : data;
}

function collapseFile(path: string, options: CollapseOptions): Buffer {
  const collapser = new StackCollapser(options);
  collapser.push(readInput(path));
  collapser.endInput();
  return collapser.folded();
}

test('every expected file of the stackcollapse-perf corpus is reproduced byte for byte', () => {
  const problems: string[] = [];
  const cases = [
    ...casesOf(join(CORPUS, 'results'), [CORPUS], problems),
    ...casesOf(join(INFERNO, 'perl-results'), [INFERNO, CORPUS], problems),
  ];
  // Every input of README §1 has its seven option runs (the big gzip example only the default).
  for (const [dir, expectedDir] of [
    [CORPUS, 'results'],
    [INFERNO, 'perl-results'],
  ] as const) {
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.txt') || file.endsWith('.txt.gz'))) {
      const stem = name.replace(/\.txt(\.gz)?$/, '');
      const options = name.endsWith('.gz') ? ['default'] : OPTIONS;
      for (const option of options) {
        if (!existsSync(join(dir, expectedDir, `${stem}-collapsed-${option}.txt`))) problems.push(`${name}: no expected file for ${option}`);
      }
    }
  }
  for (const { expected, input, options } of cases) {
    const got = collapseFile(input, options);
    if (!got.equals(readFileSync(expected))) problems.push(`${expected}: output differs (${got.length} bytes)`);
  }
  assert.deepEqual(problems, []);
  // 14 inputs × 7 + 3 event-filter runs; 10 inferno inputs × 7 + the gzip example.
  assert.equal(cases.length, 101 + 71);
});
