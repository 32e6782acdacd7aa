/**
 * `npm run fuzz -- --seconds N [--seed S] [--jobs J] [--timeout S] [--keep]`: mutates the recorded
 * fixtures (and folded files made from them) and runs the real commands on them — `offgil` with a
 * mix of options and outputs, `offgil diff`, `offgil collapse`, `flamegraph` — failing on any exit
 * status other than 0 or 2, a stack trace or "internal error" on stderr, a run that does not end
 * within the timeout, an output file left half-written or clobbered by a failed run, a temporary
 * file left behind, or an output that does not parse. Each iteration also feeds the same bytes to
 * the analyzer in-process, cut into random chunks, and compares the result with the whole input.
 *
 * Failures go to bench/out/fuzz/failure-N/ (input files, command, stderr) and make the exit status 1.
 * docs/reliability.md says what was found this way.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { OffGilAnalyzer, type AnalysisResult, type AnalyzeOptions } from '../src/analyze.js';
import { PerfInputError } from '../src/perf/scriptParser.js';
import { formatFolded } from '../src/render/folded.js';
import { renderFlameGraph } from '../src/render/flamegraph/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(ROOT, 'fixtures');

// ---------------------------------------------------------------------------------------------
// Options and randomness

interface FuzzOptions {
  seconds: number;
  seed: number;
  jobs: number;
  timeoutMs: number;
  out: string;
  keep: boolean;
}

function parseArgs(argv: readonly string[]): FuzzOptions {
  const options: FuzzOptions = { seconds: 60, seed: Date.now() % 2 ** 31, jobs: 2, timeoutMs: 60_000, out: join(ROOT, 'bench', 'out', 'fuzz'), keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--seconds') options.seconds = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--jobs') options.jobs = Number(value());
    else if (arg === '--timeout') options.timeoutMs = Number(value()) * 1000;
    else if (arg === '--out') options.out = value();
    else if (arg === '--keep') options.keep = true;
    else throw new Error(`unknown option ${arg} (options: --seconds N --seed S --jobs J --timeout SECONDS --out DIR --keep)`);
  }
  if (!(options.seconds > 0) || !(options.jobs >= 1) || !(options.timeoutMs > 0) || !Number.isInteger(options.seed)) throw new Error('bad option value');
  return options;
}

/** mulberry32: every iteration is reproducible from the seed it prints. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Weighted choice among [weight, value] pairs. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [weight] of items) total += weight;
    let at = this.next() * total;
    for (const [weight, value] of items) {
      if ((at -= weight) < 0) return value;
    }
    return items[items.length - 1]![1];
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs and mutations

interface Fixture {
  name: string;
  /** Byte offsets where an event starts (after a blank line or at a header following a header). */
  text: Buffer;
  eventStarts: number[];
}

function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.txt.gz'))
    .sort()
    .map((name) => {
      const text = gunzipSync(readFileSync(join(FIXTURES, name)));
      const eventStarts: number[] = [0];
      for (let at = text.indexOf(0x0a); at >= 0 && at + 1 < text.length; at = text.indexOf(0x0a, at + 1)) {
        const next = text[at + 1]!;
        if (next !== 0x09 && next !== 0x20 && next !== 0x0a) eventStarts.push(at + 1);
      }
      return { name, text, eventStarts };
    });
}

/** A window of a fixture: up to `events` events from a random event on (sometimes the whole file). */
function slice(random: Random, fixture: Fixture): Buffer {
  if (random.chance(0.05) && fixture.text.length < 3_000_000) return fixture.text;
  const starts = fixture.eventStarts;
  const events = random.weighted([
    [3, random.range(1, 30)],
    [5, random.range(30, 600)],
    [2, random.range(600, 4000)],
  ]);
  const first = random.chance(0.3) ? 0 : random.int(starts.length);
  const last = Math.min(starts.length, first + events);
  return fixture.text.subarray(starts[first]!, last < starts.length ? starts[last]! : fixture.text.length);
}

