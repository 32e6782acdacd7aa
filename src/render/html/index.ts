/**
 * `offgil --html`: one self-contained HTML page: the report of a recording (header with warnings and
 * findings, thread table, timeline, flame graph with three views), a plain flame graph of folded
 * stacks, or the differential flame graph of `offgil diff`. The page inlines d3-flame-graph and the
 * d3 modules it needs (read once from node_modules, see assets.ts), embeds its data as JSON and
 * fetches nothing, so it works offline from `file://`.
 */
import type { AnalysisResult, ThreadViews } from '../../analyze.js';
import { guessFrameKind, type FrameKind } from '../../stacks/frameKind.js';
import { offCpuColumns } from '../summaryColumns.js';
import { flameGraphScripts } from './assets.js';
import { emptyPage, reportPage, type HtmlNotice, type HtmlTotal, type PageText } from './page.js';
import { encodeStacks, PageNames, type PageData, type PageThread, type PageView } from './pageData.js';
import { DEFAULT_TIMELINE_BUDGET, timelineData, type TimelineBudget } from './timelineData.js';

export type { FrameKind } from '../../stacks/frameKind.js';
export type { FlameNode } from './hierarchy.js';
export type { HtmlNotice, HtmlTotal } from './page.js';
export type { PageData, PageThread, PageView } from './pageData.js';
export type { TimelineBudget, TimelineData } from './timelineData.js';
export { buildHierarchy } from './hierarchy.js';
export { decodeStacks } from './pageData.js';
export { decodeLevelLane, DEFAULT_TIMELINE_BUDGET, LANE_STATES } from './timelineData.js';
export { guessFrameKind } from '../../stacks/frameKind.js';

export interface HtmlMeta {
  /** Default "Off-GIL Time Flame Graph". */
  title?: string;
  /** Unit of the stack counts; default `us`, shown as `µs`. */
  countName?: string;
  /** The command line that produced the profile. */
  command?: string;
  /** The input file, or a label such as `stdin`. */
  input?: string;
  /** Summary lines for the header, such as `{ label: 'GIL wait', value: '12,345 µs in 4 threads' }`. */
  totals?: readonly HtmlTotal[];
  /** Warnings, notes and findings for the header. */
  notices?: readonly HtmlNotice[];
  /** Kind of a frame for its color; `undefined` (or no function) falls back to guessing from the name. */
  frameKind?: (name: string) => FrameKind | undefined;
}

import { DEFAULT_DIFF_TITLE, DEFAULT_HTML_TITLE } from '../titles.js';

export { DEFAULT_DIFF_TITLE, DEFAULT_HTML_TITLE };
export const DEFAULT_REPORT_TITLE = 'Off-GIL report';

function pageText(meta: HtmlMeta, title: string): PageText {
  const countName = meta.countName ?? 'us';
  return {
    title: meta.title ?? title,
    unit: countName === 'us' ? 'µs' : countName,
    command: meta.command,
    input: meta.input,
    totals: meta.totals ?? [],
    notices: meta.notices ?? [],
  };
}

function kindFunction(meta: HtmlMeta): (name: string) => FrameKind {
  const given = meta.frameKind;
  return given === undefined ? guessFrameKind : (name: string) => given(name) ?? guessFrameKind(name);
}

/** Entries of one thread-less view: `[0, [count], frames]`. */
function plainEntries(stacks: ReadonlyMap<string, number>, factor = 1): [number, number[], string[]][] {
  return [...stacks].map(([stack, count]) => [0, [count * factor], stack.split(';')]);
}

/** The interactive flame graph of folded stacks (`stack → count`), one view, no thread table or timeline. */
export function renderHtml(stacks: ReadonlyMap<string, number>, meta: HtmlMeta = {}): string {
  const text = pageText(meta, DEFAULT_HTML_TITLE);
  if (stacks.size === 0) return emptyPage(text);
  const names = new PageNames(kindFunction(meta));
  const views = [{ id: 'stacks', label: 'stacks', stacks: encodeStacks(plainEntries(stacks), names) }];
  const data: PageData = { mode: 'profile', unit: text.unit, scale: 1, names: names.names, kinds: names.kinds, views };
  return reportPage(data, text, flameGraphScripts());
}

/** What the report reads from an analysis (run with `holders`, `timeline` and `byThread` for all of it). */
export type ReportInput = Pick<AnalysisResult, 'stacks' | 'holderViews' | 'threadViews' | 'threads' | 'findings' | 'warnings' | 'timeline'>;

export type ReportView = 'waiters' | 'holders' | 'both';

export interface ReportMeta extends HtmlMeta {
  timelineBudget?: TimelineBudget;
  /** The flame graph view the page opens with (default waiters). */
  view?: ReportView;
}

