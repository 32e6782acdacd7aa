/** The options of `offgil` and `offgil record` that choose what is analysed and what is written. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AnalyzeOptions } from '../analyze.js';
import type { UntilMode } from '../analysis/intervals.js';
import { DEFAULT_HTML_TITLE } from '../render/titles.js';
import { addExportOptions, exportAnalyzeOptions, exportsNeedHolders, microseconds, type ExportCliOptions } from './exportOptions.js';
import type { RootFrame } from '../stacks/foldStack.js';

export interface AnalysisCliOptions extends ExportCliOptions {
  output?: string;
  html?: string;
  svg?: string;
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
  minwidth?: string;
  colors: string;
  bgcolors?: string;
  hash?: boolean;
  inverted?: boolean;
  reverse?: boolean;
  fontsize?: number;
  until: UntilMode;
  state: string[];
  stripTakeGil: boolean;
  keepCpythonEvals?: boolean;
  evalFrames?: RegExp;
  fullPaths?: boolean;
  viztracer?: string;
  inputViztracer?: string;
  allowMismatch?: boolean;
  pedantic?: boolean;
  pythonOnly?: boolean;
  /** `--pid` as the COMM-PID root frame (a boolean); `offgil record --pid PID` means the process to attach to instead. */
  pid?: boolean | number;
  rootFrame?: RootFrame;
  tid?: boolean;
  comm?: boolean;
  minUs?: number;
  maxUs?: number;
  withHolders?: boolean;
  holders?: boolean;
  switchInterval?: number;
  summary?: boolean;
  summaryJson?: string;
  top?: number;
  verbose?: boolean;
  quiet?: boolean;
  partial?: boolean;
  /** Not an option: how the command that recorded asks perf for a bigger buffer (set by `offgil record`). */
  biggerBufferHint?: string;
}


function regex(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`not a regular expression: ${(error as Error).message}`);
  }
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a positive number');
  return number;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return number;
}

/** per4m's names of the classes (its giltracer draws GIL waits as `S(GIL)`). */
const CLASS_ALIASES: Record<string, string> = { 'S(GIL)': 'gil', GIL: 'gil', 'GIL-DROP': 'gil-drop', LOCK: 'lock', ALL: 'all' };

function classList(value: string): string[] {
  const classes = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => CLASS_ALIASES[part.toUpperCase()] ?? part);
  if (classes.length === 0) throw new InvalidArgumentError('expected a class such as gil, gil-drop, lock, S, D, R, all');
  return classes;
}

export interface AnalysisOptionSet {
  /** Whether `--pid` is the root-frame flag (not for `offgil record`, where it names a process). */
  pidRootFrame: boolean;
}

