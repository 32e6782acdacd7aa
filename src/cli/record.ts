/**
 * `offgil record [options] -- COMMAND…`: runs COMMAND under `perf record` with the flags offgil needs,
 * then analyses the recording at once — while the `/tmp/perf-PID.map` of `python -X perf` still
 * exists, and after `perf inject --jit` for `-X perf_jit`.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { openInput } from '../io/input.js';
import { UserError } from '../io/userError.js';
import { addAnalysisOptions, type AnalysisCliOptions } from './analysisOptions.js';
import { runAnalysis } from './runAnalysis.js';

interface RecordOptions extends AnalysisCliOptions {
  data: string;
  perfOption: string[];
}

/** The `perf record` flags of docs/recording.md. */
export function perfRecordArgs(data: string, extra: readonly string[], command: readonly string[]): string[] {
  return [
    'record',
    ...['-e', 'sched:sched_switch', '-e', 'sched:sched_wakeup', '-e', 'sched:sched_waking'],
    '--switch-events',
    ...['--call-graph', 'dwarf', '-k', 'CLOCK_MONOTONIC'],
    ...extra,
    ...['-o', data, '--', ...command],
  ];
}

/** Runs perf; Ctrl-C is left to perf, which stops the command and still writes its data. */
function runPerf(args: readonly string[]): Promise<number> {
  const ignoreInterrupt = (): void => undefined;
  process.on('SIGINT', ignoreInterrupt);
  return new Promise<number>((resolve, reject) => {
    const child = spawn('perf', args, { stdio: ['inherit', 'inherit', 'inherit'] });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new UserError('perf is not installed (Debian: apt-get install linux-perf)') : error);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  }).finally(() => process.off('SIGINT', ignoreInterrupt));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function record(command: string[], options: RecordOptions): Promise<void> {
  const status = await runPerf(perfRecordArgs(options.data, options.perfOption, command));
  if (!existsSync(options.data) || statSync(options.data).size === 0) {
    throw new UserError(`perf record wrote no ${options.data} (exit status ${status})`);
  }
  let data = options.data;
  if (command.includes('perf_jit') || command.includes('-Xperf_jit')) {
    const injected = `${options.data}.jit`;
    if ((await runPerf(['inject', '--jit', '-i', options.data, '-o', injected])) !== 0) throw new UserError('perf inject --jit failed');
    data = injected;
  }
  // perf record passes on the command's exit status, so a failing program still leaves a usable recording.
  if (status !== 0) process.stderr.write(`offgil: the recorded command exited with status ${status}\n`);
  try {
    await runAnalysis(await openInput(data), options);
  } catch (error) {
    if (status === 0 || !(error instanceof UserError)) throw error;
    throw new UserError(`perf record failed (exit status ${status}) and left no usable recording: ${error.message}`);
  }
}

export function recordCommand(): Command {
  const command = new Command('record')
    .description(
      'Runs COMMAND under perf record with the scheduler events, switch records and dwarf stacks offgil needs, ' +
        'then analyses the recording as offgil does (after perf inject --jit for -X perf_jit).',
    )
    .usage('[options] -- COMMAND [ARGS...]')
    .argument('<command...>', 'the program to record, after --')
    .option('--data <file>', 'where perf writes the recording', 'perf-sched.data')
    .option('--perf-option <option>', 'one more option for perf record, e.g. -a or -m512 (repeatable)', collect, [])
    .passThroughOptions()
    .showHelpAfterError('(offgil record --help shows the options)')
    .exitOverride();
  addAnalysisOptions(command).action(async (commandLine: string[], options: RecordOptions) => {
    await record(commandLine, options);
  });
  return command;
}
