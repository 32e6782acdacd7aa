/** The collapser streams: any chunking gives the same bytes, and memory does not grow with the input. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StackCollapser, type CollapseOptions } from '../src/collapse/stackCollapser.js';
import { CONFORMANCE } from './helpers/paths.js';

const CORPUS = join(CONFORMANCE, 'stackcollapse-perf');

function corpusInputs(): string[] {
  return [CORPUS, join(CORPUS, 'inferno')].flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.txt'))
      .map((name) => join(dir, name)),
  );
}

function collapseInChunks(data: Buffer, chunkSize: number, options: CollapseOptions): Buffer {
  const collapser = new StackCollapser(options);
  for (let at = 0; at < data.length; at += chunkSize) collapser.push(data.subarray(at, at + chunkSize));
  collapser.endInput();
  return collapser.folded();
}

test('splitting the input every 7 bytes (or every byte) gives identical output', () => {
  const inputs = corpusInputs();
  assert.equal(inputs.length, 14 + 10);
  for (const path of inputs) {
    const data = readFileSync(path);
    for (const options of [{}, { all: true, tid: true }, { addrs: true, eventFilter: 'instructions' }]) {
      const whole = collapseInChunks(data, data.length + 1, options);
      assert.deepEqual(collapseInChunks(data, 7, options), whole, `${path} ${JSON.stringify(options)}`);
    }
  }
  const synthetic = readFileSync(join(CORPUS, 'perf-synthetic-edge-cases.txt'));
  assert.deepEqual(collapseInChunks(synthetic, 1, {}), readFileSync(join(CORPUS, 'results', 'perf-synthetic-edge-cases-collapsed-default.txt')));
});

/**
 * `perf script`-like text with a bounded set of distinct lines and stacks but varying headers, so
 * that only the input grows: 400 stack shapes over 300 functions, leaves at 4 addresses each.
 * Heap and typed arrays are measured together (the line tables and caches are typed arrays).
 */
function* generatedInput(totalBytes: number, chunkBytes: number): Generator<Buffer> {
  let seed = 12345;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const shapes = Array.from({ length: 400 }, () => Array.from({ length: 8 + random(20) }, () => random(300)));
  let produced = 0;
  let sample = 0;
  while (produced < totalBytes) {
    let text = '';
    while (text.length < chunkBytes) {
      const shape = shapes[random(shapes.length)]!;
      text += `worker ${1000 + random(4)}/${2000 + random(8)} [00${random(4)}] ${1000 + sample++}.${String(random(1e6)).padStart(6, '0')}: ${1 + random(9)} cycles:\n`;
      text += `\t${(0x4000 + random(4)).toString(16)} fn${shape[0]}+0x1f (/opt/app/bin)\n`;
      for (const fn of shape.slice(1)) text += `\t${(0x7f0000 + fn * 64).toString(16)} fn${fn} (/usr/lib/libapp.so)\n`;
      text += '\n';
    }
    produced += text.length;
    yield Buffer.from(text, 'latin1');
  }
}

test('memory stays flat over a 50 MB input (only the aggregate grows)', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const collapser = new StackCollapser();
  const used = (): number => {
    gc();
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.arrayBuffers;
  };
  let baseline = 0;
  let bytes = 0;
  for (const chunk of generatedInput(50e6, 1 << 20)) {
    collapser.push(chunk);
    bytes += chunk.length;
    // By then every distinct line, stack and record body has been seen.
    if (baseline === 0 && bytes > 10e6) baseline = used();
  }
  collapser.endInput();
  const growth = used() - baseline;
  assert.ok(bytes >= 50e6);
  assert.ok(growth < 1e6, `memory grew by ${(growth / 1e6).toFixed(1)} MB over ${(bytes / 1e6).toFixed(0)} MB of input`);
  const stacks = collapser.stacksSoFar();
  assert.ok(stacks.size > 390 && stacks.size <= 400, `${stacks.size} stacks`);
});