export function addAnalysisOptions(command: Command, set: AnalysisOptionSet = { pidRootFrame: true }): Command {
  if (set.pidRootFrame) command.option('--pid', 'add a root frame COMM-PID');
  command
    .option('-o, --output <file>', 'write folded stacks to FILE instead of stdout (written only when complete)')
    .option('--svg <file>', 'write a flamegraph.pl-compatible SVG flame graph to FILE')
    .option('--html <file>', 'write the interactive, self-contained HTML report (threads, timeline, flame graphs) to FILE')
    .option('--title <text>', `title of the flame graph (default "${DEFAULT_HTML_TITLE}")`)
    .option('--subtitle <text>', 'SVG: a second title line')
    .option('--width <px>', 'SVG: image width (default 1200)', positiveNumber)
    .option('--height <px>', 'SVG: frame height (default 16)', positiveNumber)
    .option('--minwidth <px|%>', 'SVG: omit frames narrower than this (default 0.1 px)')
    .option('--colors <palette>', 'SVG: palette, python or any of flamegraph.pl\'s (hot, io, …)', 'python')
    .option('--bgcolors <color>', 'SVG: background (yellow, blue, green, grey, #rrggbb)')
    .option('--hash', 'SVG: colors by a hash of the name')
    .option('--inverted', 'SVG: icicle graph, root at the top')
    .option('--reverse', 'SVG: reverse each stack (leaf frames at the bottom)')
    .option('--fontsize <px>', 'SVG: font size (default 12)', positiveNumber)
    .addOption(
      new Option('--until <event>', 'end of an off-CPU interval: switch-in (off-CPU time, run-queue wait included) or wakeup (blocked time only, as per4m)')
        .choices(['switch-in', 'wakeup'])
        .default('switch-in'),
    )
    .option('--state <classes>', 'classes to show, comma-separated: gil, gil-drop, lock, S, D, R, R+, …, or all', classList, ['gil'])
    .option('--no-strip-take-gil', 'keep the frames above take_gil (lock and kernel frames of the wait)')
    .addOption(new Option('--strip-take-gil', 'cut GIL stacks at take_gil (the default; per4m spelling)').hideHelp())
    .option('--keep-cpython-evals', 'keep CPython interpreter frames (_PyEval_EvalFrameDefault, …), marked cpyeval::')
    .addOption(new Option('--no-keep-cpython-evals', 'remove the interpreter frames (the default; per4m spelling)').hideHelp())
    .option('--eval-frames <regex>', 'which frames count as CPython interpreter frames (default: the list in docs/python-stacks.md)', regex)
    .option('--full-paths', 'Python frames with the full path of their file (default: the file name)')
    .option('--viztracer <file>', 'VizTracer JSON of the same run: inject its Python stacks where the interpreter ran them')
    .addOption(new Option('--input-viztracer <file>', 'alias of --viztracer (per4m)').hideHelp())
    .option('--allow-mismatch', 'keep going when VizTracer and perf stacks cannot be matched (they are counted and reported)')
    .option('--pedantic', 'count the known benign VizTracer mismatches (thread start and exit) as mismatches')
    .option('--python-only', 'only threads whose stacks pass through a Python interpreter')
    .option('--tid', 'add a root frame COMM-PID/TID')
    .option('--comm', 'add a root frame with the thread name')
    .addOption(new Option('--root-frame <kind>', 'the root frame as a value: none, comm, pid (COMM-PID) or tid (COMM-PID/TID)').choices(['none', 'comm', 'pid', 'tid']))
    .option('--min-us <us>', 'only intervals of at least this many microseconds', microseconds)
    .option('--max-us <us>', 'only intervals of at most this many microseconds', microseconds)
    .addOption(new Option('--with-holders', 'GIL waits as WAITER;--;HOLDER: who held the GIL meanwhile, with its stack at the release').conflicts('holders'))
    .option('--holders', 'the stacks of the GIL holders instead of the waiters, weighted by the wait they caused')
    .option('--switch-interval <ms>', "the program's sys.getswitchinterval() in ms, for forced switch requests (default 5)", positiveNumber)
    .option('--summary', 'print the per-thread table (GIL wait, lock, sleep, I/O, running, acquisitions, holders) and the findings to stderr')
    .option('--summary-json <file>', 'write the per-thread summary and the findings as JSON to FILE')
    .option('--top <n>', 'the summary table shows the N threads that waited longest for the GIL and sums the rest', positiveInteger)
    .option('-v, --verbose', 'print the per-thread table, how each rule closed intervals, and all counts to stderr')
    .option('-q, --quiet', 'no notes on stderr (warnings still show)')
    .option('--partial', 'on an input error, still write the stacks aggregated before it (exit status stays 2)');
  return addExportOptions(command);
}

function rootFrameOf(options: AnalysisCliOptions): RootFrame {
  if (options.rootFrame !== undefined) return options.rootFrame;
  if (options.tid) return 'tid';
  if (options.pid === true) return 'pid';
  return options.comm ? 'comm' : 'none';
}

export function viztracerPathOf(options: AnalysisCliOptions): string | undefined {
  return options.viztracer ?? options.inputViztracer;
}

/** Whether an output asks who held the GIL (the attribution also reads the wake stacks). */
export function wantsHolders(options: AnalysisCliOptions): boolean {
  return Boolean(
    options.withHolders || options.holders || options.summary || options.summaryJson !== undefined || options.html !== undefined || options.verbose || exportsNeedHolders(options),
  );
}

export async function toAnalyzeOptions(options: AnalysisCliOptions): Promise<AnalyzeOptions> {
  const viztracerPath = viztracerPathOf(options);
  const exports = exportAnalyzeOptions(options);
  return {
    holders: wantsHolders(options),
    // The HTML report draws the timeline and filters its flame graph by thread; the exports render the timeline.
    timeline: options.html !== undefined || exports.timeline,
    byThread: options.html !== undefined,
    switchIntervalMs: options.switchInterval,
    biggerBufferHint: options.biggerBufferHint,
    until: options.until,
    states: options.state,
    stripTakeGil: options.stripTakeGil,
    keepCpythonEvals: options.keepCpythonEvals,
    evalFrames: options.evalFrames,
    fullPaths: options.fullPaths,
    pedantic: options.pedantic,
    pythonOnly: options.pythonOnly,
    viztracer: viztracerPath === undefined ? undefined : await (await import('../io/viztracerInput.js')).loadViztracer(viztracerPath),
    rootFrame: rootFrameOf(options),
    minUs: options.minUs,
    maxUs: options.maxUs,
  };
}
