/**
 * Random folded inputs and option sets rendered by `renderFlameGraph` and by flamegraph.pl itself
 * (the team's anchor copy next to the repository), compared as whole documents apart from the script
 * and the frame order. Skipped where that copy or perl is missing: the reference SVGs of
 * flamegraphConformance.test.ts are the contract; this hunts for the corners they do not reach.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderFlameGraph, type FlameGraphOptions } from '../src/render/flamegraph/index.js';
import { ROOT } from './helpers/paths.js';

const FLAMEGRAPH_PL = join(ROOT, '..', 'shared', 'anchors', 'FlameGraph', 'flamegraph.pl');
const CASES = 300;

function missing(): string | undefined {
  if (!existsSync(FLAMEGRAPH_PL)) return `${FLAMEGRAPH_PL} not found`;
  return spawnSync('perl', ['-v']).status === 0 ? undefined : 'perl not installed';
}

/** Frame names chosen to hit the rules: separators, annotations, sort quirks, escaping, Unicode. */
const NAMES = ['a', 'b', 'main', 'main.cold', 'x y', '-', '--', '', 'f_[k]', 'g_[j]', 'h_[i]', 'w_[w]', 'é', '😀', '<&>"q"', 'java/lang/X:::y', 'ns::fn', 'libc.so.6`malloc', 'Ｑ', 'a:b', 'p.pl', 'q/r.js', ' '];
const PALETTES = ['chain', 'hot', 'mem', 'io', 'wakeup', 'java', 'js', 'perl', 'red', 'green', 'blue', 'aqua', 'yellow', 'purple', 'orange'];

function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

interface Case {
  lines: string[];
  args: string[];
  options: Partial<FlameGraphOptions>;
}

function randomCase(random: () => number): Case {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const count = () => (random() < 0.1 ? String(Math.floor(random() * 100) / 4) : String(Math.floor(random() * (random() < 0.3 ? 3 : 2000))));
  const differential = random() < 0.2;
  const lines: string[] = [];
  for (let i = 1 + Math.floor(random() * 25); i > 0; i--) {
    let stack = Array.from({ length: Math.floor(random() * 6) }, () => pick(NAMES)).join(';');
    if (random() < 0.1) stack += pick([';', ';;', ';--;', ';--']);
    let line = differential && random() < 0.9 ? `${stack} ${count()} ${count()}` : `${stack} ${count()}`;
    if (random() < 0.05) line = 'garbage line';
    if (random() < 0.03) line = `${stack}\t ${count()}`;
    lines.push(line);
  }
  const args: string[] = [];
  const options: Partial<FlameGraphOptions> = {};
  const flag = (probability: number, name: string, set: () => void) => {
    if (random() < probability) {
      args.push(name);
      set();
    }
  };
  const value = <T extends string>(probability: number, name: string, values: readonly T[], set: (value: T) => void) => {
    if (random() < probability) {
      const chosen = pick(values);
      args.push(name, chosen);
      set(chosen);
    }
  };
  flag(0.2, '--reverse', () => (options.reverse = true));
  flag(0.2, '--flamechart', () => (options.flamechart = true));
  flag(0.2, '--inverted', () => (options.inverted = true));
  flag(0.2, '--negate', () => (options.negate = true));
  value(0.3, '--width', ['300', '800', '1337'], (v) => (options.width = Number(v)));
  value(0.3, '--minwidth', ['0', '0.5', '2', '1%', '0.3%'], (v) => (options.minWidth = v));
  flag(0.3, '--hash', () => (options.hash = true));
  value(0.5, '--colors', PALETTES, (v) => (options.colors = v));
  value(0.2, '--factor', ['0.5', '3', '1000'], (v) => (options.factor = Number(v)));
  value(0.2, '--total', ['100', '5000', '3'], (v) => (options.total = Number(v)));
  value(0.2, '--fontsize', ['10.5', '8', '13'], (v) => (options.fontSize = Number(v)));
  value(0.2, '--fontwidth', ['0.5', '0.33'], (v) => (options.fontWidth = Number(v)));
  value(0.2, '--height', ['10', '17'], (v) => (options.frameHeight = Number(v)));
  value(0.2, '--subtitle', ['sub'], (v) => (options.subtitle = v));
  value(0.2, '--countname', ['us'], (v) => (options.countName = v));
  return { lines, args, options };
}

/** The document without the script, frames sorted (flamegraph.pl writes them in hash order). */
function comparable(svg: string): string[] {
  const script = svg.indexOf('<![CDATA[');
  const body = script < 0 ? svg : svg.slice(0, script) + svg.slice(svg.indexOf(']]>'));
  return body.replace(/\n<\/g>\n<\/svg>\n$/, '').split('\n<g >').sort();
}

test(`${CASES} random inputs and options render as flamegraph.pl renders them`, (t) => {
  const why = missing();
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'offgil-fg-diff-'));
  const input = join(dir, 'input.folded');
  const random = prng(20241021);
  const failures: string[] = [];
  try {
    for (let i = 0; i < CASES; i++) {
      const { lines, args, options } = randomCase(random);
      writeFileSync(input, `${lines.join('\n')}\n`);
      let expected: string;
      try {
        expected = execFileSync('perl', [FLAMEGRAPH_PL, ...args, input], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, PERL_HASH_SEED: '0' } }).toString('utf8');
      } catch (error) {
        expected = (error as { stdout: Buffer }).stdout.toString('utf8');
      }
      const ours = renderFlameGraph(lines, options).svg;
      if (comparable(ours).join('\n') !== comparable(expected).join('\n')) failures.push(`flamegraph ${args.join(' ')} <<\n${lines.join('\n')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(failures, []);
});