const LONG_NAMES = ['python3', 'Thread-1 (work)', 'pythön', 'x'.repeat(300)];
const GARBAGE_LINES = [
  'WARNING: perf is out of date; please update it',
  'Warning:\nProcessed 1234 events and lost 7 chunks!\n\nCheck IO/CPU overload!',
  '# ========\n# captured on    : Thu Jan  1 00:00:00 1970\n# ========',
  'Traceback (most recent call last):\n  File "app.py", line 1, in <module>',
  'hello from the program',
  '   ',
  '\t',
  ':',
  '0.0:',
  'x 1 [000] 1.1: a: b',
  'swapper 0 [000] 1.000000: sched:sched_switch: garbage ==> more garbage',
  'python3 10 [000] 99999999999999999999.999999: sched:sched_switch: prev_comm=a prev_pid=1 prev_prio=1 prev_state=S ==> next_comm=b next_pid=2 next_prio=1',
  'python3 10/10 [000] 1.000000: PERF_RECORD_LOST lost 99999999999999999999999999',
  'python3 10 [000] 1.000000: PERF_RECORD_SWITCH_CPU_WIDE OUT  next pid/tid: 99999999999999999999/1',
];
const HUGE_NUMBERS = ['9007199254740993', '1000000000000000000000000000000', '-1', '0', '-2147483649', '4294967296', '9'.repeat(400), '00000000000000000007'];

type Mutation = (random: Random, input: Buffer) => Buffer;

function lines(input: Buffer): string[] {
  return input.toString('latin1').split('\n');
}
function joinLines(list: readonly string[]): Buffer {
  return Buffer.from(list.join('\n'), 'latin1');
}
function eventBoundaries(input: Buffer): number[] {
  const out = [0];
  for (let at = input.indexOf('\n\n'); at >= 0; at = input.indexOf('\n\n', at + 1)) out.push(at + 2);
  return out;
}

const MUTATIONS: Record<string, Mutation> = {
  truncateAtEvent: (random, input) => {
    const boundaries = eventBoundaries(input);
    return input.subarray(0, random.pick(boundaries));
  },
  truncateMidLine: (random, input) => input.subarray(0, random.int(input.length + 1)),
  deleteLines: (random, input) => {
    const list = lines(input);
    for (let n = random.range(1, 10); n > 0 && list.length > 0; n--) list.splice(random.int(list.length), random.range(1, 3));
    return joinLines(list);
  },
  duplicateLines: (random, input) => {
    const list = lines(input);
    for (let n = random.range(1, 6); n > 0 && list.length > 0; n--) {
      const at = random.int(list.length);
      list.splice(at, 0, ...list.slice(at, at + random.range(1, 20)));
    }
    return joinLines(list);
  },
  swapEvents: (random, input) => {
    const boundaries = eventBoundaries(input);
    if (boundaries.length < 4) return input;
    const a = random.int(boundaries.length - 2);
    const b = a + 1 + random.int(boundaries.length - a - 2);
    const [s1, e1, s2, e2] = [boundaries[a]!, boundaries[a + 1]!, boundaries[b]!, boundaries[b + 1]!];
    if (e1 > s2) return input;
    return Buffer.concat([input.subarray(0, s1), input.subarray(s2, e2), input.subarray(e1, s2), input.subarray(s1, e1), input.subarray(e2)]);
  },
  timeBack: (random, input) => {
    const list = lines(input);
    for (let n = random.range(1, 5); n > 0; n--) {
      const at = random.int(list.length);
      list[at] = list[at]!.replace(/ (\d+)\.(\d+):/, (_, secs: string, frac: string) => {
        const seconds = random.pick([Number(secs) - random.range(1, 1000), 0, Number(secs) + 10 ** random.range(1, 12), 2 ** 53]);
        return ` ${seconds}.${random.chance(0.5) ? frac : frac.slice(0, random.range(1, 9))}:`;
      });
    }
    return joinLines(list);
  },
  hugeNumbers: (random, input) => {
    const list = lines(input);
    for (let n = random.range(1, 5); n > 0; n--) {
      const at = random.int(list.length);
      const huge = random.pick(HUGE_NUMBERS);
      list[at] = random.chance(0.5)
        ? list[at]!.replace(/(pid|prev_pid|next_pid|prio|lost)[=\s](-?\d+)/, (_, key: string) => `${key}=${huge}`)
        : list[at]!.replace(/^(\S.*?) +(-?\d+)(\/-?\d+)? /, (_, comm: string, id: string, tid: string | undefined) => `${comm} ${random.chance(0.5) ? huge : id}${tid === undefined ? '' : `/${huge}`} `);
    }
    return joinLines(list);
  },
  randomBytes: (random, input) => {
    const copy = Buffer.from(input);
    if (copy.length === 0) return copy;
    for (let n = random.range(1, 30); n > 0; n--) copy[random.int(copy.length)] = random.pick([0, 0x0a, 0x09, 0x20, 0x3a, 0x80, 0x9b, 0xc3, 0xff, random.int(256)]);
    return copy;
  },
  insertGarbage: (random, input) => {
    const list = lines(input);
    for (let n = random.range(1, 4); n > 0; n--) list.splice(random.int(list.length + 1), 0, random.pick(GARBAGE_LINES));
    return joinLines(list);
  },
  insertBytes: (random, input) => {
    const at = random.int(input.length + 1);
    const bytes = Buffer.alloc(random.range(1, 200));
    for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
    return Buffer.concat([input.subarray(0, at), bytes, input.subarray(at)]);
  },
  longLine: (random, input) => {
    const list = lines(input);
    const length = random.weighted([
      [6, random.range(1000, 100_000)],
      [3, random.range(100_000, 4_000_000)],
      [1, random.range(16_000_000, 20_000_000)],
    ]);
    const at = random.int(list.length + 1);
    const kind = random.int(4);
    const filler = 'abc def;'.repeat(Math.ceil(length / 8)).slice(0, length);
    if (kind === 0) list.splice(at, 0, `\t    7f0000001000 ${filler}+0x1 (/usr/lib/libpython3.11.so.1.0)`);
    else if (kind === 1) list.splice(at, 0, `${filler} 123 [000] 1.000000: sched:sched_switch: prev_comm=${filler} prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=b next_pid=2 next_prio=120`);
    else if (kind === 2) list.splice(at, 0, filler);
    else return Buffer.concat([input, Buffer.from(filler)]);
    return joinLines(list);
  },
  deepStack: (random, input) => {
    const list = lines(input);
    const frameAt = list.findIndex((line, i) => i >= random.int(list.length) && line.startsWith('\t'));
    if (frameAt < 0) return input;
    const depth = random.weighted([
      [5, random.range(200, 5000)],
      [2, random.range(5000, 100_000)],
    ]);
    const frames = Array.from({ length: depth }, (_, i) => `\t    7f00000${(i % 4096).toString(16).padStart(4, '0')} deep_${random.chance(0.5) ? i : i % 7}+0x1 (/usr/lib/libpython3.11.so.1.0)`);
    list.splice(frameAt, 0, ...frames);
    return joinLines(list);
  },
  latin1Names: (random, input) => {
    const name = random.pick(['pyth\xe9n', 'py\x9bthon', '\x1b[31mred\x1b[0m', 'a\u0085b', 'ü'.repeat(3)]);
    return Buffer.from(input.toString('latin1').replaceAll(random.pick(['python3', 'take_gil', 'drop_gil', '_PyEval_EvalFrameDefault']), name), 'latin1');
  },
  utf8Names: (random, input) => Buffer.from(input.toString('utf8').replaceAll(random.pick(['python3', 'thread_run', 'start_thread']), random.pick(LONG_NAMES)), 'utf8'),
  crlf: (_random, input) => Buffer.from(input.toString('latin1').replaceAll('\n', '\r\n'), 'latin1'),
  noBlankLines: (_random, input) => Buffer.from(input.toString('latin1').replaceAll('\n\n', '\n'), 'latin1'),
  utf16: (random, input) => {
    const body = Buffer.from(input.toString('utf8'), 'utf16le');
    return random.chance(0.5) ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
  },
  empty: (random) => Buffer.from(random.pick(['', '\n', '\n\n\n', '# only a comment\n', '   \n\t\n'])),
};

