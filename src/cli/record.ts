/**
 * `offgil record [options] -- COMMAND…` (or `--pid PID`): runs COMMAND under `perf record` with the
 * flags offgil needs, then analyses the recording at once — while the `/tmp/perf-PID.map` of
 * `python -X perf` still exists, and after `perf inject --jit` for `-X perf_jit`.
 */
import { spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { openInput } from '../io/input.js';
import { UserError } from '../io/userError.js';
import { addAnalysisOptions, type AnalysisCliOptions } from './analysisOptions.js';

interface RecordOptions extends AnalysisCliOptions {
  data: string;
  perfOption: string[];
  /** The process to attach to. */
  pid?: number;
  duration?: number;
}

/** What perf records: a command it starts, or a running process for a while (or until Ctrl-C). */
export type RecordTarget = { command: readonly string[] } | { pid: number; durationSeconds: number | undefined };

/** Mebibytes of ring buffer for all CPUs together, when offgil chooses the size. */
const BUFFER_BUDGET_MIB = 64;

/**
 * `-m PAGES` for perf record: dwarf stacks copy 8 KiB per event, and perf's default buffer (516 KiB per
 * CPU) loses events on a busy program. As root, offgil asks for 8 MiB per CPU within a 64 MiB budget
 * (a power of two of at least 512 pages); others keep perf's default, which their mlock limit allows.
 * An `-m`/`--mmap-pages` of the user's wins.
 */
export function bufferArgs(extra: readonly string[], isRoot: boolean, cpuCount: number): string[] {
  if (!isRoot || extra.some((arg) => /^(?:-m|--mmap-pages)(?:=|$|\d)/.test(arg))) return [];
  let pages = 2048;
  while (pages > 512 && (pages * 4096 * cpuCount) / 2 ** 20 > BUFFER_BUDGET_MIB) pages /= 2;
  return ['-m', String(pages)];
}

/** The `perf record` flags of docs/recording.md. */
export function perfRecordArgs(data: string, extra: readonly string[], target: RecordTarget): string[] {
  const what = 'command' in target ? ['--', ...target.command] : ['-p', String(target.pid), ...(target.durationSeconds === undefined ? [] : ['--', 'sleep', String(target.durationSeconds)])];
  return [
    'record',
    ...['-e', 'sched:sched_switch', '-e', 'sched:sched_wakeup', '-e', 'sched:sched_waking'],
    '--switch-events',
    ...['--call-graph', 'dwarf', '-k', 'CLOCK_MONOTONIC'],
    ...extra,
    ...['-o', data, ...what],
  ];
}

/** Which perf support of CPython the command asks for with `-X perf` / `-X perf_jit`. */
export function pythonPerfSupport(command: readonly string[]): 'perf' | 'perf_jit' | undefined {
  for (let i = 0; i < command.length; i++) {
    const arg = command[i]!;
    const option = arg === '-X' ? command[i + 1] : arg.startsWith('-X') ? arg.slice(2) : undefined;
    if (option === 'perf_jit') return 'perf_jit';
    if (option === 'perf') return 'perf';
  }
  return undefined;
}

/**
 * The environment of the recorded program: `-X` options are not passed to subprocesses and
 * multiprocessing workers, the environment variables are.
 */
export function recordEnvironment(command: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const support = pythonPerfSupport(command);
  if (support === 'perf') return { ...env, PYTHONPERFSUPPORT: '1' };
  if (support === 'perf_jit') return { ...env, PYTHON_PERF_JIT_SUPPORT: '1' };
  return env;
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs perf. The recorded program's stdout goes to offgil's stderr, so that offgil's own stdout
 * carries only its results (`offgil record … | flamegraph`). SIGINT, SIGTERM and SIGHUP sent to
 * offgil are passed to perf, which stops the program and still writes its data; the analysis follows.
 */
function runPerf(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn('perf', args, { stdio: ['inherit', process.stderr, 'inherit'], env });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const stopForwarding = (): void => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      stopForwarding();
      reject(error.code === 'ENOENT' ? new UserError('perf is not installed (Debian: apt-get install linux-perf)') : error);
    });
    child.once('close', (code, signal) => {
      stopForwarding();
      resolve(code ?? (signal === null ? 1 : 128));
    });
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('expected a process id');
  return number;
}

