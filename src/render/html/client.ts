/// <reference lib="dom" />
/**
 * The script of the HTML page. It runs in the browser, not in Node: page.ts inlines its source
 * (Function.prototype.toString), so that it is type-checked and linted with the rest. The function
 * must therefore use nothing from this module at run time, only its own body, the DOM and the
 * page's globals `d3` and `flamegraph` (the inlined UMD builds).
 */

interface PageNode {
  name: string;
  value: number;
  kind?: string;
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
  update(): FlameChart;
}

interface PageGlobals {
  flamegraph: { default: () => FlameChart };
  d3: { select(selector: string): { datum(data: PageNode): { call(chart: FlameChart): void } } };
}

export function flameGraphClient(): void {
  const { flamegraph, d3 } = window as unknown as PageGlobals;
  const byId = (id: string): HTMLElement => document.getElementById(id)!;
  const data = JSON.parse(byId('offgil-data').textContent!) as { unit: string; tree: PageNode };
  const tree = data.tree;
  const total = tree.value;
  const unit = data.unit;

  const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
  const amount = (value: number): string => `${numbers.format(value)} ${unit}`;
  const percent = (value: number): string => `${total > 0 ? ((100 * value) / total).toFixed(2) : '0.00'}%`;

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
  const color = (d: ChartNode): string => {
    if (d.highlight) return 'hsl(300, 100%, 45%)';
    const family = families[d.data.kind ?? ''];
    if (family === undefined) return 'hsl(0, 0%, 78%)';
    const shade = nameShade(d.data.name);
    return `hsl(${(family.hue + family.spread * shade).toFixed(1)}, ${family.saturation}%, ${(family.light + 8 * shade).toFixed(1)}%)`;
  };

  const legend = byId('legend');
  const kindsPresent = new Set<string>();
  const pending = [tree];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind !== undefined) kindsPresent.add(node.kind);
    if (node.children !== undefined) pending.push(...node.children);
  }
  for (const [kind, family] of Object.entries(families)) {
    if (!kindsPresent.has(kind)) continue;
    const item = legend.appendChild(document.createElement('span'));
    item.className = 'legend-item';
    const swatch = item.appendChild(document.createElement('span'));
    swatch.className = 'swatch';
    swatch.style.background = color({ data: { name: kind, value: 0, kind }, depth: 1, parent: null });
    item.appendChild(document.createTextNode(family.label));
  }

  const tooltipBox = byId('tooltip');
  const tooltip = Object.assign(() => undefined, {
    show(event: MouseEvent, d: ChartNode): void {
      byId('tooltip-name').textContent = d.data.name;
      byId('tooltip-value').textContent = `${amount(d.data.value)} (${percent(d.data.value)} of total)`;
      byId('tooltip-kind').textContent = families[d.data.kind ?? '']?.label ?? '';
      tooltipBox.hidden = false;
      const margin = 12;
      const box = tooltipBox.getBoundingClientRect();
      const left = event.clientX + margin + box.width > window.innerWidth ? event.clientX - margin - box.width : event.clientX + margin;
      const top = event.clientY + margin + box.height > window.innerHeight ? event.clientY - margin - box.height : event.clientY + margin;
      tooltipBox.style.left = `${Math.max(0, left)}px`;
      tooltipBox.style.top = `${Math.max(0, top)}px`;
    },
    hide(): void {
      tooltipBox.hidden = true;
    },
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

  const chart = flamegraph
    .default()
    .width(chartWidth())
    .cellHeight(18)
    .minFrameSize(1)
    .transitionDuration(400)
    .tooltip(tooltip)
    .setColorMapper(color)
    .setLabelHandler((d) => `${d.data.name} — ${amount(d.data.value)} (${percent(d.data.value)})`)
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
      searchResult.textContent = `Matched ${amount(matched)} of ${amount(total)} (${percent(matched)})`;
    })
    .onClick((d) => {
      resetButton.disabled = d.depth === 0;
    });
  d3.select('#chart').datum(tree).call(chart);

  const runSearch = (): void => {
    setTerm(searchBox.value);
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
  resetButton.addEventListener('click', () => chart.resetZoom());

  const fitWidth = (): void => {
    const width = chartWidth();
    if (width !== chart.width()) chart.width(width).update();
  };
  // The observer also sees a scroll bar appearing, which fires no window resize event.
  if (typeof ResizeObserver === 'function') new ResizeObserver(fitWidth).observe(chartBox);
  else window.addEventListener('resize', fitWidth);
}