const PERF_MUTATIONS: readonly (readonly [number, string])[] = [
  [6, 'truncateAtEvent'],
  [6, 'truncateMidLine'],
  [5, 'deleteLines'],
  [4, 'duplicateLines'],
  [3, 'swapEvents'],
  [3, 'timeBack'],
  [4, 'hugeNumbers'],
  [5, 'randomBytes'],
  [4, 'insertGarbage'],
  [2, 'insertBytes'],
  [2, 'longLine'],
  [2, 'deepStack'],
  [2, 'latin1Names'],
  [2, 'utf8Names'],
  [1, 'crlf'],
  [1, 'noBlankLines'],
  [1, 'utf16'],
  [1, 'empty'],
];

/** Mutations of folded text (the input of flamegraph and diff). */
const FOLDED_MUTATIONS: Record<string, Mutation> = {
  absurdCounts: (random, input) => {
    const list = lines(input);
    for (let n = random.range(1, 5); n > 0 && list.length > 0; n--) {
      const at = random.int(list.length);
      list[at] = list[at]!.replace(/\d+$/, random.pick(['9'.repeat(random.range(16, 400)), '1e308', '-5', 'NaN', 'Infinity', '0', '0.0000001', '123.', '١٢٣', '18446744073709551616']));
    }
    return joinLines(list);
  },
  differential: (random, input) => joinLines(lines(input).map((line) => (line === '' ? line : `${line} ${random.chance(0.1) ? '9'.repeat(30) : random.int(1000)}`))),
  deepFolded: (random, input) => {
    const depth = random.range(1000, 100_000);
    const stack = Array.from({ length: depth }, (_, i) => `f${i % (random.chance(0.5) ? depth : 13)}`).join(';');
    return Buffer.concat([input, Buffer.from(`${stack} ${random.range(1, 1000)}\n`)]);
  },
  manyStacks: (random, input) => {
    const count = random.range(1000, 60_000);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(`main;work_${i};leaf_${i % 97} ${random.range(1, 100)}`);
    return Buffer.concat([input, Buffer.from(`${out.join('\n')}\n`)]);
  },
  garbageFolded: (random, input) => {
    const list = lines(input);
    for (let n = random.range(1, 5); n > 0; n--) list.splice(random.int(list.length + 1), 0, random.pick(['', ' 5', ';;; 3', 'no count', '<svg>&amp; 1', 'a;b 1 2 3', '\x00\x01 4', 'a\tb\t7']));
    return joinLines(list);
  },
};
const FOLDED_PICKS: readonly (readonly [number, string])[] = [
  [4, 'absurdCounts'],
  [2, 'differential'],
  [2, 'deepFolded'],
  [1, 'manyStacks'],
  [3, 'garbageFolded'],
  [3, 'randomBytes'],
  [2, 'truncateMidLine'],
  [2, 'deleteLines'],
  [1, 'longLine'],
  [1, 'utf16'],
  [1, 'crlf'],
  [1, 'empty'],
];

