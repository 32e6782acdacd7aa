/** `offgil`: perf scheduler trace → off-GIL (or off-CPU) folded stacks. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { OffGilAnalyzer, type AnalysisResult, type AnalyzeOptions } from '../analyze.js';
import { CLOSE_RULE_NAMES, type UntilMode } from '../analysis/intervals.js';
import { openInput, RECORD_COMMAND } from '../io/input.js';
import { writeOutput } from '../io/output.js';
import { UserError } from '../io/userError.js';
import { PerfInputError } from '../perf/scriptParser.js';
import { formatFolded } from '../render/folded.js';
import { formatThreadTable } from '../render/threadTable.js';
import type { RootFrame } from '../stacks/foldStack.js';
import { collapseCommand } from './collapse.js';
import { inputError } from './run.js';

interface CliOptions {
  input?: string;
  output?: string;
  until: UntilMode;
  state: string[];
  stripTakeGil: boolean;
  keepCpythonEvals?: boolean;
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
    .addOption(
      new Option('--until <event>', 'end of an off-CPU interval: switch-in (off-CPU time, run-queue wait included) or wakeup (blocked time only, as per4m)')
        .choices(['switch-in', 'wakeup'])
        .default('switch-in'),
    )
    .option('--state <classes>', 'classes to show, comma-separated: gil, gil-drop, S, D, R, R+, …, or all', classList, ['gil'])
    .option('--no-strip-take-gil', 'keep the frames above take_gil (lock and kernel frames of the wait)')
    .option(
      '--keep-cpython-evals',
      'keep CPython interpreter frames (_PyEval_EvalFrameDefault, …); this version keeps every frame either way',
    )
    .option('--pid', 'add a root frame COMM-PID')
    .option('--tid', 'add a root frame COMM-PID/TID')
    .option('--comm', 'add a root frame with the thread name')
    .option('--min-us <us>', 'only intervals of at least this many microseconds', microseconds)
    .option('--max-us <us>', 'only intervals of at most this many microseconds', microseconds)
    .option('--summary', 'print the per-thread table (GIL wait, other off-CPU, running) to stderr')
    .option('-v, --verbose', 'print the per-thread table, how each rule closed intervals, and all counts to stderr')
    .option('--partial', 'on an input error, still write the stacks aggregated before it (exit status stays 2)')
    .showHelpAfterError('(offgil --help shows the options)')
    .enablePositionalOptions()
    .addCommand(collapseCommand())
    .exitOverride()
    .action(async (options: CliOptions) => {
      await runOffgil(options);
    });
}

async function runOffgil(options: CliOptions): Promise<void> {
  const analyzeOptions: AnalyzeOptions = {
    until: options.until,
    states: options.state,
    stripTakeGil: options.stripTakeGil,
    keepCpythonEvals: options.keepCpythonEvals,
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
  report(result, options);
  await writeOutput(options.output, formatFolded(result.stacks));
  if (options.output !== undefined && options.output !== '-') {
    process.stderr.write(`offgil: wrote ${result.stacks.size} stacks, ${result.totalUs} µs, to ${options.output}\n`);
  }
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
