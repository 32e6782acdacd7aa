/**
 * `flamegraph` against flamegraph.pl on the same large folded file: 50,000 lines (~10 MB), stacks
 * 5–40 frames deep that share prefixes as real profiles do. The input is generated from a fixed seed,
 * so every run and machine measures the same bytes.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { ANCHORS, fastestInRounds, ROOT, sizeMb, type BenchRow, type Contender } from './measure.js';

const FLAMEGRAPH_BIN = join(ROOT, 'bin', 'flamegraph');
const FLAMEGRAPH_PL = join(ANCHORS, 'flamegraph.pl');

export const BENCH_LINES = 50_000;
const SEED = 0x0ff611;

/** mulberry32: small, fast and good enough to pick names and counts. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = ['', '', '', '', '', '', '', '', '_', '__', 'do_', 'Py', '_Py', 'py::', 'sys_'];
const WORDS = [
  'read', 'write', 'poll', 'wait', 'lock', 'unlock', 'alloc', 'free', 'send', 'recv', 'open', 'close', 'map', 'call',
  'eval', 'frame', 'object', 'dict', 'list', 'hash', 'parse', 'encode', 'decode', 'loop', 'run', 'main', 'task',
  'queue', 'cond', 'mutex', 'futex', 'sched', 'page', 'fault', 'copy', 'init', 'load', 'store', 'flush', 'sync',
];
const SUFFIXES = ['', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '_slow', '_fast', '.isra.0', ' (a.py)', '_[k]'];

/** About 300 distinct names such as `do_futex`, `_Pyframe_eval`, `py::parse (a.py)`. */
function vocabulary(random: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const names = new Set<string>();
  while (names.size < 300) {
    const words = random() < 0.05 ? `${pick(WORDS)}_${pick(WORDS)}` : pick(WORDS);
    names.add(`${pick(PREFIXES)}${words}${pick(SUFFIXES)}`);
  }
  return [...names];
}

/**
 * Writes the input: each stack walks down a fixed random call tree (children drawn with a skew, so
 * hot paths repeat), 5–40 frames deep, weighted by a heavy-tailed count.
 */
export async function writeBenchInput(path: string, lines = BENCH_LINES): Promise<void> {
  const random = prng(SEED);
  const names = vocabulary(random);
  const children = new Map<string, string[]>();
  const childrenOf = (path: string): string[] => {
    let list = children.get(path);
    if (list === undefined) {
      list = Array.from({ length: 2 + Math.floor(random() * 6) }, () => names[Math.floor(random() * names.length)]!);
      children.set(path, list);
    }
    return list;
  };
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    const depth = 5 + Math.floor(random() * 36);
    const frames: string[] = [];
    let key = '';
    for (let d = 0; d < depth; d++) {
      const options = childrenOf(key);
      const frame = options[Math.floor(random() ** 2 * options.length)]!;
      frames.push(frame);
      key += `;${frame}`;
    }
    const count = 1 + Math.floor(1000 * random() ** 4);
    if (!out.write(`${frames.join(';')} ${count}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Rounds; each command's fastest run counts, so that a busy moment on the machine does not decide the ratio. */
const RUNS = 3;

export async function benchFlamegraph(workDir: string): Promise<BenchRow[]> {
  const input = join(workDir, 'flamegraph-bench.folded');
  await writeBenchInput(input);
  const inputMb = sizeMb(input);
  const label = `flamegraph (${BENCH_LINES.toLocaleString('en')} folded lines → SVG, best of ${RUNS})`;
  const contenders: Contender[] = [{ name: label, command: process.execPath, args: [FLAMEGRAPH_BIN, input], stdout: join(workDir, 'flamegraph-bench.svg') }];
  if (!existsSync(FLAMEGRAPH_PL)) {
    const [ours] = fastestInRounds(RUNS, contenders);
    return [{ name: label, inputMb, ...ours!, note: `flamegraph.pl not found at ${FLAMEGRAPH_PL}: no comparison` }];
  }
  contenders.push({ name: 'flamegraph.pl', command: 'perl', args: [FLAMEGRAPH_PL, input], stdout: join(workDir, 'flamegraph-bench-pl.svg') });
  const [ours, perl] = fastestInRounds(RUNS, contenders);
  return [
    { name: label, inputMb, ...ours!, ratio: `${(perl!.seconds / ours!.seconds).toFixed(1)}×`, note: 'ratio: to flamegraph.pl' },
    { name: `flamegraph.pl (same input, best of ${RUNS})`, inputMb, ...perl!, ratio: '1.0×' },
  ];
}