function seconds(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return number;
}

function targetOf(command: readonly string[], options: RecordOptions): RecordTarget {
  if (options.pid !== undefined) {
    if (command.length > 0) throw new UserError('give either --pid PID or a command after --, not both');
    return { pid: options.pid, durationSeconds: options.duration };
  }
  if (command.length === 0) throw new UserError('nothing to record: give a command after -- (offgil record -- python3 app.py) or --pid PID');
  if (options.duration !== undefined) throw new UserError('--duration goes with --pid; a command is recorded until it exits');
  return { command };
}

async function record(command: string[], options: RecordOptions): Promise<void> {
  const target = targetOf(command, options);
  // perf writes to a temporary name first: a failed recording must not replace an earlier one.
  const recording = `${options.data}.offgil-${process.pid}.tmp`;
  const env = 'command' in target ? recordEnvironment(target.command, process.env) : process.env;
  let status: number;
  try {
    const buffer = bufferArgs(options.perfOption, process.getuid?.() === 0, availableParallelism());
    status = await runPerf(perfRecordArgs(recording, [...buffer, ...options.perfOption], target), env);
  } catch (error) {
    rmSync(recording, { force: true });
    throw error;
  }
  if (!existsSync(recording) || statSync(recording).size === 0) {
    rmSync(recording, { force: true });
    throw new UserError(`perf record wrote no ${options.data} (exit status ${status}); an earlier ${options.data} is kept`);
  }
  // As perf itself does, the previous recording stays as FILE.old.
  if (existsSync(options.data)) renameSync(options.data, `${options.data}.old`);
  renameSync(recording, options.data);
  let data = options.data;
  const jit = 'command' in target ? pythonPerfSupport(target.command) === 'perf_jit' : process.env.PYTHON_PERF_JIT_SUPPORT === '1';
  if (jit) {
    const injected = `${options.data}.jit`;
    if ((await runPerf(['inject', '--jit', '-i', options.data, '-o', injected])) !== 0) throw new UserError('perf inject --jit failed');
    data = injected;
  }
  // perf record passes on the command's exit status, so a failing program still leaves a usable recording.
  if (status !== 0) process.stderr.write(`offgil: the recorded command exited with status ${status}\n`);
  const { runAnalysis } = await import('./runAnalysis.js');
  try {
    await runAnalysis(await openInput(data), { ...options, biggerBufferHint: 'offgil record --perf-option=-m4096' });
  } catch (error) {
    if (status === 0 || !(error instanceof UserError)) throw error;
    throw new UserError(`perf record failed (exit status ${status}) and left no usable recording: ${error.message}`);
  }
}

export function recordCommand(): Command {
  const command = new Command('record')
    .description(
      'Runs COMMAND under perf record with the scheduler events, switch records and dwarf stacks offgil needs ' +
        '(or records a running process with --pid), then analyses the recording as offgil does (after perf inject ' +
        "--jit for -X perf_jit). The program's standard output goes to stderr, so offgil's stdout carries only its results.",
    )
    .usage('[options] -- COMMAND [ARGS...]  |  record [options] --pid PID [--duration S]')
    .argument('[command...]', 'the program to record, after --')
    .option('--data <file>', 'where perf writes the recording', 'perf-sched.data')
    .option('--perf-option <option>', 'one more option for perf record, e.g. -a or -m512 (repeatable)', collect, [])
    .option('--pid <pid>', 'record a running process (all its threads) instead of starting a command (for COMM-PID root frames use --root-frame pid)', wholeNumber)
    .option('--duration <seconds>', 'with --pid: stop after this long (default: at Ctrl-C)', seconds)
    .passThroughOptions()
    .showHelpAfterError('(offgil record --help shows the options)')
    .exitOverride();
  addAnalysisOptions(command, { pidRootFrame: false }).action(async (commandLine: string[], options: RecordOptions) => {
    await record(commandLine, options);
  });
  return command;
}
