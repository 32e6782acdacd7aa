/** `offgil`: perf scheduler trace → off-GIL (or off-CPU) folded stacks, and its subcommands. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { openInput, RECORD_COMMAND } from '../io/input.js';
import { addAnalysisOptions, type AnalysisCliOptions } from './analysisOptions.js';
import { collapseCommand } from './collapse.js';
import { diffCommand } from './diff.js';
import { recordCommand } from './record.js';
import { parseCommandLine } from './run.js';

/** The version in package.json (dist/src/cli/ → the package root). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

export function buildProgram(): Command {
  const program = new Command('offgil')
    .description(
      'Off-GIL flame graphs: reads perf scheduler events (perf script text, .gz, or a\n' +
        'perf.data file) and prints the stacks of Python threads waiting for the GIL as\n' +
        'folded stacks weighted in microseconds.\n\n' +
        `Record with:\n  ${RECORD_COMMAND}\n` +
        'or let offgil record: offgil record [options] -- python3 app.py\n' +
        'Compare two runs: offgil diff BEFORE AFTER [--svg F | --html F]\n\n' +
        'Input: -i FILE; else stdin when it is a pipe or file; else ./perf-sched.data, else ./perf.data.',
    )
    .version(packageVersion(), '--version', 'print the version')
    .option('-i, --input <file>', 'perf script text (plain or .gz) or a perf.data file ("-" for stdin)')
    .addOption(new Option('--input-perf <file>', 'alias of --input (per4m)').hideHelp())
    .enablePositionalOptions()
    .showHelpAfterError('(offgil --help shows the options)')
    .exitOverride();
  addAnalysisOptions(program).action(async (options: AnalysisCliOptions & { input?: string; inputPerf?: string }) => {
    // The analysis and its renderers load only when they run: --help and usage errors stay quick.
    const { runAnalysis } = await import('./runAnalysis.js');
    // The analyzer keeps nothing of a chunk (it copies what it remembers), so a file is read into one reused buffer.
    await runAnalysis(await openInput(options.input ?? options.inputPerf, { reuseChunks: true }), options);
  });
  program.addCommand(recordCommand());
  program.addCommand(collapseCommand());
  program.addCommand(diffCommand());
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await parseCommandLine(buildProgram(), argv);
}
