/**
 * The parser's fast paths never change what it reads: headers parsed on bytes give what header.ts
 * gives, and stacks read in the parser's own loop from aligned or copied chunks give what
 * line-by-line reading gives — on every fixture, on mutated headers and on hand-made stacks chosen
 * to trip the loop and the frame-line table's prediction.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze, analyzeStream, type AnalyzeOptions } from '../src/analyze.js';
import { MAX_FRAME_LINE_BYTES } from '../src/perf/frameTable.js';
import { EventKind, type PerfEvent } from '../src/perf/events.js';
import { isHeaderError, parseHeader, TimeBase } from '../src/perf/header.js';
import { HeaderBytesParser } from '../src/perf/headerBytes.js';
import { PerfScriptParser } from '../src/perf/scriptParser.js';
import { FIXTURES } from './helpers/paths.js';

const FIXTURE_FILES = readdirSync(FIXTURES).filter((name) => name.endsWith('.txt.gz'));

function fixtureBytes(name: string): Buffer {
  return gunzipSync(readFileSync(join(FIXTURES, name)));
}

/** A copy of `bytes` in memory of its own, 8-byte aligned, at `offset` bytes into it. */
function alignedCopy(bytes: Buffer, offset = 0): Buffer {
  const copy = Buffer.from(new ArrayBuffer(((offset + bytes.length + 7) & ~7) + 8), offset, bytes.length);
  bytes.copy(copy);
  return copy;
}

function headerLines(text: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let at = 0; at < text.length; ) {
    const newline = text.indexOf(10, at);
    const end = newline < 0 ? text.length : newline;
    const first = text[at];
    if (end > at && first !== 9 && first !== 0x20 && first !== 0x23) lines.push(text.subarray(at, end));
    at = end + 1;
  }
  return lines;
}

/** Both parsers on one header; fails when the bytes parser accepts it and the events differ. Returns whether it accepted. */
function compareHeader(bytesParser: HeaderBytesParser, line: Buffer, offset: number): boolean {
  const buf = alignedCopy(line, offset);
  const fromBytes = bytesParser.parse(Buffer.from(buf.buffer, 0, buf.byteOffset + buf.length), buf.byteOffset, buf.byteOffset + buf.length, 7);
  const time = new TimeBase();
  time.baseSeconds = 0;
  const fromText = parseHeader(line.toString('latin1').trimStart(), 7, time);
  if (fromBytes === undefined) return false;
  assert.ok(!isHeaderError(fromBytes), 'the bytes parser leaves errors to header.ts');
  assert.deepEqual(fromBytes, fromText, JSON.stringify(line.toString('latin1')));
  return true;
}

function newBytesParser(): HeaderBytesParser {
  const time = new TimeBase();
  time.baseSeconds = 0;
  return new HeaderBytesParser(time);
}

describe('headers parsed on bytes give what header.ts gives', () => {
  test('every header of every fixture', () => {
    let accepted = 0;
    let total = 0;
    for (const name of FIXTURE_FILES) {
      const parser = newBytesParser();
      const lines = headerLines(fixtureBytes(name));
      lines.forEach((line, i) => {
        total++;
        if (compareHeader(parser, line, i & 7)) accepted++;
      });
    }
    // Everything but perf 4 layouts, PERF_RECORD_LOST and such is taken by the bytes parser.
    assert.ok(accepted > total * 0.95, `${accepted} of ${total} accepted`);
  });

  test('mutated headers: accepted ones are parsed identically, refused ones left to header.ts', () => {
    const seeds = [
      'python3.11  8352 [001]  159.179033: sched:sched_switch: prev_comm=python3.11 prev_pid=8352 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120',
      'V8 Worker 1/2  7000/7001 [003] 12.5: 1 sched:sched_switch: prev_comm=V8 Worker 1/2 prev_pid=7001 prev_prio=120 prev_state=R+ ==> next_comm=x prev_pid=9 next_pid=12 next_prio=1',
      'python3.12  8346 [001]   562.192058: sched:sched_waking: comm=rcu_preempt pid=15 prio=120 target_cpu=001',
      'python3.12  8346 [001]   562.192094: sched:sched_wakeup: comm=rcu preempt child_pid=3 pid=15 prio=120 target_cpu=001',
      'python3.12  8346 [001]   562.188200: PERF_RECORD_SWITCH OUT preempt',
      'python3.12  8346 [001]   562.188293: PERF_RECORD_SWITCH IN         ',
      'swapper     0 [000]  1.000001: PERF_RECORD_SWITCH_CPU_WIDE OUT preempt  next pid/tid:  8352/8352',
      ':-1    -1 [001]  3.5: PERF_RECORD_SWITCH_CPU_WIDE IN   prev pid/tid:    -1/-1  ',
      'perf  99 [000]  2.000000: PERF_RECORD_LOST lost 17',
      'python3 10 [000] 1.000000: sched:sched_switch: python3:10 [120] S ==> swapper/0:0 [120]',
      'perf 1/1 [0] 1.000000001234: 250000 cpu-clock:ppp: ',
      'café 42 9.000000000: probe_libpython3:take_gil: (7f0000001234)',
    ].map((text) => Buffer.from(text, 'latin1'));
    const pieces = [' ', '  ', ':', '.', '0', '9', '12', '[', ']', '/', '=', '>', '-', '\t', '\r', '\xa0', '\xe9', 'pid=', ' prev_pid=', ' next_pid=', ' ==> ', 'prev_state=', 'next_comm=', 'PERF_RECORD_', 'IN', 'OUT', 'sched_switch', ': ', 'pid/tid:'].map((text) =>
      Buffer.from(text, 'latin1'),
    );
    let state = 0x2545f491;
    const random = (n: number): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const parser = newBytesParser();
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let line = seeds[random(seeds.length)]!;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(line.length + 1);
        const piece = pieces[random(pieces.length)]!;
        const action = random(3);
        const cut = action === 0 ? 0 : Math.min(line.length - at, 1 + random(4));
        line = Buffer.concat([line.subarray(0, at), action === 2 ? Buffer.alloc(0) : piece, line.subarray(at + cut)]);
      }
      if (line.includes(0)) continue;
      if (compareHeader(parser, line, random(8))) accepted++;
    }
    assert.ok(accepted > 5000, `${accepted} mutated headers accepted`);
  });
});

