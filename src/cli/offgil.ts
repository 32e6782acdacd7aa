/** `offgil`: perf scheduler trace → off-GIL (or off-CPU) folded stacks. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { OffGilAnalyzer, type AnalysisResult, type AnalyzeOptions } from '../analyze.js';
import { CLOSE_RULE_NAMES, type UntilMode } from '../analysis/intervals.js';
import { openInput, RECORD_COMMAND } from '../io/input.js';
import { loadViztracer } from '../io/viztracerInput.js';
import { writeFileAtomically, writeOutput } from '../io/output.js';
import { UserError } from '../io/userError.js';
import { PerfInputError } from '../perf/scriptParser.js';
import { formatFolded } from '../render/folded.js';
import { DEFAULT_HTML_TITLE, renderHtml } from '../render/html/index.js';
import { formatThreadTable } from '../render/threadTable.js';
import type { RootFrame } from '../stacks/foldStack.js';
import { inputError } from './run.js';

interface CliOptions {
  input?: string;
  output?: string;
  html?: string;
  title?: string;
  until: UntilMode;
  state: string[];
  stripTakeGil: boolean;
  keepCpythonEvals?: boolean;
  evalFrames?: RegExp;
  fullPaths?: boolean;
  viztracer?: string;
  allowMismatch?: boolean;
  pedantic?: boolean;
  pythonOnly?: boolean;
  pid?: boolean;
  tid?: boolean;
  comm?: boolean;
  minUs?: number;
  maxUs?: number;
  summary?: boolean;
  verbose?: boolean;
  partial?: boolean;
}

function microseconds(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new InvalidArgumentError('expected a number of microseconds ≥ 0');
  return number;
}

function regex(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`not a regular expression: ${(error as Error).message}`);
  }
}

function classList(value: string): string[] {
  const classes = value.split(',').map((part) => part.trim()).filter(Boolean);
  if (classes.length === 0) throw new InvalidArgumentError('expected a class such as gil, gil-drop, S, D, R, all');
  return classes;
}

function rootFrameOf(options: CliOptions): RootFrame {
  if (options.tid) return 'tid';
  if (options.pid) return 'pid';
  return options.comm ? 'comm' : 'none';
}

export function buildProgram(): Command {
  return new Command('offgil')
    .description(
      'Off-GIL flame graphs: reads perf scheduler events (perf script text, .gz, or a\n' +
        'perf.data file) and prints the stacks of Python threads waiting for the GIL as\n' +
        'folded stacks weighted in microseconds.\n\n' +
        `Record with:\n  ${RECORD_COMMAND}\n\n` +
        'Input: -i FILE; else stdin when it is a pipe or file; else ./perf-sched.data, else ./perf.data.',
    )
    .option('-i, --input <file>', 'perf script text (plain or .gz) or a perf.data file ("-" for stdin)')
    .option('-o, --output <file>', 'write folded stacks to FILE instead of stdout (written only when complete)')
    .option('--html <file>', 'write an interactive, self-contained HTML flame graph (d3-flame-graph) to FILE')
    .option('--title <text>', `title of the flame graph (default "${DEFAULT_HTML_TITLE}")`)
    .addOption(
      new Option('--until <event>', 'end of an off-CPU interval: switch-in (off-CPU time, run-queue wait included) or wakeup (blocked time only, as per4m)')
        .choices(['switch-in', 'wakeup'])
        .default('switch-in'),
    )
    .option('--state <classes>', 'classes to show, comma-separated: gil, gil-drop, S, D, R, R+, …, or all', classList, ['gil'])
    .option('--no-strip-take-gil', 'keep the frames above take_gil (lock and kernel frames of the wait)')
    .option('--keep-cpython-evals', 'keep CPython interpreter frames (_PyEval_EvalFrameDefault, …), marked cpyeval::')
    .option('--eval-frames <regex>', 'which frames count as CPython interpreter frames (default: the list in docs/python-stacks.md)', regex)
    .option('--full-paths', 'Python frames with the full path of their file (default: the file name)')
    .option('--viztracer <file>', 'VizTracer JSON of the same run: inject its Python stacks where the interpreter ran them')
    .addOption(new Option('--input-viztracer <file>', 'alias of --viztracer (per4m)').hideHelp())
    .option('--allow-mismatch', 'keep going when VizTracer and perf stacks cannot be matched (they are counted and reported)')
    .option('--pedantic', 'count the known benign VizTracer mismatches (thread start and exit) as mismatches')
    .option('--python-only', 'only threads whose stacks pass through a Python interpreter')
    .option('--pid', 'add a root frame COMM-PID')
    .option('--tid', 'add a root frame COMM-PID/TID')
    .option('--comm', 'add a root frame with the thread name')
    .option('--min-us <us>', 'only intervals of at least this many microseconds', microseconds)
    .option('--max-us <us>', 'only intervals of at most this many microseconds', microseconds)
    .option('--summary', 'print the per-thread table (GIL wait, other off-CPU, running) to stderr')
    .option('-v, --verbose', 'print the per-thread table, how each rule closed intervals, and all counts to stderr')
    .option('--partial', 'on an input error, still write the stacks aggregated before it (exit status stays 2)')
    .showHelpAfterError('(offgil --help shows the options)')
    .exitOverride()
    .action(async (options: CliOptions) => {
      await runOffgil(options);
    });
}

async function runOffgil(options: CliOptions & { inputViztracer?: string }): Promise<void> {
  const viztracerPath = options.viztracer ?? options.inputViztracer;
  const analyzeOptions: AnalyzeOptions = {
    until: options.until,
    states: options.state,
    stripTakeGil: options.stripTakeGil,
    keepCpythonEvals: options.keepCpythonEvals,
    evalFrames: options.evalFrames,
    fullPaths: options.fullPaths,
    pedantic: options.pedantic,
    pythonOnly: options.pythonOnly,
    viztracer: viztracerPath === undefined ? undefined : await loadViztracer(viztracerPath),
    rootFrame: rootFrameOf(options),
    minUs: options.minUs,
    maxUs: options.maxUs,
  };
  const input = await openInput(options.input);
  const analyzer = new OffGilAnalyzer(analyzeOptions);
  let result: AnalysisResult;
  try {
    for await (const chunk of input.chunks) analyzer.push(chunk);
    result = analyzer.finish();
  } catch (error) {
    if (!(error instanceof PerfInputError)) throw error;
    if (!options.partial) throw inputError(input.label, error);
    await writeOutput(options.output, formatFolded(analyzer.partialResult().stacks));
    throw inputError(input.label, error);
  }
  const mismatched = result.stats.viztracer.mismatched;
  if (viztracerPath !== undefined && mismatched > 0 && !options.allowMismatch) {
    throw new UserError(
      `${viztracerPath}: the Python stacks of ${mismatched} switch-out(s) do not fit the native stacks ` +
        `(first at ${input.label}:${result.stats.viztracer.firstMismatchLine}); --allow-mismatch keeps going without them`,
    );
  }
  report(result, options);
  if (options.html !== undefined) {
    const meta = { title: options.title, command: commandLine(), input: input.label, totals: totals(result, options), frameKind: (name: string) => result.frameKinds.get(name) };
    await writeFileAtomically(options.html, renderHtml(result.stacks, meta));
    process.stderr.write(`offgil: wrote the HTML flame graph to ${options.html}\n`);
  }
  // Folded stacks go to stdout unless a picture was asked for instead.
  if (options.output !== undefined || options.html === undefined) await writeOutput(options.output, formatFolded(result.stacks));
  if (options.output !== undefined && options.output !== '-') {
    process.stderr.write(`offgil: wrote ${result.stacks.size} stacks, ${result.totalUs} µs, to ${options.output}\n`);
  }
}

/** The command line as the user could type it again. */
function commandLine(): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['offgil', ...process.argv.slice(2)].map(quote).join(' ');
}

