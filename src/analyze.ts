/**
 * The off-GIL pipeline as a library: perf script text → events → off-CPU intervals → classes →
 * folded stacks, plus per-thread totals and warnings. Streams: memory grows with the number of threads
 * and distinct stacks, not with the input.
 */
import { GilClassifier, GIL } from './analysis/gilClassifier.js';
import { CLOSE_RULE_NAMES, IntervalTracker, type OffCpuInterval, type UntilMode } from './analysis/intervals.js';
import { ThreadActivity, type ThreadSummary } from './analysis/threadSummary.js';
import { EventKind, type PerfEvent } from './perf/events.js';
import { PerfScriptParser } from './perf/scriptParser.js';
import { DEFAULT_EVAL_FRAMES } from './stacks/cpythonFrames.js';
import { StackFolder, type InjectionCounts, type RootFrame } from './stacks/foldStack.js';
import type { FrameKind } from './stacks/frameKind.js';
import { PythonThreads } from './stacks/pythonThreads.js';
import { NameTable, StackTrie } from './stacks/stackTrie.js';
import type { ViztracerStacks } from './stacks/viztracer/callStacks.js';
import { buildWarnings, type Warning } from './warnings.js';

export interface AnalyzeOptions {
  /** When an interval ends: at switch-in (default, bcc offcputime) or at wakeup (blocked time only, per4m). */
  until?: UntilMode;
  /** Classes to keep: `gil` (default), `gil-drop`, a state such as `S` or `R+`, or `all`. */
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
  /** Called for every interval that passes the filters, with its class. */
  onInterval?: (interval: OffCpuInterval, cls: string) => void;
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
  /** Nanoseconds of closed intervals per class, before filters. */
  classNs: Record<string, number>;
  /** Seconds of the first timestamp; event times are nanoseconds after it. */
  baseSeconds: number | undefined;
  /** How VizTracer stacks fitted (all zero without --viztracer). */
  viztracer: InjectionCounts;
}

export interface AnalysisResult {
  /** Folded stack (`root;…;leaf`) → microseconds, in byte order. */
  stacks: Map<string, number>;
  /** What each frame name is (Python, interpreter, native, libc, kernel), from the DSOs; for colors. */
  frameKinds: Map<string, FrameKind>;
  totalUs: number;
  threads: ThreadSummary[];
  stats: AnalysisStats;
  warnings: Warning[];
}

export class OffGilAnalyzer {
  private readonly parser: PerfScriptParser;
  private readonly tracker: IntervalTracker;
  private readonly classifier: GilClassifier;
  private readonly folder: StackFolder;
  private readonly trie = new StackTrie(new NameTable());
  private readonly threads = new ThreadActivity();
  private readonly pythonThreads: PythonThreads | undefined;
  private readonly keepClass: (cls: string) => boolean;
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

  constructor(private readonly options: AnalyzeOptions = {}) {
    const until = options.until ?? 'switch-in';
    this.parser = new PerfScriptParser({
      keepStack: (event) => event.kind === EventKind.Switch && event.prevPid > 0,
      onEvent: (event) => this.onEvent(event),
    });
    this.tracker = new IntervalTracker(until, (interval) => this.onInterval(interval));
    this.classifier = new GilClassifier(this.parser.frames);
    this.folder = new StackFolder(this.parser.frames, this.trie.names, {
      stripTakeGil: options.stripTakeGil ?? true,
      rootFrame: options.rootFrame ?? 'none',
      keepCpythonEvals: options.keepCpythonEvals ?? false,
      evalFrames: options.evalFrames ?? DEFAULT_EVAL_FRAMES,
      fullPaths: options.fullPaths ?? false,
      viztracer: options.viztracer,
      pedantic: options.pedantic ?? false,
    });
    this.pythonThreads = options.pythonOnly ? new PythonThreads(this.parser.frames) : undefined;
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
    const pythonThreads = this.pythonThreads;
    const stacks = pythonThreads === undefined ? this.trie.toFolded() : this.trie.toFolded((tid) => pythonThreads.has(tid));
    const threads = this.threads.summaries().filter((thread) => pythonThreads?.has(thread.tid) ?? true);
    let totalUs = 0;
    for (const us of stacks.values()) totalUs += us;
    const counts = this.tracker.counts;
    const stats: AnalysisStats = {
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
      classNs: Object.fromEntries(this.classNs),
      baseSeconds: this.parser.time.baseSeconds,
      viztracer: { ...this.folder.injection },
    };
    const warnings = buildWarnings(stats, this.parser.skipped, {
      unsymbolizedPythons: this.classifier.unsymbolizedPythons(),
      unresolvedPerfMaps: [...this.folder.unresolvedPerfMaps],
    });
    const frameKinds = new Map([...this.folder.kinds].map(([id, kind]) => [this.trie.names.name(id), kind]));
    return { stacks, frameKinds, totalUs, threads, stats, warnings };
  }

  private onEvent(event: PerfEvent): void {
    switch (event.kind) {
      case EventKind.Switch:
        this.switchEvents++;
        if (event.prevPid > 0 && event.stack.length === 0) this.switchEventsWithoutStack++;
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
    this.threads.observe(event);
    this.tracker.handle(event);
  }

  private onInterval(interval: OffCpuInterval): void {
    const ns = interval.endNs - interval.startNs;
    const classification = this.classifier.classify(interval.stack, interval.state);
    const cls = classification.cls;
    this.intervals++;
    this.classNs.set(cls, (this.classNs.get(cls) ?? 0) + ns);
    this.threads.addInterval(interval, cls);
    this.pythonThreads?.note(interval.tid, interval.stack);
    if (!this.keepClass(cls) || ns < this.minNs || ns > this.maxNs) return;
    this.keptIntervals++;
    const switchOutUs = (this.parser.time.baseSeconds ?? 0) * 1e6 + interval.startNs / 1000;
    const group = this.pythonThreads === undefined ? 0 : interval.tid;
    this.trie.add(this.folder.fold(interval, classification, switchOutUs), ns, group);
    this.options.onInterval?.(interval, cls);
  }
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