interface SeenEvent {
  line: number;
  name: string;
  kind: EventKind;
  tid: number;
  timeNs: number;
  frames: string[];
}

/** Every event the parser gives, with its stack as `name dso` strings. */
function readEvents(input: Buffer, keep: (event: PerfEvent) => boolean, mode: { chunk?: number; offset?: number; lines?: boolean }): SeenEvent[] {
  const events: PerfEvent[] = [];
  const parser = new PerfScriptParser({ keepStack: keep, onEvent: (event) => events.push(event) });
  if (mode.lines) {
    const text = input.toString('latin1').split('\n');
    if (text.at(-1) === '') text.pop();
    for (const line of text) {
      const bytes = Buffer.from(line, 'latin1');
      parser.line(bytes, 0, bytes.length);
    }
  } else {
    const size = mode.chunk ?? input.length;
    for (let at = 0; at < input.length; at += size) parser.push(alignedCopy(input.subarray(at, at + size), mode.offset ?? 0));
  }
  parser.end();
  return events.map((event) => ({
    line: event.line,
    name: event.name,
    kind: event.kind,
    tid: event.tid,
    timeNs: event.timeNs,
    frames: event.stack.map((id) => `${parser.frames.name(id)} ${parser.frames.dso(id)}`),
  }));
}

const keepSwitches = (event: PerfEvent): boolean => event.kind === EventKind.Switch && event.prevPid > 0;
/** What GIL-holder attribution asks for: wake stacks too. */
const keepSwitchesAndWakes = (event: PerfEvent): boolean => keepSwitches(event) || event.kind === EventKind.Wake;
const keepAll = (): boolean => true;

/** The events, or the error that stopped the parser. */
function readOrFail(input: Buffer, keep: (event: PerfEvent) => boolean, mode: Parameters<typeof readEvents>[2]): SeenEvent[] | string {
  try {
    return readEvents(input, keep, mode);
  } catch (error) {
    return `${(error as Error).message} at ${(error as { line?: number }).line}`;
  }
}

function assertSameEvents(input: Buffer, keep: (event: PerfEvent) => boolean, label: string): void {
  const reference = readOrFail(input, keep, { lines: true });
  assert.equal(typeof reference, 'object', `${label}: ${String(reference)}`);
  for (const mode of [{}, { chunk: 4096, offset: 3 }, { chunk: 65_537, offset: 0 }, { chunk: 777, offset: 5 }]) {
    assert.deepEqual(readOrFail(input, keep, mode), reference, `${label} ${JSON.stringify(mode)}`);
  }
}