function totals(result: AnalysisResult, options: CliOptions): { label: string; value: string }[] {
  const number = (value: number): string => value.toLocaleString('en-US');
  const gilUs = Math.floor(result.threads.reduce((sum, thread) => sum + thread.gilNs, 0) / 1000);
  return [
    { label: `shown (${options.state.join(', ')})`, value: `${number(result.totalUs)} µs in ${number(result.stats.keptIntervals)} intervals` },
    { label: 'threads', value: `${number(result.threads.length)}, GIL wait ${number(gilUs)} µs in all` },
    { label: 'intervals end at', value: options.until },
  ];
}

function report(result: AnalysisResult, options: CliOptions): void {
  const err = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  for (const warning of result.warnings) {
    if (warning.severity === 'warning') err(`offgil: warning: ${warning.message}`);
  }
  const notes = result.warnings.filter((warning) => warning.severity === 'note');
  if (notes.length > 0 && !options.verbose) err(`offgil: note: ${notes.map((note) => note.message).join('; ')}`);
  if (options.summary || options.verbose) err(formatThreadTable(result.threads));
  if (!options.verbose) return;
  const stats = result.stats;
  for (const note of notes) err(`offgil: note: ${note.message}`);
  err(`offgil: ${stats.lines} lines, ${stats.events} events, ${stats.switchEvents} sched_switch`);
  err(
    `offgil: ${stats.intervals} intervals closed by rule: ` +
      CLOSE_RULE_NAMES.map((rule) => `${rule} ${stats.closedBy[rule]}`).join(', ') +
      `; ${stats.openAtEnd} open at the end (dropped); ${stats.keptIntervals} in the output`,
  );
  const classes = Object.entries(stats.classNs)
    .sort((a, b) => b[1] - a[1])
    .map(([cls, ns]) => `${cls} ${Math.floor(ns / 1000)}`);
  err(`offgil: off-CPU µs by class: ${classes.join(', ') || 'none'}`);
  const others = Object.entries(stats.otherEvents).map(([name, count]) => `${name} ${count}`);
  if (others.length > 0) err(`offgil: other events (used only to see their thread awake): ${others.join(', ')}`);
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version') return;
    // Commander has already printed the usage error.
    if (typeof code === 'string' && code.startsWith('commander.')) throw new UserError('', 2);
    throw error;
  }
}
