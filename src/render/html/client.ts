/// <reference lib="dom" />
/**
 * The script of the HTML page. It runs in the browser, not in Node: page.ts inlines its source
 * (Function.prototype.toString), so that it is type-checked and linted with the rest. The function
 * must therefore use nothing from this module at run time, only its own body, its argument (the
 * timeline's code, timelineClient.ts, inlined the same way), the DOM and the page's globals `d3` and
 * `flamegraph` (the inlined UMD builds). Names from the profile reach the document only as text.
 */
import type { PageData, PageThread } from './pageData.js';
import type { timelineClient } from './timelineClient.js';

interface PageNode {
  name: string;
  value: number;
  kind?: string;
  /** Diff: after − before, and both sides (in stack values). */
  delta?: number;
  before?: number;
  after?: number;
  children?: PageNode[];
  /** Set by d3-flame-graph while zoomed. */
  fade?: boolean;
  hide?: boolean;
}

/** The d3-hierarchy node d3-flame-graph hands to its callbacks. */
interface ChartNode {
  data: PageNode;
  depth: number;
  parent: ChartNode | null;
  highlight?: boolean;
}

interface Tooltip {
  (): void;
  show(event: MouseEvent, d: ChartNode): void;
  hide(): void;
}

/** The part of d3-flame-graph 5's chart API the page uses. */
interface FlameChart {
  width(): number;
  width(px: number): FlameChart;
  cellHeight(px: number): FlameChart;
  minFrameSize(px: number): FlameChart;
  transitionDuration(ms: number): FlameChart;
  inverted(on: boolean): FlameChart;
  sort(on: boolean): FlameChart;
  tooltip(tip: Tooltip): FlameChart;
  setLabelHandler(label: (d: ChartNode) => string): FlameChart;
  setDetailsHandler(details: (text: string | null) => void): FlameChart;
  setColorMapper(color: (d: ChartNode, original: string) => string): FlameChart;
  setSearchMatch(match: (d: ChartNode, term: string) => boolean): FlameChart;
  setSearchHandler(handler: (results: ChartNode[], sum: number, total: number) => void): FlameChart;
  onClick(handler: (d: ChartNode) => void): FlameChart;
  search(term: string): void;
  clear(): void;
  resetZoom(): void;
  update(data?: PageNode): FlameChart;
}

interface PageGlobals {
  flamegraph: { default: () => FlameChart };
  d3: { select(selector: string): { datum(data: PageNode): { call(chart: FlameChart): void } } };
}

interface Stack {
  tid: number;
  values: number[];
  frames: number[];
}