function mutate(random: Random, input: Buffer, table: readonly (readonly [number, string])[], catalogue: Record<string, Mutation>, applied: string[]): Buffer {
  let out = input;
  for (let n = random.weighted([
    [5, 1],
    [3, 2],
    [1, 3],
  ]); n > 0; n--) {
    const name = random.weighted(table);
    applied.push(name);
    out = (catalogue[name] ?? MUTATIONS[name]!)(random, out);
  }
  return out;
}

/** How the bytes reach the command: as they are, gzipped, or as a gzip that breaks. */
function encode(random: Random, input: Buffer, applied: string[]): Buffer {
  const how = random.weighted([
    [8, 'plain'],
    [2, 'gzip'],
    [1, 'gzip-truncated'],
    [1, 'gzip-corrupt'],
  ] as const);
  if (how === 'plain') return input;
  applied.push(how);
  const gz = gzipSync(input);
  if (how === 'gzip') return gz;
  if (how === 'gzip-truncated') return gz.subarray(0, random.range(2, Math.max(2, gz.length - 1)));
  const copy = Buffer.from(gz);
  for (let n = random.range(1, 10); n > 0; n--) copy[random.range(2, copy.length - 1)] = random.int(256);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Commands and checks

/** An output file a command is asked to write, and how to check it when the run succeeds. */
interface OutputFile {
  path: string;
  kind: 'folded' | 'diff' | 'dtrace' | 'svg' | 'html' | 'json' | 'pprof';
  /** Written even on failure (`-o` with `--partial`). */
  partial: boolean;
}

interface Run {
  label: string;
  bin: 'offgil' | 'flamegraph';
  args: string[];
  stdin: Buffer | undefined;
  outputs: OutputFile[];
  /** What stdout must look like on success. */
  stdout: 'folded' | 'diff' | 'dtrace' | 'svg' | 'any' | 'none';
  inputs: Map<string, Buffer>;
}

const PREVIOUS = 'previous content: a failed run must leave this file as it was\n';

function analysisFlags(random: Random): string[] {
  const flags: string[] = [];
  const add = (p: number, ...items: string[]): void => {
    if (random.chance(p)) flags.push(...items);
  };
  add(0.3, '--state', random.pick(['all', 'gil,S', 'gil-drop', 'lock', 'R+', 'bogus', 'S(GIL)']));
  add(0.2, random.pick(['--tid', '--pid', '--comm']));
  add(0.25, random.pick(['--with-holders', '--holders']));
  add(0.1, '--until', 'wakeup');
  add(0.1, '--no-strip-take-gil');
  add(0.1, '--keep-cpython-evals');
  add(0.1, '--python-only');
  add(0.1, '--full-paths');
  add(0.1, '--min-us', String(random.int(1000)));
  add(0.05, '--max-us', String(random.int(100_000)));
  add(0.1, '--summary');
  add(0.05, '-v');
  add(0.05, '--top', String(random.range(1, 3)));
  add(0.05, '--switch-interval', String(random.range(1, 10)));
  return flags;
}

function offgilRun(random: Random, dir: string, input: Buffer): Run {
  const inputs = new Map([[join(dir, 'input'), input]]);
  const args: string[] = [];
  let stdin: Buffer | undefined;
  if (random.chance(0.15)) stdin = input;
  else args.push('-i', join(dir, 'input'));
  args.push(...analysisFlags(random));
  const outputs: OutputFile[] = [];
  const partial = random.chance(0.15);
  if (partial) args.push('--partial');
  const kinds: [string, OutputFile['kind'], string][] = [
    ['--svg', 'svg', 'out.svg'],
    ['--html', 'html', 'out.html'],
    ['--trace', 'json', 'trace.json'],
    ['--speedscope', 'json', 'speedscope.json'],
    ['--pprof', 'pprof', 'profile.pb.gz'],
    ['--summary-json', 'json', 'summary.json'],
  ];
  for (const [flag, kind, name] of kinds) {
    if (!random.chance(0.18)) continue;
    args.push(flag, join(dir, name));
    outputs.push({ path: join(dir, name), kind, partial: false });
  }
  const dtrace = random.chance(0.1);
  if (dtrace) args.push('--format', 'dtrace');
  const toFile = random.chance(0.4);
  if (toFile) {
    args.push('-o', join(dir, 'out.folded'));
    outputs.push({ path: join(dir, 'out.folded'), kind: dtrace ? 'dtrace' : 'folded', partial });
  }
  const folded = toFile || outputs.length > 0 ? 'none' : dtrace ? 'dtrace' : 'folded';
  return { label: 'offgil', bin: 'offgil', args, stdin, outputs, stdout: folded, inputs };
}

function collapseRun(random: Random, dir: string, input: Buffer): Run {
  const args = ['collapse', join(dir, 'input')];
  if (random.chance(0.3)) args.push(random.pick(['--pid', '--tid', '--all', '--kernel', '--addrs']));
  const outputs: OutputFile[] = [];
  if (random.chance(0.4)) {
    args.push('-o', join(dir, 'collapsed.folded'));
    outputs.push({ path: join(dir, 'collapsed.folded'), kind: 'folded', partial: false });
  }
  return { label: 'offgil collapse', bin: 'offgil', args, stdin: undefined, outputs, stdout: outputs.length > 0 ? 'none' : 'folded', inputs: new Map([[join(dir, 'input'), input]]) };
}

function flamegraphRun(random: Random, dir: string, folded: Buffer): Run {
  const args = [join(dir, 'stacks.folded')];
  if (random.chance(0.2)) args.push('--reverse');
  if (random.chance(0.2)) args.push('--inverted');
  if (random.chance(0.2)) args.push('--colors', random.pick(['python', 'io', 'hot', 'bogus']));
  if (random.chance(0.1)) args.push('--hash');
  if (random.chance(0.1)) args.push('--minwidth', random.pick(['0', '0.5%', '5']));
  if (random.chance(0.1)) args.push('--flamechart');
  if (random.chance(0.1)) args.push('--title', random.pick(['<&>"', '\x1b[31m', 'x'.repeat(1000)]));
  return { label: 'flamegraph', bin: 'flamegraph', args, stdin: undefined, outputs: [], stdout: 'svg', inputs: new Map([[join(dir, 'stacks.folded'), folded]]) };
}

function diffRun(random: Random, dir: string, before: Buffer, after: Buffer): Run {
  const args = ['diff', join(dir, 'before'), join(dir, 'after')];
  if (random.chance(0.3)) args.push('-n');
  if (random.chance(0.2)) args.push('--state', random.pick(['all', 'gil,S', 'lock']));
  if (random.chance(0.2)) args.push(random.pick(['--tid', '--with-holders', '--holders', '--no-strip-take-gil']));
  const outputs: OutputFile[] = [];
  const form = random.pick(['stdout', 'file', 'svg', 'html']);
  if (form === 'file') outputs.push({ path: join(dir, 'diff.txt'), kind: 'diff', partial: false });
  if (form === 'svg') outputs.push({ path: join(dir, 'diff.svg'), kind: 'svg', partial: false });
  if (form === 'html') outputs.push({ path: join(dir, 'diff.html'), kind: 'html', partial: false });
  for (const output of outputs) args.push(output.kind === 'svg' ? '--svg' : output.kind === 'html' ? '--html' : '-o', output.path);
  return {
    label: 'offgil diff',
    bin: 'offgil',
    args,
    stdin: undefined,
    outputs,
    stdout: outputs.length > 0 ? 'none' : 'diff',
    inputs: new Map([
      [join(dir, 'before'), before],
      [join(dir, 'after'), after],
    ]),
  };
}

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

function execute(run: Run, timeoutMs: number, cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', run.bin), ...run.args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      // Keep the start only: the checks read the lines, and a huge SVG need not sit in memory twice.
      if (stdoutBytes < 64 << 20) stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    // The start of stderr, and its end (where the error is): collapse may warn about every line first.
    let tail = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 1 << 20) stderr += text;
      else tail = (tail + text).slice(-(64 << 10));
    });
    child.stdin.on('error', () => undefined);
    if (run.stdin !== undefined) child.stdin.end(run.stdin);
    else child.stdin.end();
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(stdout), stderr: tail === '' ? stderr : `${stderr}\n[…]\n${tail}`, timedOut, ms: Date.now() - started });
    });
  });
}

