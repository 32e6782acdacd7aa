/**
 * `--speedscope`: speedscope's own file format, one *evented* profile per thread named
 * `COMM-PID/TID`: each shown off-CPU interval opens its stack's frames (root first) at its start and
 * closes them at its end, in µs on perf's clock. Every profile has the recording's start and end as
 * `startValue` / `endValue`, so the threads line up in the Time Order view, and a profile's frames
 * add up to the thread's shown time. Evented rather than sampled: speedscope builds the Left Heavy
 * and Sandwich views of an evented profile too, while a sampled one would lose the real times.
 */
import { GIL } from '../analysis/gilClassifier.js';
import type { Timeline, TimelineLane } from '../timeline/timeline.js';
import {
  ChunkBuffer,
  clockMicrosecondsText,
  exportedLanes,
  HOLDER_SEPARATOR,
  holderViewFrames,
  shownNs,
  threadLabel,
  type ExportMeta,
  type HolderView,
} from './exportCommon.js';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeOptions {
  /**
   * `with-holders`: during each part of a GIL wait, the holder's frames (`--`, then its stack leaf
   * first, as in `--with-holders` lines) above the waiter's; `holders`: the holder's stack instead.
   */
  view?: HolderView;
  /** Only these threads (`--python-only`). */
  keepThread?: (tid: number) => boolean;
}

/** The file as text chunks. */
export function* speedscopeChunks(timeline: Timeline, meta: ExportMeta, options: SpeedscopeOptions = {}): Generator<string> {
  const view = options.view ?? 'waiters';
  const lanes = exportedLanes(timeline, options.keepThread);
  const frames = new Map<string, number>();
  const frameId = (name: string): number => {
    let id = frames.get(name);
    if (id === undefined) {
      id = frames.size;
      frames.set(name, id);
    }
    return id;
  };
  const at = (ns: number): string => clockMicrosecondsText(timeline.baseSeconds, ns);
  // Speedscope opens the profile of the thread that waited longest.
  let active = 0;
  let most = -1;
  lanes.forEach((lane, index) => {
    const ns = shownNs(lane);
    if (ns > most) [active, most] = [index, ns];
  });
  const header = {
    $schema: SPEEDSCOPE_SCHEMA,
    exporter: meta.generator,
    name: fileName(meta),
    activeProfileIndex: active,
  };
  yield `${JSON.stringify(header).slice(0, -1)},"profiles":[\n`;
  const out = new ChunkBuffer();
  const put = function* (text: string): Generator<string> {
    const chunk = out.add(text);
    if (chunk !== undefined) yield chunk;
  };
  // Events of a profile are joined by commas: the first one has none.
  let comma = '';
  const eventText = function* (type: 'O' | 'C', name: string, ns: number): Generator<string> {
    yield* put(`${comma}{"type":"${type}","frame":${frameId(name)},"at":${at(ns)}}`);
    comma = ',';
  };
  const open = function* (names: readonly string[], ns: number): Generator<string> {
    for (const name of names) yield* eventText('O', name, ns);
  };
  const close = function* (names: readonly string[], ns: number): Generator<string> {
    for (let i = names.length - 1; i >= 0; i--) yield* eventText('C', names[i]!, ns);
  };
  for (const [index, lane] of lanes.entries()) {
    const profile = { type: 'evented', name: threadLabel(lane), unit: 'microseconds' };
    yield* put(`${index === 0 ? '' : ',\n'}${JSON.stringify(profile).slice(0, -1)},"startValue":${at(timeline.startNs)},"endValue":${at(timeline.endNs)},"events":[`);
    comma = '';
    for (const part of laneEvents(timeline, lane, view)) {
      yield* open(part.names, part.startNs);
      for (const inner of part.inner) {
        yield* open(inner.names, inner.startNs);
        yield* close(inner.names, inner.endNs);
      }
      yield* close(part.names, part.endNs);
    }
    yield* put(']}');
  }
  // Speedscope cannot import a file without profiles: an input without intervals gets one empty profile.
  if (lanes.length === 0) {
    const empty = { type: 'evented', name: `no off-CPU intervals in ${meta.input}`, unit: 'microseconds' };
    yield* put(`${JSON.stringify(empty).slice(0, -1)},"startValue":${at(timeline.startNs)},"endValue":${at(timeline.endNs)},"events":[]}`);
  }
  const shared = { frames: [...frames.keys()].map((name) => ({ name })) };
  yield `${out.take()}\n],\n"shared":${JSON.stringify(shared)}}\n`;
}

/** What a thread's profile opens and closes: a shown interval's frames, and frames nested in it. */
interface OpenedFrames {
  names: readonly string[];
  startNs: number;
  endNs: number;
  inner: { names: readonly string[]; startNs: number; endNs: number }[];
}

function* laneEvents(timeline: Timeline, lane: TimelineLane, view: HolderView): Generator<OpenedFrames> {
  for (let i = 0; i < lane.length; i++) {
    const interval = lane.interval(i);
    if (!interval.shown) continue;
    const own = timeline.stacks[interval.stack]!;
    const stretches = interval.cls === GIL && view !== 'waiters' ? lane.stretches(i) : undefined;
    if (stretches === undefined) {
      if (own.length > 0) yield { names: own, startNs: interval.startNs, endNs: interval.endNs, inner: [] };
      continue;
    }
    if (view === 'holders') {
      for (const stretch of stretches) {
        const names = timeline.stacks[stretch.stack]!;
        if (names.length > 0) yield { names, startNs: stretch.startNs, endNs: stretch.endNs, inner: [] };
      }
      continue;
    }
    const inner = stretches.map((stretch) => ({
      names: holderViewFrames('with-holders', [], timeline.stacks[stretch.stack]!, HOLDER_SEPARATOR),
      startNs: stretch.startNs,
      endNs: stretch.endNs,
    }));
    yield { names: own, startNs: interval.startNs, endNs: interval.endNs, inner };
  }
}

/** The name speedscope shows on top: the input, and the warnings, which every export must repeat. */
function fileName(meta: ExportMeta): string {
  const warnings = meta.warnings.filter((warning) => warning.severity === 'warning').map((warning) => warning.message);
  const base = `${meta.input}: off-CPU time (${meta.states.join(', ')}) per thread`;
  return warnings.length === 0 ? base : `${base}. WARNING: ${warnings.join(' ')}`;
}