export const VIEW_LABELS = { waiters: 'waiters', holders: 'holders', both: 'waiters + holders' } as const;

/**
 * The report of one analysis: header (command, input, totals, warnings, findings), the per-thread
 * table, the timeline and the flame graph with the views waiters / holders / waiters + holders.
 * Stack values are nanoseconds with `byThread`, else the folded µs.
 */
export function renderReport(result: ReportInput, meta: ReportMeta = {}): string {
  const text = pageText(meta, DEFAULT_REPORT_TITLE);
  text.notices = [
    ...result.warnings.map((warning): HtmlNotice => ({ severity: warning.severity, message: warning.message })),
    ...result.findings.map((finding): HtmlNotice => ({ severity: 'finding', message: finding.message })),
    ...(meta.notices ?? []),
  ];
  const names = new PageNames(kindFunction(meta));
  const byThread = result.threadViews;
  const tids = [...(byThread?.keys() ?? [])].sort((a, b) => a - b);
  const threadEntries = (pick: (views: ThreadViews) => ReadonlyMap<string, number> | undefined): [number, number[], string[]][] =>
    tids.flatMap((tid) => [...(pick(byThread!.get(tid)!) ?? [])].map(([stack, ns]): [number, number[], string[]] => [tid, [ns], stack.split(';')]));
  const views: PageView[] = [];
  const add = (id: keyof typeof VIEW_LABELS, entries: [number, number[], string[]][]): void => {
    views.push({ id, label: VIEW_LABELS[id], stacks: encodeStacks(entries, names) });
  };
  if (byThread !== undefined) {
    add('waiters', threadEntries((views) => views.stacks));
    if (result.holderViews !== undefined) {
      add('holders', threadEntries((views) => views.holders));
      add('both', threadEntries((views) => views.withHolders));
    }
  } else {
    add('waiters', plainEntries(result.stacks, 1000));
    if (result.holderViews !== undefined) {
      add('holders', plainEntries(result.holderViews.holders, 1000));
      add('both', plainEntries(result.holderViews.withHolders, 1000));
    }
  }
  const threads = result.threads.map((thread): PageThread => {
    const columns = offCpuColumns(thread.classNs);
    return {
      tid: thread.tid,
      pid: thread.pid,
      comm: thread.comm,
      observed: thread.observedNs,
      running: thread.runningNs,
      gil: columns.gil,
      gilDrop: columns.gilDrop,
      caused: thread.holder?.causedNs ?? 0,
      lock: columns.lock,
      sleep: columns.sleep,
      io: columns.io,
      preempted: columns.preempted,
      other: columns.other,
    };
  });
  const data: PageData = { mode: 'profile', unit: text.unit, scale: 1000, names: names.names, kinds: names.kinds, views, threads };
  if (byThread !== undefined) data.byThread = true;
  const initial = views.findIndex((view) => view.id === meta.view);
  if (initial > 0) data.initialView = initial;
  if (result.timeline !== undefined) {
    const laneOrder = [...result.threads].sort((a, b) => a.pid - b.pid || a.tid - b.tid).map((thread) => thread.tid);
    data.timeline = timelineData(result.timeline, laneOrder, (name) => names.id(name), meta.timelineBudget ?? DEFAULT_TIMELINE_BUDGET);
    data.names = names.names;
    data.kinds = names.kinds;
  }
  return reportPage(data, text, flameGraphScripts());
}

export interface DiffView {
  id: string;
  label: string;
  /** Folded stack → [before, after]. */
  stacks: ReadonlyMap<string, readonly [number, number]>;
}

export interface DiffMeta extends HtmlMeta {
  before: string;
  after: string;
}


/** The differential flame graph of `offgil diff`: widths by one side, red = more after, blue = less. */
export function renderDiff(views: readonly DiffView[], meta: DiffMeta): string {
  const text = { ...pageText(meta, DEFAULT_DIFF_TITLE), before: meta.before, after: meta.after };
  if (views.every((view) => view.stacks.size === 0)) return emptyPage(text);
  const names = new PageNames(kindFunction(meta));
  const pageViews = views.map((view): PageView => ({
    id: view.id,
    label: view.label,
    stacks: encodeStacks(
      [...view.stacks].map(([stack, counts]): [number, number[], string[]] => [0, [...counts], stack.split(';')]),
      names,
    ),
  }));
  const data: PageData = {
    mode: 'diff',
    unit: text.unit,
    scale: 1,
    names: names.names,
    kinds: names.kinds,
    views: pageViews,
    before: 'before',
    after: 'after',
  };
  return reportPage(data, text, flameGraphScripts());
}
