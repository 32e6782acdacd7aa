/**
 * The off-GIL pipeline as a library: perf script text → events → off-CPU intervals → classes →
 * folded stacks, plus per-thread totals, GIL holders and warnings. Streams: memory grows with the
 * number of threads and distinct stacks, not with the input. The analyzer only wires the stages; each
 * consumer of the interval stream lives in its own module.
 */
import { Acquisitions } from './analysis/acquisitions.js';
import { GilClassifier, GIL, GIL_DROP, LOCK } from './analysis/gilClassifier.js';
import { CLOSE_RULE_NAMES, IntervalTracker, type OffCpuInterval, type UntilMode } from './analysis/intervals.js';
import { ThreadActivity, type ThreadSummary } from './analysis/threadSummary.js';
import { diagnose, type Finding } from './diagnosis/findings.js';
import { HANDOFF, HANDOFF_FRAME, HolderAttribution, UNKNOWN_FRAME, type AttributedWait, type AttributionCounts, type HolderStretch } from './holders/attribution.js';
import { HolderFolding } from './holders/holderFolding.js';
import { HolderStats } from './holders/holderStats.js';
import type { Release } from './holders/releases.js';
import { EventKind, type PerfEvent } from './perf/events.js';
import { PerfScriptParser } from './perf/scriptParser.js';
import { blockingFrames } from './stacks/blockingFrames.js';
import { DEFAULT_EVAL_FRAMES } from './stacks/cpythonFrames.js';
import { StackFolder, type FoldSubject, type InjectionCounts, type RootFrame } from './stacks/foldStack.js';
import type { FrameKind } from './stacks/frameKind.js';
import { PythonThreads } from './stacks/pythonThreads.js';
import { StackCensus } from './stacks/stackCensus.js';
import { NameTable, StackTrie } from './stacks/stackTrie.js';
import type { ViztracerStacks } from './stacks/viztracer/callStacks.js';
import { Timeline } from './timeline/timeline.js';
import { buildWarnings, GIL_HIDING_WARNINGS, type Warning } from './warnings.js';

export interface AnalyzeOptions {
  /** When an interval ends: at switch-in (default, bcc offcputime) or at wakeup (blocked time only, per4m). */
  until?: UntilMode;
  /** Classes to keep: `gil` (default), `gil-drop`, `lock`, a state such as `S` or `R+`, or `all`. */
  states?: readonly string[];
  /** Cut GIL stacks at `take_gil` / `drop_gil` (default true). */
  stripTakeGil?: boolean;
  /** Keep CPython's interpreter frames, marked `cpyeval::`, instead of removing them. */
  keepCpythonEvals?: boolean;
  /** Names of the interpreter frames to remove or mark (default DEFAULT_EVAL_FRAMES). */
  evalFrames?: RegExp;
  /** Python frames with their file's full path instead of its base name. */
  fullPaths?: boolean;
  /** Python stacks from a VizTracer trace of the same run, injected at each switch-out. */
  viztracer?: ViztracerStacks;
  /** Count the known benign VizTracer mismatches as mismatches. */
  pedantic?: boolean;
  /** Only threads whose switch-out stacks pass through a Python interpreter. */
  pythonOnly?: boolean;
  rootFrame?: RootFrame;
  /** Only intervals of at least / at most this many microseconds. */
  minUs?: number;
  maxUs?: number;
  /**
   * Attribute every GIL wait to the threads that held the GIL meanwhile (semantics.md §5) and count
   * forced switch requests (§6). Reads the stacks of wake events too, so it costs some speed.
   */
  holders?: boolean;
  /** The program's `sys.getswitchinterval()` in milliseconds, for forced switch requests (default 5). */
  switchIntervalMs?: number;
  /**
   * Keep every interval of every thread (all classes, with its folded stack and holders) as
   * `result.timeline`, for timelines and trace exports. Memory grows with the number of intervals.
   */
  timeline?: boolean;
  /** How to ask for a bigger perf buffer, for the lost-events warning (default `perf record -m 2048`). */
  biggerBufferHint?: string;
  /**
   * Also keep the folded views of each thread apart (`result.threadViews`), for a report that filters
   * by thread. The merged views are the same with or without it.
   */
  byThread?: boolean;
  /** Called for every interval that passes the filters, with its class. */
  onInterval?: (interval: OffCpuInterval, cls: string) => void;
  /** With `holders`: called for every GIL wait that passes the filters, once its holders are known. */
  onWait?: (wait: AttributedWait) => void;
}

