/**
 * `offgil collapse` and the `stackcollapse-perf` launcher: stackcollapse-perf.pl, byte for byte,
 * over files (plain or .gz), perf.data (through `perf script`) or stdin.
 */
import { Command, Option } from 'commander';
import type { CollapseOptions, CollapseWarning } from '../collapse/stackCollapser.js';
import { InputStreamError, openInput, type OpenOptions } from '../io/input.js';
import { writeOutput } from '../io/output.js';
import { UserError } from '../io/userError.js';
import { normalizePerlOptions } from './perlOptions.js';
import { parseCommandLine } from './run.js';

interface CollapseCliOptions extends CollapseOptions {
  output?: string;
  partial?: boolean;
  inline?: boolean;
  context?: boolean;
  srcline?: boolean;
}

/** Perl options that need addr2line or source files; refused rather than silently ignored. */
const UNSUPPORTED = ['inline', 'context', 'srcline'] as const;

const OPEN_OPTIONS: OpenOptions = {
  // stackcollapse-perf users pipe plain `perf script`, so a perf.data file is read the same way.
  perfScriptArgs: (path) => ['script', '-i', path],
  // The collapser keeps no chunk.
  reuseChunks: true,
};

export function collapseCommand(name = 'collapse'): Command {
  const command = new Command(name)
    .description(
      'Folds perf script stacks exactly as stackcollapse-perf.pl does (same output bytes): ' +
        'one "PROCESS;root;…;leaf COUNT" line per distinct stack, sorted by bytes.\n\n' +
        'Input: FILEs (perf script text, .gz, or perf.data), or stdin when none or "-".',
    )
    .argument('[files...]', 'perf script output, read one after the other as one stream')
    .option('--pid', 'include the PID with process names: COMM-PID')
    .option('--tid', 'include the PID and TID with process names: COMM-PID/TID')
    .option('--kernel', 'annotate kernel functions with _[k]')
    .option('--jit', 'annotate JIT functions (/tmp/perf-PID.map) with _[j]')
    .option('--all', 'all annotations (--kernel --jit)')
    .option('--addrs', 'include the raw address where a symbol is [unknown]')
    .option('--event-filter <event>', 'keep only samples of this event (default: the first event seen)')
    .option('-o, --output <file>', 'write to FILE instead of stdout (written only when complete)')
    .option('--partial', 'on an input error, still write the stacks completed before it (exit status stays 2)')
    .exitOverride()
    .showHelpAfterError(`(${name} --help shows the options)`)
    .action(async (files: string[], options: CollapseCliOptions) => {
      await runCollapse(files, options);
    });
  for (const flag of UNSUPPORTED) command.addOption(new Option(`--${flag}`).hideHelp());
  return command;
}

/** `stackcollapse-perf ARGS`: also takes the Perl spellings (`-pid`, `--event=cycles`, `--PID`). */
export async function stackcollapseMain(argv: readonly string[]): Promise<void> {
  const command = collapseCommand('stackcollapse-perf');
  await parseCommandLine(command, normalizePerlOptions(argv, command));
}

async function runCollapse(files: string[], options: CollapseCliOptions): Promise<void> {
  const unsupported = UNSUPPORTED.find((flag) => options[flag]);
  if (unsupported !== undefined) {
    throw new UserError(`--${unsupported} is not supported (stackcollapse-perf.pl runs addr2line or reads source lines for it)`);
  }
  let label = 'stdin';
  const warnings: string[] = [];
  // Loaded when it runs, so that --help stays quick.
  const [{ StackCollapser }, { PerfInputError }] = await Promise.all([import('../collapse/stackCollapser.js'), import('../perf/scriptParser.js')]);
  const collapser = new StackCollapser(options, (warning: CollapseWarning) => {
    // Perl's wording; its `warn` adds where the line was.
    warnings.push(warning.kind === 'unrecognized-line' ? `${warning.message} at ${label} line ${warning.line}.\n` : `${warning.message}\n`);
  });
  const flushWarnings = (): void => {
    if (warnings.length === 0) return;
    process.stderr.write(warnings.join(''));
    warnings.length = 0;
  };
  try {
    for (const path of files.length > 0 ? files : ['-']) {
      const input = await openInput(path, OPEN_OPTIONS);
      label = input.label;
      try {
        for await (const chunk of input.chunks) {
          collapser.push(chunk);
          flushWarnings();
        }
        collapser.endInput();
      } catch (error) {
        if (error instanceof PerfInputError) throw error.atInput(label);
        if (error instanceof InputStreamError) throw new UserError(`${label}:${collapser.lineCount + 1}: ${error.reason}`);
        throw error;
      } finally {
        flushWarnings();
      }
    }
  } catch (error) {
    if (options.partial && error instanceof UserError) await writeOutput(options.output, collapser.folded());
    throw error;
  }
  await writeOutput(options.output, collapser.folded());
}
