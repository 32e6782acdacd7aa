/**
 * The export options (`--trace`, `--trace-min-us`, `--speedscope`, `--pprof`, `--format dtrace`) and
 * what they ask of the analyzer; exports.ts writes the files (loaded only when they are asked for).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../io/userError.js';

export interface ExportCliOptions {
  trace?: string;
  traceMinUs?: number;
  speedscope?: string;
  pprof?: string;
  format?: 'folded' | 'dtrace';
  state: string[];
  withHolders?: boolean;
  holders?: boolean;
}

/** A `--min-us`-style value. */
export function microseconds(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new InvalidArgumentError('expected a number of microseconds ≥ 0');
  return number;
}

export function addExportOptions(command: Command): Command {
  return command
    .option('--trace <file>', 'write a Chrome Trace Event JSON timeline (Perfetto, chrome://tracing) to FILE')
    .option('--trace-min-us <us>', '--trace: leave out intervals and running stretches shorter than this many µs', microseconds)
    .option('--speedscope <file>', 'write a speedscope profile (one evented profile per thread, µs) to FILE')
    .option('--pprof <file>', 'write a gzipped pprof profile (go tool pprof, Pyroscope) to FILE')
    .addOption(
      new Option('--format <form>', 'form of the folded output: folded, or dtrace (per4m\'s multi-line form for stackcollapse.pl)').choices(['folded', 'dtrace']).default('folded'),
    );
}

/** Whether a file export was asked for (then folded stacks go to stdout only with -o, as with --svg). */
export function writesExports(options: ExportCliOptions): boolean {
  return options.trace !== undefined || options.speedscope !== undefined || options.pprof !== undefined;
}

/** The trace shows each wait's holders and the pprof profile labels them: both need the attribution. */
export function exportsNeedHolders(options: ExportCliOptions): boolean {
  return options.trace !== undefined || options.pprof !== undefined;
}

/** What the exports need from the analyzer; bad combinations fail before any input is read. */
export function exportAnalyzeOptions(options: ExportCliOptions): { timeline: boolean } {
  if (options.traceMinUs !== undefined && options.trace === undefined) throw new UserError('--trace-min-us needs --trace FILE');
  return { timeline: writesExports(options) };
}