export interface AnalysisStats {
  lines: number;
  events: number;
  /** Events of each type offgil does not interpret (they still show their thread awake). */
  otherEvents: Record<string, number>;
  /** Closed intervals (before class and duration filters). */
  intervals: number;
  /** Intervals in the folded output. */
  keptIntervals: number;
  closedBy: Record<(typeof CLOSE_RULE_NAMES)[number], number>;
  openAtEnd: number;
  wakeupsWithoutInterval: number;
  skippedEvents: number;
  lostRecords: number;
  lostEvents: number;
  switchEvents: number;
  switchEventsWithoutStack: number;
  /** Wake events (`sched_waking`, `sched_wakeup`) and how many of them had a stack. */
  wakeEvents: number;
  wakeEventsWithStack: number;
  /** Nanoseconds of closed intervals per class, before filters. */
  classNs: Record<string, number>;
  /** Seconds of the first timestamp; event times are nanoseconds after it. */
  baseSeconds: number | undefined;
  /** Nanoseconds after `baseSeconds` of the last event. */
  lastEventNs: number;
  /** Events whose time is before an earlier event's (skipped), and the input line of the first. */
  backwardEvents: number;
  firstBackwardLine: number;
  /** How VizTracer stacks fitted (all zero without --viztracer). */
  viztracer: InjectionCounts;
  /** Releases and attributed waits (undefined without holder attribution). */
  holders: AttributionCounts | undefined;
}

/** The folded views of holder attribution, like `stacks`: folded stack → µs, in byte order. */
export interface HolderViews {
  /** `WAITER;--;HOLDER` lines (`--with-holders`). */
  withHolders: Map<string, number>;
  /** Holder stacks alone, root first (`--holders`). */
  holders: Map<string, number>;
}

/** One thread's folded views, folded stack → nanoseconds (not floored: a report sums them). */
export interface ThreadViews {
  stacks: Map<string, number>;
  /** With holder attribution, as HolderViews but for this thread's waits. */
  withHolders: Map<string, number> | undefined;
  holders: Map<string, number> | undefined;
}

export interface AnalysisResult {
  /** Folded stack (`root;…;leaf`) → microseconds, in byte order. */
  stacks: Map<string, number>;
  /** With holder attribution: the holder views of the same waits. */
  holderViews: HolderViews | undefined;
  /** What each frame name is (Python, interpreter, native, libc, kernel), from the DSOs; for colors. */
  frameKinds: Map<string, FrameKind>;
  totalUs: number;
  threads: ThreadSummary[];
  /** The diagnosis: problems the numbers show, with what to do (needs holder attribution for most). */
  findings: Finding[];
  /** With `timeline`: every thread's intervals. */
  timeline: Timeline | undefined;
  /** With `byThread`: each thread's folded views (its own waits), in nanoseconds. */
  threadViews: Map<number, ThreadViews> | undefined;
  stats: AnalysisStats;
  warnings: Warning[];
}

const OFFGIL_CLASSES: ReadonlySet<string> = new Set(['all', GIL, GIL_DROP, LOCK]);

/** The stages that exist only with holder attribution. */
interface HolderStages {
  attribution: HolderAttribution;
  stats: HolderStats;
  folding: HolderFolding;
}