const CRASH = /internal error|^\s+at .+:\d+:\d+\)?$|\b(TypeError|RangeError|ReferenceError|SyntaxError|AssertionError)\b|FATAL ERROR|heap out of memory|Maximum call stack/m;

function markup(svg: string): string {
  return svg.replace(/<script[\s\S]*?<\/script>/g, '');
}

/** What is wrong with a run's result, or an empty list. */
function problems(run: Run, outcome: Outcome, previous: Map<string, string | undefined>, dir: string): string[] {
  const found: string[] = [];
  if (outcome.timedOut) found.push(`no end within the timeout (${outcome.ms} ms): a hang or super-linear time`);
  else if (outcome.status !== 0 && outcome.status !== 2) found.push(`exit status ${outcome.status ?? outcome.signal}`);
  if (CRASH.test(outcome.stderr)) found.push(`stack trace or internal error on stderr: ${outcome.stderr.match(CRASH)![0]}`);
  for (const name of readdirSync(dir)) if (name.includes('.offgil-') && name.endsWith('.tmp')) found.push(`temporary file left behind: ${name}`);
  if (outcome.timedOut) return found;
  if (outcome.status === 2) {
    // A failed run leaves every output as it was: absent, or with its previous content.
    for (const output of run.outputs) {
      if (output.partial) continue;
      const before = previous.get(output.path);
      const now = existsSync(output.path) ? readFileSync(output.path, 'utf8') : undefined;
      if (now !== before) found.push(`${output.path} ${before === undefined ? 'was created' : 'was changed'} by a run that failed`);
    }
    const lastLine = outcome.stderr.trimEnd().split('\n').pop() ?? '';
    if (run.bin === 'offgil' && !/^offgil( diff)?: /.test(lastLine)) found.push(`exit 2 without an "offgil: …" message last on stderr: ${JSON.stringify(lastLine.slice(0, 200))}`);
    return found;
  }
  if (outcome.status !== 0) return found;
  for (const output of run.outputs) {
    if (!existsSync(output.path)) {
      found.push(`${output.path} missing after exit 0`);
      continue;
    }
    found.push(...checkContent(output.kind, readFileSync(output.path), output.path));
  }
  if (run.stdout !== 'none' && run.stdout !== 'any' && outcome.stdout.length < 64 << 20) found.push(...checkContent(run.stdout, outcome.stdout, 'stdout'));
  return found;
}

