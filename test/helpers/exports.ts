/** Checks shared by the export tests: Trace Event Format rules, speedscope nesting, pprof decoding. */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

export interface TraceEvent {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid: number;
  tid?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: string;
  otherData: Record<string, unknown>;
}

const METADATA_NAMES = new Set(['process_name', 'process_sort_index', 'thread_name', 'thread_sort_index']);

/**
 * The Trace Event Format's rules for what offgil writes: the object form, `displayTimeUnit` ms or ns,
 * and per phase its required fields — `X`: name, ts, dur (µs, ≥ 0), pid, tid; `M`: a known metadata
 * name with `args.name` (a string) or `args.sort_index` (an integer); `C`: name, ts, pid and numeric args.
 */
export function assertTraceEventFormat(file: TraceFile): void {
  assert.ok(Array.isArray(file.traceEvents), 'traceEvents is an array');
  assert.ok(['ms', 'ns'].includes(file.displayTimeUnit), 'displayTimeUnit is ms or ns');
  assert.equal(typeof file.otherData, 'object');
  for (const event of file.traceEvents) {
    const where = JSON.stringify(event).slice(0, 200);
    assert.equal(typeof event.name, 'string', where);
    assert.ok(Number.isInteger(event.pid), `pid: ${where}`);
    switch (event.ph) {
      case 'X':
        assert.ok(typeof event.ts === 'number' && event.ts >= 0, `ts: ${where}`);
        assert.ok(typeof event.dur === 'number' && event.dur >= 0, `dur: ${where}`);
        assert.ok(Number.isInteger(event.tid), `tid: ${where}`);
        break;
      case 'M':
        assert.ok(METADATA_NAMES.has(event.name), `metadata name: ${where}`);
        assert.ok(Number.isInteger(event.tid), `tid: ${where}`);
        if (event.name.endsWith('_name')) assert.equal(typeof event.args?.name, 'string', where);
        else assert.ok(Number.isInteger(event.args?.sort_index), where);
        break;
      case 'C':
        assert.ok(typeof event.ts === 'number' && event.ts >= 0, `ts: ${where}`);
        assert.ok(event.args !== undefined && Object.values(event.args).every((value) => typeof value === 'number'), `counter args: ${where}`);
        break;
      default:
        assert.fail(`unexpected phase: ${where}`);
    }
  }
}

export interface SpeedscopeFile {
  $schema: string;
  name: string;
  activeProfileIndex: number;
  exporter: string;
  shared: { frames: { name: string }[] };
  profiles: { type: string; name: string; unit: string; startValue: number; endValue: number; events: { type: 'O' | 'C'; frame: number; at: number }[] }[];
}

/**
 * Replays an evented profile as speedscope does (a close must match the innermost open frame, times
 * never go back, nothing stays open) and returns the time with a non-empty stack and the µs per
 * root-first stack.
 */
export function replayEvented(file: SpeedscopeFile, index: number): { totalUs: number; stacks: Map<string, number> } {
  const profile = file.profiles[index]!;
  const stack: number[] = [];
  const stacks = new Map<string, number>();
  let last = profile.startValue;
  let totalUs = 0;
  for (const event of profile.events) {
    assert.ok(event.at >= last, `${profile.name}: time goes back at ${event.at}`);
    assert.ok(event.at <= profile.endValue, `${profile.name}: event after endValue`);
    if (stack.length > 0 && event.at > last) {
      totalUs += event.at - last;
      const key = stack.map((frame) => file.shared.frames[frame]!.name).join(';');
      stacks.set(key, (stacks.get(key) ?? 0) + event.at - last);
    }
    last = event.at;
    if (event.type === 'O') stack.push(event.frame);
    else assert.equal(stack.pop(), event.frame, `${profile.name}: close of a frame that is not on top`);
  }
  assert.equal(stack.length, 0, `${profile.name}: frames left open`);
  return { totalUs, stacks };
}

export interface DecodedSample {
  frames: string[];
  labels: Record<string, string | number>;
  values: number[];
}

/** A gzipped profile.proto decoded with pprof-format: sample types, samples with root-first frames and labels. */
export function decodePprof(bytes: Uint8Array): { types: string[]; defaultType: string; samples: DecodedSample[]; functions: string[]; locations: number; comments: string[]; profile: Profile } {
  const profile = Profile.decode(gunzipSync(bytes));
  const text = (id: unknown): string => profile.stringTable.strings[Number(id)]!;
  const functionName = new Map(profile.function.map((fn) => [Number(fn.id), text(fn.name)]));
  const locationFunction = new Map(profile.location.map((location) => [Number(location.id), Number(location.line[0]!.functionId)]));
  const samples = profile.sample.map((sample) => ({
    frames: sample.locationId.map((id) => functionName.get(locationFunction.get(Number(id))!)!).reverse(),
    labels: Object.fromEntries(sample.label.map((label) => [text(label.key), Number(label.str) !== 0 ? text(label.str) : Number(label.num)])),
    values: sample.value.map(Number),
  }));
  return {
    types: profile.sampleType.map((type) => `${text(type.type)}/${text(type.unit)}`),
    defaultType: text(profile.defaultSampleType),
    samples,
    functions: [...functionName.values()],
    locations: profile.location.length,
    comments: profile.comment.map(text),
    profile,
  };
}

/** FlameGraph's stackcollapse.pl rewrites of one frame line (see docs/folded.md), as frames. */
export function stackcollapseFrames(line: string): string[] {
  let frame = line.replace(/^\s*/, '');
  frame = frame.replace(/\+[^+]*$/, '');
  frame = frame.replace(/(::.*)[(<].*/, '$1');
  if (frame === '') frame = '-';
  const inline: string[] = [];
  const parts = frame.split('->');
  // Perl's split drops trailing empty fields.
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  for (const part of parts) {
    let func = part.replaceAll(';', ':').replace(/^L/, '');
    if (inline.length > 0) func += '_[i]';
    inline.push(func);
  }
  return inline;
}
