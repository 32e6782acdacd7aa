/// <reference lib="dom" />
/**
 * The timeline of the HTML page: one lane per thread over the recording, colored by state. It runs
 * in the browser; page.ts inlines its source, so it may use only its arguments and the DOM. Each
 * redraw sums, for every pixel column of every lane, the time per state, from the intervals
 * themselves when the lane has all of them and the view holds few, else from the coarsest summary
 * level whose buckets are no wider than a pixel (timelineData.ts); long intervals kept exactly are
 * laid over the summary. A column is drawn as a stack of its states' shares.
 */
import type { TimelineData } from './timelineData.js';

export interface TimelineHooks {
  show(event: MouseEvent, lines: readonly string[]): void;
  hide(): void;
  /** A lane's label was clicked. */
  select(tid: number): void;
  threadName(tid: number): string;
}

export interface TimelineApi {
  /** Shows only this thread's lane, or all lanes. */
  filter(tid: number | undefined): void;
  resize(): void;
}

export function timelineClient(data: TimelineData, names: readonly string[], hooks: TimelineHooks): TimelineApi {
  const byId = (id: string): HTMLElement => document.getElementById(id)!;
  const STATES = data.states.length;
  const COLORS = ['#43a047', '#e53935', '#fb8c00', '#8e24aa', '#90caf9', '#8d6e63', '#fdd835', '#9e9e9e'];
  /** Bottom to top in a column. */
  const STACK_ORDER = [1, 2, 3, 6, 5, 4, 7, 0];
  const LANE = 18;
  const GAP = 4;
  const AXIS = 22;
  const endNs = data.endNs;
  const stateNames = data.states;
  const classState = data.classes.map((cls) => {
    if (cls === 'gil') return 1;
    if (cls === 'gil-drop') return 2;
    if (cls === 'lock') return 3;
    if (cls === 'S') return 4;
    if (cls === 'D') return 5;
    if (cls.startsWith('R')) return 6;
    return 7;
  });

  interface Lane {
    tid: number;
    label: string;
    complete: boolean;
    firstNs: number;
    lastNs: number;
    starts: Float64Array;
    ends: Float64Array;
    cls: Int32Array;
    stack: Int32Array;
    holders: Int32Array;
    /** Per level, decoded on first use. */
    levels: (Uint8Array | undefined)[];
    /** The columns of the last draw (ns per state), for hover. */
    columns: Float64Array;
  }

  const lanes: Lane[] = data.lanes.map((lane) => {
    const n = lane.raw.length / 5;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const cls = new Int32Array(n);
    const stack = new Int32Array(n);
    const holders = new Int32Array(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const r = lane.raw;
      starts[i] = at + r[5 * i]!;
      ends[i] = starts[i]! + r[5 * i + 1]!;
      at = ends[i]!;
      cls[i] = r[5 * i + 2]!;
      stack[i] = r[5 * i + 3]!;
      holders[i] = r[5 * i + 4]!;
    }
    return {
      tid: lane.tid,
      label: hooks.threadName(lane.tid),
      complete: lane.complete,
      firstNs: lane.firstNs,
      lastNs: lane.lastNs,
      starts,
      ends,
      cls,
      stack,
      holders,
      levels: data.levels.map(() => undefined),
      columns: new Float64Array(0),
    };
  });

  const decode = (base64: string, buckets: number): Uint8Array => {
    const text = atob(base64);
    const shares = new Uint8Array(buckets * STATES);
    let at = 0;
    let bucket = 0;
    while (at < text.length) {
      let count = 0;
      for (let shift = 1; ; shift *= 128) {
        const byte = text.charCodeAt(at++);
        count += (byte & 0x7f) * shift;
        if (byte < 0x80) break;
      }
      const mask = text.charCodeAt(at++);
      const run = new Uint8Array(STATES);
      for (let s = 0; s < STATES; s++) if (mask & (1 << s)) run[s] = text.charCodeAt(at++);
      for (let k = 0; k < count && bucket < buckets; k++, bucket++) shares.set(run, bucket * STATES);
    }
    return shares;
  };
  const levelOf = (lane: Lane, laneIndex: number, level: number): Uint8Array => {
    let shares = lane.levels[level];
    if (shares === undefined) {
      const spec = data.levels[level]!;
      shares = decode(spec.lanes[laneIndex]!, spec.buckets);
      lane.levels[level] = shares;
    }
    return shares;
  };

  const canvas = byId('tl-canvas') as HTMLCanvasElement;
  const box = byId('tl-canvas-box');
  const labels = byId('tl-labels');
  const range = byId('tl-range');
  const legend = byId('tl-legend');
  const context = canvas.getContext('2d');
  for (const [i, name] of data.states.entries()) {
    const item = legend.appendChild(document.createElement('span'));
    item.className = 'legend-item';
    const swatch = item.appendChild(document.createElement('span'));
    swatch.className = 'swatch';
    swatch.style.background = COLORS[i]!;
    item.appendChild(document.createTextNode(name));
  }

  // The view opens on the part of the recording where the lanes are (perf often starts well before the program's threads).
  const activeFrom = Math.max(0, Math.min(...lanes.map((lane) => lane.firstNs)) - 0.01 * endNs);
  const activeTo = Math.min(endNs, Math.max(...lanes.map((lane) => lane.lastNs)) + 0.01 * endNs);
  let view0 = activeFrom;
  let view1 = activeTo > activeFrom ? activeTo : endNs;
  let shownTid: number | undefined;
  let visible = lanes.map((_, i) => i);
  let widthPx = 0;
  let dpr = 1;

  const drawLabels = (): void => {
    labels.textContent = '';
    labels.appendChild(document.createElement('div')).className = 'tl-axis-spacer';
    for (const index of visible) {
      const lane = lanes[index]!;
      const div = labels.appendChild(document.createElement('div'));
      div.className = 'tl-label';
      div.dataset.tid = String(lane.tid);
      div.textContent = lane.label;
      div.title = `${lane.label}: click to show only this thread (again: all threads)`;
      div.addEventListener('click', () => hooks.select(lane.tid));
    }
  };

  const niceStep = (span: number): number => {
    const raw = span / 8;
    const power = 10 ** Math.floor(Math.log10(raw));
    for (const m of [1, 2, 5]) if (m * power >= raw) return m * power;
    return 10 * power;
  };
  const time = (ns: number): string => (endNs >= 1e10 ? `${(ns / 1e9).toFixed(3)} s` : `${(ns / 1e6).toFixed(3)} ms`);
  const usFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const duration = (ns: number): string => (ns < 1e7 ? `${usFormat.format(ns / 1000)} µs` : `${(ns / 1e6).toFixed(2)} ms`);

  /** Adds `density` × overlap of [a, b) with each column to state `s` of `columns`. */
  const spread = (columns: Float64Array, count: number, a: number, b: number, s: number, density: number, nsPerPx: number): void => {
    const from = Math.max(a, view0);
    const to = Math.min(b, view1);
    if (to <= from) return;
    const c0 = Math.floor((from - view0) / nsPerPx);
    const c1 = Math.min(count - 1, Math.floor((to - view0) / nsPerPx));
    for (let c = c0; c <= c1; c++) {
      const left = view0 + c * nsPerPx;
      const overlap = Math.min(to, left + nsPerPx) - Math.max(from, left);
      if (overlap > 0) columns[c * STATES + s]! += overlap * density;
    }
  };
  /** First interval of the lane that ends after t. */
  const firstEndingAfter = (lane: Lane, t: number): number => {
    let lo = 0;
    let hi = lane.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lane.ends[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const finestWidth = data.levels.length === 0 ? Infinity : endNs / data.levels[data.levels.length - 1]!.buckets;
  const columnsOf = (lane: Lane, laneIndex: number, count: number, nsPerPx: number): Float64Array => {
    const columns = new Float64Array(count * STATES);
    const i0 = firstEndingAfter(lane, view0);
    let i1 = i0;
    while (i1 < lane.starts.length && lane.starts[i1]! < view1) i1++;
    if (lane.complete && (i1 - i0 <= 4 * count || finestWidth > nsPerPx || data.levels.length === 0)) {
      for (let i = Math.max(0, i0 - 1); i <= i1 && i < lane.starts.length; i++) {
        if (i > 0) spread(columns, count, lane.ends[i - 1]!, lane.starts[i]!, 0, 1, nsPerPx);
        spread(columns, count, lane.starts[i]!, lane.ends[i]!, classState[lane.cls[i]!]!, 1, nsPerPx);
      }
      return columns;
    }
    let level = data.levels.findIndex((spec) => endNs / spec.buckets <= nsPerPx);
    if (level < 0) level = data.levels.length - 1;
    const buckets = data.levels[level]!.buckets;
    const width = endNs / buckets;
    const shares = levelOf(lane, laneIndex, level);
    const b0 = Math.max(0, Math.floor(view0 / width));
    const b1 = Math.min(buckets - 1, Math.floor(view1 / width));
    for (let b = b0; b <= b1; b++) {
      for (let s = 0; s < STATES; s++) {
        const share = shares[b * STATES + s]!;
        if (share > 0) spread(columns, count, b * width, (b + 1) * width, s, share / 255, nsPerPx);
      }
    }
    // Intervals known exactly replace the summary where they are.
    for (let i = i0; i < i1; i++) {
      const state = classState[lane.cls[i]!]!;
      const from = Math.max(lane.starts[i]!, view0);
      const to = Math.min(lane.ends[i]!, view1);
      const c0 = Math.floor((from - view0) / nsPerPx);
      const c1 = Math.min(count - 1, Math.floor((to - view0) / nsPerPx));
      for (let c = c0; c <= c1; c++) {
        const left = view0 + c * nsPerPx;
        const f = (Math.min(to, left + nsPerPx) - Math.max(from, left)) / nsPerPx;
        if (f <= 0) continue;
        for (let s = 0; s < STATES; s++) columns[c * STATES + s]! *= 1 - f;
        columns[c * STATES + state]! += f * nsPerPx;
      }
    }
    return columns;
  };

  let pending = false;
  const draw = (): void => {
    pending = false;
    if (context === null) return;
    dpr = window.devicePixelRatio || 1;
    widthPx = Math.max(100, Math.floor(box.getBoundingClientRect().width));
    const heightPx = AXIS + visible.length * (LANE + GAP);
    canvas.style.width = `${widthPx}px`;
    canvas.style.height = `${heightPx}px`;
    canvas.width = Math.round(widthPx * dpr);
    canvas.height = Math.round(heightPx * dpr);
    const count = canvas.width;
    const nsPerPx = (view1 - view0) / count;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    // Axis.
    context.fillStyle = '#555';
    context.font = `${11 * dpr}px system-ui, sans-serif`;
    context.textBaseline = 'top';
    const step = niceStep(view1 - view0);
    for (let t = Math.ceil(view0 / step) * step; t <= view1; t += step) {
      const x = Math.round((t - view0) / nsPerPx);
      context.fillRect(x, (AXIS - 6) * dpr, Math.max(1, dpr), 6 * dpr);
      const text = time(t);
      const w = context.measureText(text).width;
      context.fillText(text, Math.min(canvas.width - w, Math.max(0, x - w / 2)), 2 * dpr);
    }
    const laneH = LANE * dpr;
    for (const [row, index] of visible.entries()) {
      const lane = lanes[index]!;
      const columns = columnsOf(lane, index, count, nsPerPx);
      lane.columns = columns;
      const top = (AXIS + row * (LANE + GAP)) * dpr;
      context.fillStyle = '#f3f3f3';
      context.fillRect(0, top, canvas.width, laneH);
      // Runs of columns with equal integer heights are one rectangle per state.
      const heights = new Int32Array(STATES);
      const previous = new Int32Array(STATES).fill(-1);
      let runStart = 0;
      const flush = (end: number): void => {
        if (previous[0] === -1) return;
        let y = top + laneH;
        for (const s of STACK_ORDER) {
          const h = previous[s]!;
          if (h <= 0) continue;
          context.fillStyle = COLORS[s]!;
          context.fillRect(runStart, y - h, end - runStart, h);
          y -= h;
        }
      };
      for (let c = 0; c < count; c++) {
        let cumulative = 0;
        let drawn = 0;
        for (const s of STACK_ORDER) {
          cumulative += columns[c * STATES + s]! / nsPerPx;
          const y = Math.round(Math.min(1, cumulative) * laneH);
          heights[s] = y - drawn;
          drawn = y;
        }
        let same = previous[0] !== -1;
        for (let s = 0; same && s < STATES; s++) same = heights[s] === previous[s];
        if (same) continue;
        flush(c);
        previous.set(heights);
        runStart = c;
      }
      flush(count);
    }
    range.textContent = `${time(view0)} – ${time(view1)} (${duration(view1 - view0)} shown of ${duration(endNs)})`;
    canvas.dataset.lanes = String(visible.length);
    canvas.dataset.view = `${view0},${view1}`;
  };
  const redraw = (): void => {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(draw);
  };

  const setView = (from: number, to: number): void => {
    const minSpan = Math.min(endNs, 10_000);
    let span = Math.max(minSpan, Math.min(endNs, to - from));
    let start = from;
    if (to - from < minSpan) start = (from + to) / 2 - span / 2;
    start = Math.max(0, Math.min(endNs - span, start));
    span = Math.min(span, endNs - start);
    view0 = start;
    view1 = start + span;
    redraw();
  };
  const zoomAt = (factor: number, atNs: number): void => {
    setView(atNs - (atNs - view0) * factor, atNs + (view1 - atNs) * factor);
  };

  const at = (event: MouseEvent): { t: number; row: number; column: number } => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const column = Math.floor(x * dpr);
    const nsPerPx = (view1 - view0) / canvas.width;
    const inLane = y - AXIS;
    const row = inLane >= 0 && inLane % (LANE + GAP) < LANE ? Math.floor(inLane / (LANE + GAP)) : -1;
    return { t: view0 + column * nsPerPx, row, column };
  };

  const holderName = (tid: number): string =>
    tid === -1 ? '(hand-off: nobody, the GIL was on its way)' : tid === -2 ? '(unknown)' : tid === -3 ? '(other threads)' : hooks.threadName(tid);
  const describe = (lane: Lane, column: number): string[] | undefined => {
    const nsPerPx = (view1 - view0) / canvas.width;
    const from = view0 + column * nsPerPx;
    const to = from + nsPerPx;
    // The longest interval known exactly under the pointer's column.
    let best = -1;
    for (let i = firstEndingAfter(lane, from), k = 0; i < lane.starts.length && lane.starts[i]! < to && k < 500; i++, k++) {
      if (best < 0 || lane.ends[i]! - lane.starts[i]! > lane.ends[best]! - lane.starts[best]!) best = i;
    }
    if (best >= 0) {
      const cls = data.classes[lane.cls[best]!]!;
      const stateName = stateNames[classState[lane.cls[best]!]!]!;
      const lines = [`${lane.label}: ${stateName}${stateName === cls || cls === 'gil' || cls === 'gil-drop' || cls === 'lock' ? '' : ` (${cls})`}`];
      lines.push(`${duration(lane.ends[best]! - lane.starts[best]!)}, ${time(lane.starts[best]!)} – ${time(lane.ends[best]!)}`);
      const list = lane.holders[best]!;
      if (list >= 0) {
        const holders = data.holders[list]!;
        lines.push('GIL held by:');
        for (let h = 0; h < holders.length; h += 3) {
          const tid = holders[h]!;
          lines.push(`  ${holderName(tid)} — ${tid < 0 ? '' : `${data.holderStates[holders[h + 2]!]}, `}${duration(1000 * holders[h + 1]!)}`);
        }
      }
      const stack = lane.stack[best]!;
      if (stack >= 0) {
        lines.push('top frames:');
        for (const id of data.stacks[stack]!.slice(0, 8)) lines.push(`  ${names[id]}`);
      }
      return lines;
    }
    if (lane.complete && from >= lane.firstNs && from < lane.lastNs) {
      const next = firstEndingAfter(lane, from);
      const start = next > 0 ? lane.ends[next - 1]! : lane.firstNs;
      const end = next < lane.starts.length ? lane.starts[next]! : lane.lastNs;
      return [`${lane.label}: running`, `${duration(end - start)}, ${time(start)} – ${time(end)}`];
    }
    const columns = lane.columns;
    if (columns.length === 0) return undefined;
    const parts: string[] = [];
    for (let s = 0; s < STATES; s++) {
      const ns = columns[column * STATES + s]!;
      if (ns > 0) parts.push(`  ${stateNames[s]}: ${((100 * ns) / nsPerPx).toFixed(0)}%`);
    }
    if (parts.length === 0) return undefined;
    return [`${lane.label}: ${duration(nsPerPx)} at ${time(from)}`, ...parts];
  };

  let drag: { x: number; from: number; to: number; moved: boolean } | undefined;
  canvas.addEventListener('mousemove', (event) => {
    if (drag !== undefined) {
      const nsPerCss = (drag.to - drag.from) / widthPx;
      const dx = event.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      setView(drag.from - dx * nsPerCss, drag.to - dx * nsPerCss);
      hooks.hide();
      return;
    }
    const { row, column } = at(event);
    const index = visible[row];
    const lines = index === undefined ? undefined : describe(lanes[index]!, column);
    if (lines === undefined) hooks.hide();
    else hooks.show(event, lines);
  });
  canvas.addEventListener('mouseleave', () => hooks.hide());
  canvas.addEventListener('mousedown', (event) => {
    drag = { x: event.clientX, from: view0, to: view1, moved: false };
    event.preventDefault();
  });
  window.addEventListener('mouseup', () => {
    drag = undefined;
  });
  canvas.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const { t } = at(event);
      zoomAt(Math.exp(Math.max(-1, Math.min(1, event.deltaY * 0.002))), t);
    },
    { passive: false },
  );
  byId('tl-in').addEventListener('click', () => zoomAt(0.5, (view0 + view1) / 2));
  byId('tl-out').addEventListener('click', () => zoomAt(2, (view0 + view1) / 2));
  byId('tl-fit').addEventListener('click', () => setView(activeFrom, activeTo));
  byId('tl-reset').addEventListener('click', () => setView(0, endNs));

  drawLabels();
  draw();

  // For tests and tools: where things are on the canvas (CSS pixels from its top left corner).
  (window as unknown as { offgilTimeline: unknown }).offgilTimeline = {
    lanes: () => visible.map((i) => lanes[i]!.tid),
    view: () => [view0, view1],
    setView,
    xOf: (ns: number) => ((ns - view0) / (view1 - view0)) * widthPx,
    yOf: (tid: number) => {
      const row = visible.findIndex((i) => lanes[i]!.tid === tid);
      return row < 0 ? -1 : AXIS + row * (LANE + GAP) + LANE / 2;
    },
    intervals: (tid: number) => {
      const lane = lanes.find((l) => l.tid === tid);
      if (lane === undefined) return [];
      return [...lane.starts.keys()].map((i) => ({ startNs: lane.starts[i], endNs: lane.ends[i], cls: data.classes[lane.cls[i]!], holders: lane.holders[i]! >= 0 }));
    },
  };

  return {
    filter(tid: number | undefined): void {
      shownTid = tid;
      visible = lanes.map((_, i) => i).filter((i) => shownTid === undefined || lanes[i]!.tid === shownTid);
      drawLabels();
      draw();
    },
    resize(): void {
      redraw();
    },
  };
}