function checkContent(kind: OutputFile['kind'] | 'any', bytes: Buffer, where: string): string[] {
  const text = kind === 'pprof' ? '' : bytes.toString('utf8');
  switch (kind) {
    case 'folded': {
      const bad = text.split('\n').findIndex((line, i, all) => !(line === '' && i === all.length - 1) && !/ [1-9]\d*$/.test(line));
      return bad < 0 ? [] : [`${where}: line ${bad + 1} is not "stack COUNT": ${JSON.stringify(text.split('\n')[bad]!.slice(-120))}`];
    }
    case 'diff': {
      const bad = text.split('\n').findIndex((line, i, all) => !(line === '' && i === all.length - 1) && !/ \d+(\.\d+)? \d+(\.\d+)?$/.test(line));
      return bad < 0 ? [] : [`${where}: line ${bad + 1} is not "stack BEFORE AFTER"`];
    }
    case 'svg': {
      const body = markup(text);
      const found: string[] = [];
      if (!text.trimEnd().endsWith('</svg>')) found.push(`${where}: the SVG does not end with </svg>`);
      if (/NaN|Infinity|undefined/.test(body)) found.push(`${where}: NaN, Infinity or undefined in the SVG: ${body.match(/.{0,60}(NaN|Infinity|undefined).{0,20}/)?.[0]}`);
      return found;
    }
    case 'html':
      return text.includes('</html>') ? [] : [`${where}: the HTML page is not complete`];
    case 'json':
      try {
        JSON.parse(text);
        return [];
      } catch (error) {
        return [`${where}: not JSON (${(error as Error).message})`];
      }
    case 'pprof':
      try {
        gunzipSync(bytes);
        return [];
      } catch {
        return [`${where}: not gzip`];
      }
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// In-process checks: the analyzer on random chunks equals the analyzer on the whole input

function analyzeChunks(chunks: readonly Buffer[], options: AnalyzeOptions): AnalysisResult | string {
  const analyzer = new OffGilAnalyzer(options);
  try {
    for (const chunk of chunks) analyzer.push(chunk);
    return analyzer.finish();
  } catch (error) {
    if (error instanceof PerfInputError) return `${error.line}: ${error.message}`;
    throw error;
  }
}

function summaryOf(result: AnalysisResult | string): string {
  if (typeof result === 'string') return result;
  return JSON.stringify({ stacks: [...result.stacks], holders: [...(result.holderViews?.withHolders ?? [])], threads: result.threads, warnings: result.warnings });
}

function inProcess(random: Random, input: Buffer): string[] {
  if (input.length > 4 << 20) return [];
  const options: AnalyzeOptions = random.pick<AnalyzeOptions>([{}, { holders: true, states: ['all'], rootFrame: 'tid' }, { until: 'wakeup', holders: true }, { timeline: true, holders: true, byThread: true }]);
  try {
    const whole = analyzeChunks([input], options);
    const cuts = Array.from({ length: random.range(1, 8) }, () => random.int(input.length + 1)).sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const cut of cuts) {
      chunks.push(input.subarray(from, cut));
      from = cut;
    }
    chunks.push(input.subarray(from));
    const cut = analyzeChunks(chunks, options);
    if (summaryOf(whole) !== summaryOf(cut)) return [`in-process: the result depends on how the input is cut into chunks (${JSON.stringify(cuts)}, options ${JSON.stringify(options)})`];
    if (typeof whole !== 'string') {
      const svg = renderFlameGraph(formatFolded(whole.stacks).split('\n').slice(0, -1), { countName: 'us' }).svg;
      if (/NaN|Infinity/.test(markup(svg))) return ['in-process: NaN or Infinity in the SVG of the folded stacks'];
    }
    return [];
  } catch (error) {
    return [`in-process: ${(error as Error).stack ?? String(error)}`];
  }
}

// ---------------------------------------------------------------------------------------------
// The loop

interface Case {
  iteration: number;
  run: Run;
  mutations: string[];
  source: string;
  dir: string;
}

function makeCase(random: Random, fixtures: readonly Fixture[], iteration: number, dir: string): Case {
  const fixture = random.pick(fixtures);
  const mutations: string[] = [];
  const base = slice(random, fixture);
  const command = random.weighted([
    [6, 'offgil'],
    [2, 'collapse'],
    [2, 'flamegraph'],
    [2, 'diff'],
  ] as const);
  const perfInput = (): Buffer => encode(random, mutate(random, base, PERF_MUTATIONS, MUTATIONS, mutations), mutations);
  let run: Run;
  if (command === 'offgil') run = offgilRun(random, dir, perfInput());
  else if (command === 'collapse') run = collapseRun(random, dir, perfInput());
  else {
    const folded = (): Buffer => {
      const result = analyzeChunks([base], { holders: true, states: random.chance(0.5) ? ['all'] : ['gil'], rootFrame: random.pick(['none', 'tid'] as const) });
      const text = Buffer.from(typeof result === 'string' ? '' : formatFolded(random.chance(0.5) ? result.stacks : result.holderViews!.withHolders));
      return encode(random, mutate(random, text, FOLDED_PICKS, FOLDED_MUTATIONS, mutations), mutations);
    };
    if (command === 'flamegraph') run = flamegraphRun(random, dir, folded());
    else {
      const side = (): Buffer => (random.chance(0.5) ? folded() : perfInput());
      run = diffRun(random, dir, side(), side());
    }
  }
  return { iteration, run, mutations, source: fixture.name, dir };
}

interface Failure {
  signature: string;
  problems: string[];
  where: string;
}

async function runCase(item: Case, random: Random, options: FuzzOptions, failures: Failure[], counts: Map<string, number>): Promise<void> {
  const { run, dir } = item;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [path, bytes] of run.inputs) writeFileSync(path, bytes);
  const previous = new Map<string, string | undefined>();
  for (const output of run.outputs) {
    const keep = random.chance(0.5);
    if (keep) writeFileSync(output.path, PREVIOUS);
    previous.set(output.path, keep ? PREVIOUS : undefined);
  }
  const found: string[] = [];
  const firstInput = [...run.inputs.values()][0]!;
  if (run.label === 'offgil' && random.chance(0.5)) found.push(...inProcess(random, firstInput));
  const outcome = await execute(run, options.timeoutMs, dir);
  found.push(...problems(run, outcome, previous, dir));
  const key = `${run.label} exit ${outcome.timedOut ? 'timeout' : outcome.status}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (found.length === 0) {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    return;
  }
  const signature = `${run.label}: ${found[0]!.replace(/\d+/g, 'N').replace(/\/\S+/g, 'PATH').slice(0, 160)}`;
  const where = join(options.out, `failure-${failures.length + 1}`);
  rmSync(where, { recursive: true, force: true });
  mkdirSync(dirname(where), { recursive: true });
  // The case directory is the reproduction: inputs, and the command to run from the repository root.
  rmSync(where, { recursive: true, force: true });
  mkdirSync(where, { recursive: true });
  for (const [path, bytes] of run.inputs) writeFileSync(join(where, path.slice(dir.length + 1)), bytes);
  const args = run.args.map((arg) => (arg.startsWith(dir) ? join(where, arg.slice(dir.length + 1)) : arg));
  writeFileSync(
    join(where, 'README.txt'),
    `${found.join('\n')}\n\ncommand: node bin/${run.bin} ${args.map((arg) => JSON.stringify(arg)).join(' ')}${run.stdin === undefined ? '' : ` < ${join(where, 'input')}`}\n` +
      `fixture: ${item.source}; mutations: ${item.mutations.join(', ')}; iteration ${item.iteration}\nexit: ${outcome.status ?? outcome.signal} after ${outcome.ms} ms\n\nstderr:\n${outcome.stderr.slice(0, 20_000)}`,
  );
  failures.push({ signature, problems: found, where });
  process.stderr.write(`fuzz: FAILURE ${failures.length} (${run.label}, ${item.mutations.join('+')}): ${found[0]}\n       reproduction in ${where}\n`);
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const fixtures = loadFixtures();
  mkdirSync(options.out, { recursive: true });
  for (const name of readdirSync(options.out)) if (name.startsWith('failure-') || name.startsWith('case-')) rmSync(join(options.out, name), { recursive: true, force: true });
  process.stderr.write(`fuzz: seed ${options.seed}, ${options.seconds} s, ${options.jobs} jobs, ${options.timeoutMs / 1000} s per run, ${fixtures.length} fixtures; reproduce with --seed ${options.seed}\n`);
  const deadline = Date.now() + options.seconds * 1000;
  const failures: Failure[] = [];
  const counts = new Map<string, number>();
  const mutationCounts = new Map<string, number>();
  let iteration = 0;
  const worker = async (job: number): Promise<void> => {
    // Each job draws from its own stream, so that a seed reproduces the same cases whatever the timing.
    const jobRandom = new Random(options.seed * 31 + job);
    while (Date.now() < deadline) {
      const item = makeCase(jobRandom, fixtures, iteration++, join(options.out, `case-${job}`));
      for (const name of item.mutations) mutationCounts.set(name, (mutationCounts.get(name) ?? 0) + 1);
      await runCase(item, jobRandom, options, failures, counts);
    }
  };
  await Promise.all(Array.from({ length: options.jobs }, (_, job) => worker(job)));
  const summary = [...counts].sort().map(([key, n]) => `${key}: ${n}`).join(', ');
  process.stderr.write(`fuzz: ${iteration} runs in ${options.seconds} s (${summary})\n`);
  process.stderr.write(`fuzz: mutations: ${[...mutationCounts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n}`).join(', ')}\n`);
  const distinct = new Map<string, Failure[]>();
  for (const failure of failures) distinct.set(failure.signature, [...(distinct.get(failure.signature) ?? []), failure]);
  if (failures.length === 0) {
    process.stdout.write(`fuzz: ${iteration} runs, no failure\n`);
    return;
  }
  process.stdout.write(`fuzz: ${failures.length} failures, ${distinct.size} distinct:\n`);
  for (const [signature, list] of distinct) process.stdout.write(`  ${list.length}× ${signature}\n     e.g. ${list[0]!.where}\n`);
  process.exitCode = 1;
}

try {
  statSync(join(ROOT, 'bin', 'offgil'));
} catch {
  throw new Error('run from a built checkout (npm run fuzz builds first)');
}
await main();