describe('stacks read in the parser loop equal line-by-line reading', () => {
  for (const name of FIXTURE_FILES) {
    test(`${name}: switch stacks, switch and wake stacks, every stack`, () => {
      const input = fixtureBytes(name);
      assertSameEvents(input, keepSwitches, 'switches');
      assertSameEvents(input, keepSwitchesAndWakes, 'switches and wakes');
      assertSameEvents(input, keepAll, 'all');
    });
  }

  const header = (tid: number, time: number, event = 'sched:sched_switch: prev_comm=w prev_pid=' + tid + ' prev_prio=120 prev_state=S ==> next_comm=x next_pid=1 next_prio=120'): string =>
    `w ${tid} [000] ${time.toFixed(6)}: ${event}`;
  const stack = (...frames: string[]): string => stackOf(frames);
  const stackOf = (frames: readonly string[]): string => frames.map((frame) => `\t${frame}\n`).join('');
  const FRAMES = ['ffffffff8104f45a __schedule+0x1 ([kernel.kallsyms])', '7f00 take_gil+0x2 (/lib/libpython3.11.so)', '7f10 start_thread+0x3 (/lib/libc.so.6)'];

  test('the same stack at every byte offset, at other addresses, and differing in one frame', () => {
    let text = '';
    let time = 1;
    for (let pad = 0; pad < 40; pad++) {
      text += `${header(100 + pad, time++)}\n${stack(...FRAMES)}\n`;
      text += `${header(7, time++)}\n${stack(FRAMES[0]!, `7f0${pad % 10} take_gil+0x2 (/lib/libpython3.11.so)`, FRAMES[2]!)}\n`;
      text += `${header(8, time++)}\n${stack(FRAMES[0]!, `7f00 take_gil+0x${pad} (/lib/libpython3.11.so)`, FRAMES[2]!)}\n`;
      text += `${header(9, time++)}\n${stack(FRAMES[0]!, '7f00 take_gil+0x2 (/lib/libpython3.11.so)', `7f10 start_thread+0x3 (/lib/libc.so.${pad % 3})`)}\n`;
      text += `${header(10, time++, 'sched:sched_waking: comm=w pid=100 prio=120 target_cpu=000')}\n${stack(...FRAMES)}\n`;
      text += 'w 7 [000] 99.000000: PERF_RECORD_SWITCH OUT\n';
    }
    const input = Buffer.from(text);
    assertSameEvents(input, keepSwitches, 'switches');
    assertSameEvents(input, keepSwitchesAndWakes, 'switches and wakes');
    const events = readEvents(input, keepSwitches, {});
    assert.equal(new Set(events.filter((event) => event.tid === 8).map((event) => event.frames.join('|'))).size, 1, 'offsets do not make frames');
    assert.equal(new Set(events.filter((event) => event.tid === 9).map((event) => event.frames.join('|'))).size, 3);
  });

  test('bodies that are not clean: comments, blank-looking lines, a padded header, CRLF, a header without blank line', () => {
    const bodies = [
      stack(...FRAMES),
      `${stack(FRAMES[0]!)}# a comment\n${stack(FRAMES[1]!)}`,
      `${stack(FRAMES[0]!)}\t  \t\n${stack(FRAMES[1]!)}`,
      '\t  \t\n',
      `   w 5 [000] 3.000000: sched:sched_waking: comm=w pid=1 prio=1 target_cpu=000\n${stack(...FRAMES)}`,
      `${FRAMES.map((frame) => `\t${frame}\r\n`).join('')}`,
      ` ${FRAMES[0]}\n${stack(FRAMES[1]!)}`,
    ];
    let text = '';
    let time = 1;
    for (let repeat = 0; repeat < 30; repeat++) {
      for (const body of bodies) text += `${header(5, time++)}\n${body}\n`;
      text += `${header(6, time++)}\n${stack(...FRAMES)}${header(6, time++)}\n${stack(...FRAMES)}\n`;
    }
    assertSameEvents(Buffer.from(text), keepAll, 'dirty bodies');
  });

  test('stacks longer than a chunk, and more distinct frame lines than the line table keeps', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `${(0x400000 + i).toString(16)} f${i % 50}+0x${i.toString(16)} (/lib/x.so)`);
    let text = '';
    let time = 1;
    for (let repeat = 0; repeat < 4; repeat++) text += `${header(5, time++)}\n${stackOf(long)}\n${header(6, time++)}\n${stack(...FRAMES)}\n`;
    assertSameEvents(Buffer.from(text), keepSwitches, 'long stacks');
    // Past the table's cap, new lines are scanned every time: same frames, bounded memory.
    const lineBytes = 40;
    const distinct = Array.from({ length: Math.ceil(MAX_FRAME_LINE_BYTES / lineBytes) + 1000 }, (_, i) => `${i.toString(16).padStart(12, '0')} g${i % 7}+0x1 (/lib/x.so)`);
    const input = Buffer.from(`${header(5, time++)}\n${stackOf(distinct)}\n${header(5, time++)}\n${stackOf(distinct.slice(-50))}\n${header(6, time++)}\n${stack(...FRAMES)}\n`);
    const events = readEvents(input, keepSwitches, {});
    assert.equal(events.length, 3);
    assert.equal(events[0]!.frames.length, distinct.length);
    assert.deepEqual(events[1]!.frames, events[0]!.frames.slice(-50));
    assert.deepEqual(new Set(events[0]!.frames), new Set(Array.from({ length: 7 }, (_, i) => `g${i} /lib/x.so`)));
  });
});

describe('the analysis from chunks (bytes, parser loop) equals the analysis from lines', () => {
  const optionSets: AnalyzeOptions[] = [{}, { states: ['all'], rootFrame: 'tid' }, { until: 'wakeup', states: ['all'], keepCpythonEvals: true }];
  for (const name of FIXTURE_FILES) {
    test(name, async () => {
      const input = fixtureBytes(name);
      for (const options of optionSets) {
        const fromLines = analyze(input.toString('utf8').replace(/\n$/, ''), options);
        async function* chunks(size: number): AsyncGenerator<Buffer> {
          for (let at = 0; at < input.length; at += size) yield input.subarray(at, at + size);
        }
        for (const size of [1 << 20, 65_536, 1000]) {
          const fromChunks = await analyzeStream(chunks(size), options);
          assert.deepEqual(fromChunks, fromLines, `${JSON.stringify(options)} in chunks of ${size}`);
        }
      }
    });
  }
});