export class OffGilAnalyzer {
  private readonly parser: PerfScriptParser;
  private readonly tracker: IntervalTracker;
  private readonly classifier: GilClassifier;
  private readonly folder: StackFolder;
  private readonly names = new NameTable();
  private readonly trie = new StackTrie(this.names);
  private readonly threads = new ThreadActivity();
  private readonly acquisitions: Acquisitions;
  private readonly holders: HolderStages | undefined;
  private readonly pythonThreads: PythonThreads | undefined;
  private readonly census: StackCensus;
  private readonly timeline: Timeline | undefined;
  private readonly keepClass: (cls: string) => boolean;
  private readonly strip: boolean;
  private readonly minNs: number;
  private readonly maxNs: number;
  private readonly otherEvents = new Map<string, number>();
  private readonly classNs = new Map<string, number>();
  private intervals = 0;
  private keptIntervals = 0;
  private lostRecords = 0;
  private lostEvents = 0;
  private switchEvents = 0;
  private switchEventsWithoutStack = 0;
  private wakeEvents = 0;
  private wakeEventsWithStack = 0;
  private lastEventNs = 0;
  private backwardEvents = 0;
  private firstBackwardLine = 0;
  private firstEventNs: number | undefined;
  /** Holder stacks of releases, for the timeline. */
  private readonly releaseNames = new WeakMap<Release, string[]>();

  constructor(private readonly options: AnalyzeOptions = {}) {
    const until = options.until ?? 'switch-in';
    this.parser = new PerfScriptParser({
      keepStack: (event) => (event.kind === EventKind.Switch && event.prevPid > 0) || (this.holders?.attribution.wantsStack(event) ?? false),
      onEvent: (event) => this.onEvent(event),
    });
    this.classifier = new GilClassifier(this.parser.frames);
    this.tracker = new IntervalTracker(until, {
      classify: (stack, state) => this.classifier.classify(stack, state),
      onOpen: (interval) => this.holders?.attribution.intervalOpened(interval),
      onClose: (interval) => this.onClose(interval),
    });
    this.strip = options.stripTakeGil ?? true;
    this.folder = new StackFolder(this.parser.frames, this.names, {
      rootFrame: options.rootFrame ?? 'none',
      keepCpythonEvals: options.keepCpythonEvals ?? false,
      evalFrames: options.evalFrames ?? DEFAULT_EVAL_FRAMES,
      fullPaths: options.fullPaths ?? false,
      viztracer: options.viztracer,
      pedantic: options.pedantic ?? false,
    });
    this.acquisitions = new Acquisitions((interval) => this.classifier.isReacquisition(interval.stack, interval.cut), options.switchIntervalMs);
    if (options.holders) {
      this.holders = {
        attribution: new HolderAttribution(this.parser.frames, this.classifier, { onWait: (wait) => this.onWait(wait) }),
        stats: new HolderStats((interval) => this.blockingFramesOf(interval)),
        folding: new HolderFolding(this.names, (release) => this.foldRelease(release)),
      };
    }
    this.pythonThreads = options.pythonOnly ? new PythonThreads(this.parser.frames) : undefined;
    this.census = new StackCensus(this.parser.frames);
    this.timeline = options.timeline ? new Timeline() : undefined;
    const states = new Set(options.states ?? [GIL]);
    this.keepClass = states.has('all') ? () => true : (cls) => states.has(cls);
    this.minNs = (options.minUs ?? 0) * 1000;
    this.maxNs = options.maxUs === undefined ? Infinity : options.maxUs * 1000;
  }