export function reportClient(makeTimeline: typeof timelineClient): void {
  const { flamegraph, d3 } = window as unknown as PageGlobals;
  const byId = (id: string): HTMLElement => document.getElementById(id)!;
  const data = JSON.parse(byId('offgil-data').textContent!) as PageData;
  const diff = data.mode === 'diff';
  const names = data.names;
  const unit = data.unit;
  const scale = data.scale;
  const kindNames: Record<string, string> = { p: 'python', c: 'cpython', n: 'native', l: 'libc', k: 'kernel' };
  // d3-hierarchy (inside d3-flame-graph) computes node heights in time quadratic in the depth of a
  // chain: a 32,000-frame stack took 27 s to draw here, 100,000 frames never ended. Deeper stacks keep
  // their root and leaf halves in this view (then a 100,000-frame stack loads in about 2 s).
  const MAX_SHOWN_FRAMES = 2048;

  const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
  const wholeNumbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const shown = (value: number): string => `${(scale === 1 ? numbers : wholeNumbers).format(value / scale)} ${unit}`;

  // Children are ordered by name in code point order, as flamegraph.pl sorts.
  const rank = new Int32Array(names.length);
  const codePoints = (a: string, b: string): number => {
    const units = (u: number): number => (u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a.charCodeAt(i);
      const y = b.charCodeAt(i);
      if (x !== y) return units(x) - units(y);
    }
    return a.length - b.length;
  };
  [...names.keys()].sort((a, b) => codePoints(names[a]!, names[b]!)).forEach((id, i) => (rank[id] = i));

  // Each view's stacks, decoded once.
  const counts = diff ? 2 : 1;
  const views = data.views.map((view) => {
    const list: Stack[] = [];
    const s = view.stacks;
    let previous: number[] = [];
    for (let at = 0; at < s.length; ) {
      const tid = s[at++]!;
      const values = s.slice(at, at + counts);
      at += counts;
      const common = s[at++]!;
      const fresh = s[at++]!;
      const frames = previous.slice(0, common);
      for (let k = 0; k < fresh; k++) frames.push(s[at++]!);
      previous = frames;
      list.push({ tid, values, frames });
    }
    return { id: view.id, label: view.label, stacks: list };
  });

  const state = {
    view: Math.min(views.length - 1, data.initialView ?? 0),
    tid: undefined as number | undefined,
    inverted: false,
    /** Diff: which side gives the widths. */
    widthSide: 'after' as 'after' | 'before',
  };

  interface Building {
    node: PageNode;
    children: Map<number, Building> | undefined;
  }

  const buildTree = (): PageNode => {
    const root: Building = { node: { name: 'all', value: 0 }, children: undefined };
    if (diff) Object.assign(root.node, { delta: 0, before: 0, after: 0 });
    for (const stack of views[state.view]!.stacks) {
      if (state.tid !== undefined && data.byThread === true && stack.tid !== state.tid) continue;
      const before = stack.values[0]!;
      const after = diff ? stack.values[1]! : before;
      const width = diff && state.widthSide === 'before' ? before : after;
      const nodes = [root];
      let parent = root;
      const omitted = stack.frames.length - MAX_SHOWN_FRAMES;
      // The frames left out of a very deep stack become one node, keyed apart from every frame id.
      const path = omitted > 0 ? [...stack.frames.slice(0, MAX_SHOWN_FRAMES / 2), -omitted, ...stack.frames.slice(-MAX_SHOWN_FRAMES / 2)] : stack.frames;
      for (const id of path) {
        parent.children ??= new Map();
        let child = parent.children.get(id);
        if (child === undefined) {
          const name = id < 0 ? `[${(-id).toLocaleString('en-US')} frames not shown here: see the folded output]` : names[id]!;
          child = { node: { name, value: 0, kind: id < 0 ? undefined : kindNames[data.kinds[id]!] }, children: undefined };
          if (diff) Object.assign(child.node, { delta: 0, before: 0, after: 0 });
          parent.children.set(id, child);
        }
        nodes.push(child);
        parent = child;
      }
      for (const building of nodes) {
        building.node.value += width;
        if (diff) {
          building.node.before! += before;
          building.node.after! += after;
          building.node.delta! += after - before;
        }
      }
    }
    // Without recursion: stacks can be 100,000 frames deep.
    const pending = [root];
    for (let building = pending.pop(); building !== undefined; building = pending.pop()) {
      if (building.children === undefined) continue;
      const children = [...building.children.entries()].sort((a, b) => (rank[a[0]] ?? -1) - (rank[b[0]] ?? -1)).map(([, child]) => child);
      building.node.children = children.map((child) => child.node);
      pending.push(...children);
    }
    return root.node;
  };

  let tree = buildTree();
  let total = tree.value;
  let maxDelta = 1;
  const measureDeltas = (): void => {
    maxDelta = 1;
    const pending = [tree];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (node.delta !== undefined && node !== tree) maxDelta = Math.max(maxDelta, Math.abs(node.delta));
      if (node.children !== undefined) pending.push(...node.children);
    }
  };
  if (diff) measureDeltas();
  const percent = (value: number): string => `${total > 0 ? ((100 * value) / total).toFixed(2) : '0.00'}%`;
  const signed = (value: number): string => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${shown(Math.abs(value))}`;

  // Hue families per frame kind; the name picks the shade, so a function keeps its color.
  const families: Record<string, { label: string; hue: number; spread: number; saturation: number; light: number }> = {
    python: { label: 'Python', hue: 100, spread: 40, saturation: 55, light: 58 },
    cpython: { label: 'CPython', hue: 46, spread: 14, saturation: 85, light: 56 },
    native: { label: 'native', hue: 0, spread: 14, saturation: 75, light: 64 },
    libc: { label: 'libc / pthreads', hue: 174, spread: 22, saturation: 50, light: 55 },
    kernel: { label: 'kernel', hue: 22, spread: 14, saturation: 90, light: 58 },
  };
  const nameShade = (name: string): number => {
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
    return (hash >>> 0) / 0xffffffff;
  };
  const kindColor = (name: string, kind: string | undefined): string => {
    const family = families[kind ?? ''];
    if (family === undefined) return 'hsl(0, 0%, 78%)';
    const shade = nameShade(name);
    return `hsl(${(family.hue + family.spread * shade).toFixed(1)}, ${family.saturation}%, ${(family.light + 8 * shade).toFixed(1)}%)`;
  };
  // Differential colors as flamegraph.pl's: red for more, blue for less, deepest at the largest change.
  const deltaColor = (delta: number): string => {
    const fade = Math.round(210 - (210 * Math.min(1, Math.abs(delta) / maxDelta)));
    if (delta > 0) return `rgb(255,${fade},${fade})`;
    if (delta < 0) return `rgb(${fade},${fade},255)`;
    return 'rgb(255,255,255)';
  };
  const color = (d: ChartNode): string => {
    if (d.highlight) return 'hsl(300, 100%, 45%)';
    if (diff) return deltaColor(d.data.delta ?? 0);
    return kindColor(d.data.name, d.data.kind);
  };

  const legend = byId('legend');
  const drawLegend = (): void => {
    legend.textContent = '';
    const item = (background: string, label: string): void => {
      const span = legend.appendChild(document.createElement('span'));
      span.className = 'legend-item';
      const swatch = span.appendChild(document.createElement('span'));
      swatch.className = 'swatch';
      swatch.style.background = background;
      span.appendChild(document.createTextNode(label));
    };
    if (diff) {
      item(deltaColor(maxDelta), `more in ${data.after ?? 'after'}`);
      item(deltaColor(-maxDelta), `less in ${data.after ?? 'after'}`);
      return;
    }
    const present = new Set<string>();
    const pending = [tree];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (node.kind !== undefined) present.add(node.kind);
      if (node.children !== undefined) pending.push(...node.children);
    }
    for (const [kind, family] of Object.entries(families)) if (present.has(kind)) item(kindColor(kind, kind), family.label);
  };
  drawLegend();

  // One tooltip for the flame graph and the timeline: lines of text.
  const tooltipBox = byId('tooltip');
  const showTip = (event: MouseEvent, lines: readonly string[]): void => {
    tooltipBox.textContent = '';
    lines.forEach((line, i) => {
      const div = tooltipBox.appendChild(document.createElement('div'));
      div.className = i === 0 ? 'tip-title' : 'tip-line';
      div.textContent = line;
    });
    tooltipBox.hidden = false;
    const margin = 12;
    const box = tooltipBox.getBoundingClientRect();
    const left = event.clientX + margin + box.width > window.innerWidth ? event.clientX - margin - box.width : event.clientX + margin;
    const top = event.clientY + margin + box.height > window.innerHeight ? event.clientY - margin - box.height : event.clientY + margin;
    tooltipBox.style.left = `${Math.max(0, left)}px`;
    tooltipBox.style.top = `${Math.max(0, top)}px`;
  };
  const hideTip = (): void => {
    tooltipBox.hidden = true;
  };
  const frameLines = (d: PageNode): string[] => {
    if (diff) {
      const before = d.before ?? 0;
      const after = d.after ?? 0;
      const change = before > 0 ? ` (${after >= before ? '+' : '−'}${((100 * Math.abs(after - before)) / before).toFixed(1)}%)` : '';
      return [d.name, `${data.before ?? 'before'}: ${shown(before)}`, `${data.after ?? 'after'}: ${shown(after)}`, `change: ${signed(after - before)}${change}`];
    }
    return [d.name, `${shown(d.value)} (${percent(d.value)} of ${state.tid === undefined ? 'total' : `thread ${state.tid}`})`, families[d.kind ?? '']?.label ?? ''];
  };
  const tooltip = Object.assign(() => undefined, {
    show(event: MouseEvent, d: ChartNode): void {
      showTip(event, frameLines(d.data).filter((line) => line !== ''));
    },
    hide: hideTip,
  });

  const details = byId('details');
  const detailsHint = details.textContent;
  const resetButton = byId('reset') as HTMLButtonElement;
  const searchBox = byId('search') as HTMLInputElement;
  const searchResult = byId('search-result');
  const chartBox = byId('chart');
  const chartWidth = (): number => Math.floor(chartBox.getBoundingClientRect().width) || 960;

  // A valid regular expression is used as one; anything else is matched as plain text.
  let term = '';
  let matcher: (name: string) => boolean = () => false;
  const setTerm = (next: string): void => {
    term = next;
    try {
      const pattern = new RegExp(next);
      matcher = (name) => pattern.test(name);
    } catch {
      matcher = (name) => name.includes(next);
    }
  };

  const label = (d: ChartNode): string => {
    if (diff) return `${d.data.name} — ${shown(d.data.value)} (${signed(d.data.delta ?? 0)})`;
    return `${d.data.name} — ${shown(d.data.value)} (${percent(d.data.value)})`;
  };
  const chart = flamegraph
    .default()
    .width(chartWidth())
    .cellHeight(18)
    .minFrameSize(1)
    .transitionDuration(300)
    .sort(false)
    .tooltip(tooltip)
    .setColorMapper(color)
    .setLabelHandler(label)
    .setDetailsHandler((text) => {
      details.textContent = text ?? detailsHint;
    })
    .setSearchMatch((d) => d.depth > 0 && matcher(d.data.name))
    .setSearchHandler((results) => {
      // A frame inside another match is already counted with it; d3-flame-graph's own sum only
      // covers the zoomed part, so the total is taken from the data.
      let matched = 0;
      for (const node of results) {
        let above = node.parent;
        while (above !== null && !above.highlight) above = above.parent;
        if (above === null) matched += node.data.value;
      }
      searchResult.textContent = `Matched ${shown(matched)} of ${shown(total)} (${percent(matched)})`;
    })
    .onClick((d) => {
      resetButton.disabled = d.depth === 0;
    });
  // d3's partition cannot lay out a tree of no time: say so instead.
  const showEmpty = (): boolean => {
    const empty = total <= 0;
    chartBox.hidden = empty;
    if (empty) details.textContent = state.tid === undefined ? 'Nothing to show in this view.' : `Thread ${state.tid} has nothing in this view.`;
    else if (details.textContent?.startsWith('Nothing') || details.textContent?.startsWith('Thread ')) details.textContent = detailsHint;
    return empty;
  };
  let drawn = false;
  if (!showEmpty()) {
    d3.select('#chart').datum(tree).call(chart);
    drawn = true;
  }

  const runSearch = (): void => {
    setTerm(searchBox.value);
    if (!drawn || chartBox.hidden) return;
    if (term === '') {
      chart.clear();
      searchResult.textContent = '';
    } else {
      chart.search(term);
    }
  };
  let searchTimer: number | undefined;
  searchBox.addEventListener('input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(runSearch, 150);
  });
  searchBox.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    window.clearTimeout(searchTimer);
    runSearch();
  });
  resetButton.addEventListener('click', () => {
    chart.resetZoom();
    resetButton.disabled = true;
  });

  const redrawChart = (): void => {
    tree = buildTree();
    total = tree.value;
    if (diff) measureDeltas();
    resetButton.disabled = true;
    if (!showEmpty()) {
      if (drawn) chart.update(tree);
      else d3.select('#chart').datum(tree).call(chart);
      drawn = true;
      if (term !== '') chart.search(term);
    }
    drawLegend();
    const filter = byId('filter');
    filter.hidden = state.tid === undefined;
    filter.textContent =
      state.tid === undefined
        ? ''
        : data.byThread === true
          ? `thread ${state.tid} only — click it again to show all threads`
          : `all threads: this page has no stacks per thread (timeline: thread ${state.tid} only)`;
    document.body.dataset.view = views[state.view]!.id;
  };

  // View switch, icicle toggle, diff width side.
  const viewSwitch = document.getElementById('views');
  if (viewSwitch !== null) {
    for (const [i, view] of views.entries()) {
      const button = viewSwitch.appendChild(document.createElement('button'));
      button.type = 'button';
      button.dataset.view = view.id;
      button.textContent = view.label;
      button.setAttribute('aria-pressed', String(i === state.view));
      button.addEventListener('click', () => {
        if (state.view === i) return;
        state.view = i;
        for (const other of viewSwitch.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
        redrawChart();
      });
    }
    viewSwitch.hidden = views.length < 2;
  }
  const invertBox = byId('inverted') as HTMLInputElement;
  invertBox.addEventListener('change', () => {
    state.inverted = invertBox.checked;
    chart.inverted(state.inverted);
    if (drawn && !chartBox.hidden) chart.update();
    chartBox.classList.toggle('inverted', state.inverted);
  });
  const sideSelect = document.getElementById('width-side') as HTMLSelectElement | null;
  sideSelect?.addEventListener('change', () => {
    state.widthSide = sideSelect.value === 'before' ? 'before' : 'after';
    redrawChart();
  });

  // The thread table: sortable columns, a click on a row filters every view to the thread.
  const threads = data.threads ?? [];
  const table = document.getElementById('threads') as HTMLTableElement | null;
  let timeline: ReturnType<typeof timelineClient> | undefined;
  const setThread = (tid: number | undefined): void => {
    state.tid = tid === state.tid ? undefined : tid;
    for (const row of table?.tBodies[0]?.rows ?? []) row.classList.toggle('selected', Number(row.dataset.tid) === state.tid);
    redrawChart();
    timeline?.filter(state.tid);
  };
  if (table !== null && threads.length > 0) {
    type Column = { key: keyof PageThread; label: string; title: string; text?: boolean };
    const columns: Column[] = [
      { key: 'comm', label: 'thread', title: 'thread name', text: true },
      { key: 'tid', label: 'tid', title: 'thread id' },
      { key: 'gil', label: 'GIL wait', title: 'time waiting in take_gil' },
      { key: 'caused', label: 'caused', title: 'GIL wait of other threads while this thread held the GIL' },
      { key: 'running', label: 'running', title: 'on a CPU (observed time not off-CPU)' },
      { key: 'gilDrop', label: 'GIL drop', title: 'waiting in drop_gil until another thread took the GIL' },
      { key: 'lock', label: 'lock', title: 'waiting for a threading lock, queue or condition' },
      { key: 'sleep', label: 'sleep', title: 'asleep (S): timers, sockets, pipes' },
      { key: 'io', label: 'I/O', title: 'uninterruptible (D): disk I/O, page faults' },
      { key: 'preempted', label: 'preempted', title: 'runnable without a CPU (R)' },
      { key: 'other', label: 'other', title: 'other states' },
      { key: 'observed', label: 'observed', title: 'from the first to the last event of the thread' },
    ];
    const ms = (ns: number): string => `${(ns / 1e6).toFixed(1)} ms`;
    const head = table.createTHead().insertRow();
    const body = table.tBodies[0] ?? table.createTBody();
    let sortKey: keyof PageThread = 'gil';
    let descending = true;
    const fill = (): void => {
      const sorted = [...threads].sort((a, b) => {
        const x = a[sortKey];
        const y = b[sortKey];
        const order = typeof x === 'string' ? codePoints(x, y as string) : (x as number) - (y as number);
        return (descending ? -order : order) || a.tid - b.tid;
      });
      body.textContent = '';
      for (const thread of sorted) {
        const row = body.insertRow();
        row.dataset.tid = String(thread.tid);
        row.classList.toggle('selected', thread.tid === state.tid);
        row.title = 'click: show only this thread; click again: all threads';
        for (const column of columns) {
          const cell = row.insertCell();
          const value = thread[column.key];
          if (column.text) cell.textContent = String(value);
          else if (column.key === 'tid') cell.textContent = String(value);
          else {
            cell.textContent = ms(value as number);
            if (thread.observed > 0 && column.key !== 'observed' && column.key !== 'caused') {
              const share = cell.appendChild(document.createElement('span'));
              share.className = 'share';
              share.textContent = ` ${((100 * (value as number)) / thread.observed).toFixed(0)}%`;
            }
          }
          if (!column.text) cell.className = 'num';
        }
        row.addEventListener('click', () => setThread(thread.tid));
      }
      for (const th of head.cells) {
        const key = th.dataset.key as keyof PageThread;
        th.setAttribute('aria-sort', key === sortKey ? (descending ? 'descending' : 'ascending') : 'none');
      }
    };
    for (const column of columns) {
      const th = document.createElement('th');
      head.appendChild(th);
      th.dataset.key = column.key;
      th.textContent = column.label;
      th.title = `${column.title} — click to sort`;
      if (!column.text) th.className = 'num';
      th.addEventListener('click', () => {
        if (sortKey === column.key) descending = !descending;
        else {
          sortKey = column.key;
          descending = !column.text;
        }
        fill();
      });
    }
    fill();
  }

  if (data.timeline !== undefined && document.getElementById('tl-canvas') !== null) {
    timeline = makeTimeline(data.timeline, names, {
      show: showTip,
      hide: hideTip,
      select: (tid) => setThread(tid),
      threadName: (tid) => {
        const thread = threads.find((t) => t.tid === tid);
        return thread === undefined ? String(tid) : `${thread.comm} ${tid}`;
      },
    });
  }

  const fitWidth = (): void => {
    const width = chartWidth();
    if (width !== chart.width()) {
      chart.width(width);
      if (drawn && !chartBox.hidden) chart.update();
    }
    timeline?.resize();
  };
  // The observer also sees a scroll bar appearing, which fires no window resize event.
  if (typeof ResizeObserver === 'function') new ResizeObserver(fitWidth).observe(chartBox);
  else window.addEventListener('resize', fitWidth);
  document.body.dataset.view = views[state.view]!.id;
  document.body.dataset.ready = String(Math.round(performance.now()));
}
