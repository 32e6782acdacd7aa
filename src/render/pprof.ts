/**
 * `--pprof`: the shown intervals as a gzipped profile.proto (encoded with `pprof-format`), for
 * `go tool pprof`, Pyroscope, Parca or Grafana. A sample is a thread's off-CPU time with one stack:
 * values `intervals/count` and `off_cpu/nanoseconds` (the default), labels `thread_id`, `pid`
 * (numbers), `thread_name`, `class` (strings) and, for GIL waits, `holder` (the holding thread's id as
 * a number, or the string `handoff` / `unknown`): GIL waits are split by holder, so
 * `-tagfocus holder=6059` shows the wait a thread caused.
 * Functions and locations are one per distinct frame name.
 */
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { GIL } from '../analysis/gilClassifier.js';
import type { Timeline } from '../timeline/timeline.js';
import { exportedLanes, HOLDER_SEPARATOR, holderId, holderParts, holderViewFrames, warningMessages, type ExportMeta, type HolderView } from './exportCommon.js';

export interface PprofOptions {
  /**
   * `with-holders`: a GIL wait's stack is the waiter's with the holder's on top (`--`, then the
   * holder's stack leaf first, as `--with-holders` lines); `holders`: the holder's stack alone.
   */
  view?: HolderView;
  /** Only these threads (`--python-only`). */
  keepThread?: (tid: number) => boolean;
}

/** A label's value: numbers (thread and process ids) become numeric labels, which `-tagfocus thread_id=6060` matches exactly. */
type LabelValue = string | number;

interface Aggregate {
  frames: readonly string[];
  labels: [string, LabelValue][];
  count: number;
  ns: number;
}

/** The profile, gzipped (what `go tool pprof` and Pyroscope read). */
export function pprofProfile(timeline: Timeline, meta: ExportMeta, options: PprofOptions = {}): Uint8Array {
  return gzipSync(encodeProfile(timeline, meta, options));
}

/** The profile.proto bytes before gzip. */
export function encodeProfile(timeline: Timeline, meta: ExportMeta, options: PprofOptions = {}): Uint8Array {
  const view = options.view ?? 'waiters';
  const samples = new Map<string, Aggregate>();
  const add = (frames: readonly string[], labels: [string, LabelValue][], count: number, ns: number): void => {
    const key = `${labels.map((label) => String(label[1])).join('\0')}\u0001${frames.join('\0')}`;
    const known = samples.get(key);
    if (known === undefined) samples.set(key, { frames, labels, count, ns });
    else {
      known.count += count;
      known.ns += ns;
    }
  };
  for (const lane of exportedLanes(timeline, options.keepThread)) {
    const threadLabels: [string, LabelValue][] = [
      ['thread_id', lane.tid],
      ['thread_name', lane.comm],
      ['pid', lane.process],
    ];
    for (let i = 0; i < lane.length; i++) {
      const interval = lane.interval(i);
      if (!interval.shown) continue;
      const own = timeline.stacks[interval.stack]!;
      const labels: [string, LabelValue][] = [...threadLabels, ['class', interval.cls]];
      const ns = interval.endNs - interval.startNs;
      const stretches = interval.cls === GIL ? lane.stretches(i) : undefined;
      if (stretches === undefined || stretches.length === 0) {
        add(own, labels, 1, ns);
        continue;
      }
      // The interval counts once, with the holder it waited for longest.
      holderParts(stretches).forEach((part, index) => {
        const frames = holderViewFrames(view, own, timeline.stacks[part.stack]!, HOLDER_SEPARATOR);
        add(frames, [...labels, ['holder', holderId(part.tid)]], index === 0 ? 1 : 0, part.ns);
      });
    }
  }

  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const locationIds = new Map<string, number>();
  const locationOf = (name: string): number => {
    let id = locationIds.get(name);
    if (id === undefined) {
      id = locations.length + 1;
      const nameId = strings.dedup(name);
      functions.push(new PprofFunction({ id, name: nameId, systemName: nameId }));
      locations.push(new Location({ id, mappingId: 1, line: [new Line({ functionId: id })] }));
      locationIds.set(name, id);
    }
    return id;
  };
  const countType = new ValueType({ type: strings.dedup('intervals'), unit: strings.dedup('count') });
  const timeType = new ValueType({ type: strings.dedup('off_cpu'), unit: strings.dedup('nanoseconds') });
  // One mapping that says the frames are symbolized already (pprof then does not try), named after the input.
  const mapping = new Mapping({ id: 1, filename: strings.dedup(meta.input), hasFunctions: true });
  const sample: Sample[] = [];
  for (const aggregate of samples.values()) {
    const locationId: number[] = [];
    // pprof lists a sample's locations leaf first.
    for (let i = aggregate.frames.length - 1; i >= 0; i--) locationId.push(locationOf(aggregate.frames[i]!));
    const label = aggregate.labels.map(([key, value]) =>
      typeof value === 'number' ? new Label({ key: strings.dedup(key), num: value }) : new Label({ key: strings.dedup(key), str: strings.dedup(value) }),
    );
    sample.push(new Sample({ locationId, value: [aggregate.count, aggregate.ns], label }));
  }
  const comment = [
    `${meta.generator}: off-CPU time of the classes ${meta.states.join(', ')} from ${meta.input}`,
    `command: ${meta.command}`,
    ...warningMessages(meta),
  ].map((text) => strings.dedup(text));
  const profile = new Profile({
    sampleType: [countType, timeType],
    sample,
    mapping: [mapping],
    location: locations,
    function: functions,
    stringTable: strings,
    durationNanos: timeline.endNs - timeline.startNs,
    periodType: timeType,
    period: 1,
    comment,
    defaultSampleType: timeType.type,
  });
  return profile.encode();
}