  /** Feeds raw `perf script` bytes (any chunking). Nothing of `chunk` is kept: the caller may reuse it. */
  push(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  /** Feeds one line without its newline. */
  pushLine(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    this.parser.line(bytes, 0, bytes.length);
  }

  /** The names of frame ids, as in an interval's `stack` or a release's (leaf first). */
  frameNames(stack: readonly number[]): string[] {
    return stack.map((id) => this.parser.frames.name(id));
  }

  /** A release's holder stack as `--holders` shows it: folded, root first, cut at `drop_gil`. */
  holderStack(release: Release): string[] {
    let names = this.releaseNames.get(release);
    if (names === undefined) {
      names = this.foldRelease(release).map((id) => this.names.name(id));
      this.releaseNames.set(release, names);
    }
    return names;
  }

  /** Ends the input and returns the result; throws PerfInputError for truncated or empty input. */
  finish(): AnalysisResult {
    this.parser.end();
    return this.result();
  }

  /**
   * The result of the events read completely so far, for `--partial` after an input error. Intervals
   * still open are dropped as at a normal end.
   */
  partialResult(): AnalysisResult {
    return this.result();
  }

  private result(): AnalysisResult {
    this.tracker.finish();
    this.holders?.attribution.finish();
    const keepGroup = this.keepGroup();
    const stacks = this.trie.toFolded(keepGroup);
    const folding = this.holders?.folding;
    // Each view is folded when first read: a million distinct stacks make each a few hundred MB of
    // strings, and a run shows one of them.
    const holderViews = folding === undefined ? undefined : lazyObject<HolderViews>({}, { withHolders: () => folding.withHolders.toFolded(keepGroup), holders: () => folding.holders.toFolded(keepGroup) });
    const threads = this.threadSummaries();
    let totalUs = 0;
    for (const us of stacks.values()) totalUs += us;
    const stats = this.stats();
    const warnings = buildWarnings(stats, this.parser.skipped, {
      unsymbolizedPythons: this.classifier.unsymbolizedPythons(),
      unresolvedPerfMaps: [...this.folder.unresolvedPerfMaps],
      stacksWithUserFrames: this.census.userStacks,
      stacksCutShort: this.census.cutShort,
      stacksThroughPython: this.census.pythonStacks,
      // offgil's own classes are valid names even where no interval has them (a program without contention).
      biggerBuffer: this.options.biggerBufferHint,
      missingStates: (this.options.states ?? [GIL]).filter((cls) => !OFFGIL_CLASSES.has(cls) && !(cls in stats.classNs)),
    }, this.parser.foreign);
    const gilVisible = !warnings.some((warning) => GIL_HIDING_WARNINGS.has(warning.code));
    const findings = diagnose(threads, { switchIntervalMs: this.options.switchIntervalMs, holders: this.holders !== undefined, gilVisible });
    if (this.timeline !== undefined) {
      this.timeline.baseSeconds = stats.baseSeconds ?? 0;
      this.timeline.startNs = this.firstEventNs ?? 0;
      this.timeline.endNs = stats.lastEventNs;
      const attribution = this.holders?.attribution;
      if (attribution !== undefined) this.timeline.groupProcesses((tid) => attribution.processOf(tid));
    }
    const threadViews = this.options.byThread ? this.threadViews(threads) : undefined;
    // Frame kinds only color pictures: the map of every frame name is made when a renderer asks.
    return lazyObject<AnalysisResult>(
      { stacks, holderViews, totalUs, threads, findings, timeline: this.timeline, threadViews, stats, warnings },
      { frameKinds: () => this.frameKindsByName() },
    );
  }

  private frameKindsByName(): Map<string, FrameKind> {
    const kinds = new Map<string, FrameKind>();
    for (const [id, kind] of this.folder.kinds) kinds.set(this.names.name(id), kind);
    return kinds;
  }

  private threadViews(threads: readonly ThreadSummary[]): Map<number, ThreadViews> {
    const folding = this.holders?.folding;
    const views = new Map<number, ThreadViews>();
    for (const { tid } of threads) {
      views.set(tid, {
        stacks: this.trie.groupNs(tid),
        withHolders: folding?.withHolders.groupNs(tid),
        holders: folding?.holders.groupNs(tid),
      });
    }
    return views;
  }

  private keepGroup(): ((group: number) => boolean) | undefined {
    const pythonThreads = this.pythonThreads;
    return pythonThreads === undefined ? undefined : (tid) => pythonThreads.has(tid);
  }

  private threadSummaries(): ThreadSummary[] {
    const pythonThreads = this.pythonThreads;
    return this.threads
      .summaries()
      .filter((thread) => pythonThreads?.has(thread.tid) ?? true)
      .map((thread) => ({
        ...thread,
        acquisitions: this.acquisitions.summary(thread.tid),
        holder: this.holders?.stats.holder(thread.tid),
        waits: this.holders?.stats.waiter(thread.tid),
      }));
  }

  private stats(): AnalysisStats {
    const counts = this.tracker.counts;
    return {
      lines: this.parser.lineCount,
      events: this.parser.eventCount,
      otherEvents: Object.fromEntries(this.otherEvents),
      intervals: this.intervals,
      keptIntervals: this.keptIntervals,
      closedBy: {
        wakeup: counts.closedBy[0],
        'switch-in': counts.closedBy[1],
        'own event': counts.closedBy[2],
      },
      openAtEnd: counts.openAtEnd,
      wakeupsWithoutInterval: counts.wakeupsWithoutInterval,
      skippedEvents: this.parser.skipped.count,
      lostRecords: this.lostRecords,
      lostEvents: this.lostEvents,
      switchEvents: this.switchEvents,
      switchEventsWithoutStack: this.switchEventsWithoutStack,
      wakeEvents: this.wakeEvents,
      wakeEventsWithStack: this.wakeEventsWithStack,
      classNs: Object.fromEntries(this.classNs),
      baseSeconds: this.parser.time.baseSeconds,
      lastEventNs: this.lastEventNs,
      backwardEvents: this.backwardEvents,
      firstBackwardLine: this.firstBackwardLine,
      viztracer: { ...this.folder.injection },
      holders: this.holders === undefined ? undefined : { ...this.holders.attribution.counts },
    };
  }

  private onEvent(event: PerfEvent): void {
    // perf script prints events in time order; an event before the last one (a concatenated or edited
    // file) would give negative durations, so it is skipped and counted instead.
    if (event.timeNs < this.lastEventNs) {
      if (this.backwardEvents++ === 0) this.firstBackwardLine = event.line;
      return;
    }
    switch (event.kind) {
      case EventKind.Switch:
        this.switchEvents++;
        if (event.prevPid > 0 && event.stack.length === 0) this.switchEventsWithoutStack++;
        break;
      case EventKind.Wake:
        this.wakeEvents++;
        if (event.stack.length > 0) this.wakeEventsWithStack++;
        break;
      case EventKind.Lost:
        this.lostRecords++;
        this.lostEvents += event.lostCount;
        break;
      case EventKind.Other:
        this.otherEvents.set(event.name, (this.otherEvents.get(event.name) ?? 0) + 1);
        break;
      default:
        break;
    }
    this.lastEventNs = event.timeNs;
    this.firstEventNs ??= event.timeNs;
    this.threads.observe(event);
    const attribution = this.holders?.attribution;
    attribution?.beforeEvent(event);
    this.tracker.handle(event);
    attribution?.afterEvent(event);
  }

  private isShown(interval: OffCpuInterval): boolean {
    const ns = interval.endNs - interval.startNs;
    return this.keepClass(interval.cls) && ns >= this.minNs && ns <= this.maxNs;
  }

  private onClose(interval: OffCpuInterval): void {
    const ns = interval.endNs - interval.startNs;
    const cls = interval.cls;
    this.intervals++;
    this.classNs.set(cls, (this.classNs.get(cls) ?? 0) + ns);
    this.threads.addInterval(interval);
    this.pythonThreads?.note(interval.tid, interval.stack);
    this.census.note(interval.stack);
    if (this.holders !== undefined) this.holders.attribution.intervalClosed(interval);
    else if (cls === GIL) this.acquisitions.gilWait(interval, undefined);
    const shown = this.isShown(interval);
    const ids = shown || this.timeline !== undefined ? this.foldWaiter(interval) : undefined;
    if (this.timeline !== undefined) this.timeline.addInterval(interval, ids!.map((id) => this.names.name(id)), shown);
    if (!shown) return;
    this.keptIntervals++;
    this.trie.add(ids!, ns, this.groupOf(interval));
    if (cls !== GIL) this.holders?.folding.addOther(ids!, ns, this.groupOf(interval));
    this.options.onInterval?.(interval, cls);
  }

  private onWait(wait: AttributedWait): void {
    const holders = this.holders!;
    this.acquisitions.gilWait(wait.interval, wait.handedOff);
    holders.stats.add(wait, () => holders.attribution.horizonNs());
    this.timeline?.addHolders(wait, (stretch) => this.holderNames(stretch));
    if (!this.isShown(wait.interval)) return;
    holders.folding.add(this.foldWaiter(wait.interval), wait, this.groupOf(wait.interval));
    this.options.onWait?.(wait);
  }

  private groupOf(interval: OffCpuInterval): number {
    return this.pythonThreads === undefined && !this.options.byThread ? 0 : interval.tid;
  }

  /** VizTracer's clock: µs on the same CLOCK_MONOTONIC as perf's timestamps. */
  private viztracerUs(timeNs: number): number {
    return (this.parser.time.baseSeconds ?? 0) * 1e6 + timeNs / 1000;
  }

  private foldWaiter(interval: OffCpuInterval): number[] {
    return this.folder.fold(interval, this.strip ? interval.cut : -1, this.viztracerUs(interval.startNs));
  }

  private blockingFramesOf(interval: OffCpuInterval): string[] {
    const ids = this.folder.fold(interval, -1, this.viztracerUs(interval.startNs));
    return blockingFrames(
      ids.map((id) => this.names.name(id)),
      (name) => this.folder.kinds.get(this.names.id(name)),
    );
  }

  /** The holder stack of a stretch as frame names, root first, as the `--holders` view folds it. */
  private holderNames(stretch: HolderStretch): string[] {
    const release = stretch.release;
    if (release === undefined) return [stretch.holder === HANDOFF ? HANDOFF_FRAME : UNKNOWN_FRAME];
    return this.holderStack(release);
  }

  private foldRelease(release: Release): number[] {
    const subject: FoldSubject = { tid: release.tid, pid: release.pid ?? release.tid, comm: release.comm, stack: release.stack, line: release.line };
    return this.folder.fold(subject, release.cut, this.viztracerUs(release.timeNs));
  }
}

/**
 * `values` plus a property per `lazy` entry computed on first read (then kept as a plain, enumerable
 * value property, so the object compares and serializes like an eager one).
 */
function lazyObject<T extends object>(values: Partial<T>, lazy: { [K in keyof T]?: () => T[K] } = {}): T {
  const target = { ...values } as T;
  for (const [key, compute] of Object.entries(lazy) as [string, () => unknown][]) {
    Object.defineProperty(target, key, {
      configurable: true,
      enumerable: true,
      get() {
        const value = compute();
        Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
        return value;
      },
    });
  }
  return target;
}

/** Analyzes `perf script` text given as lines (or one string). */
export function analyze(input: Iterable<string> | string, options: AnalyzeOptions = {}): AnalysisResult {
  const analyzer = new OffGilAnalyzer(options);
  const lines = typeof input === 'string' ? input.split('\n') : input;
  for (const line of lines) analyzer.pushLine(line);
  return analyzer.finish();
}

/** Analyzes a stream of `perf script` text (a Readable, or any async iterable of chunks). */
export async function analyzeStream(input: AsyncIterable<Buffer | string>, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const analyzer = new OffGilAnalyzer(options);
  for await (const chunk of input) analyzer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return analyzer.finish();
}
