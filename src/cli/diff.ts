/** `offgil diff BEFORE AFTER`: the command's options; diffRun.ts does the work. */
import { Command } from 'commander';
import { addAnalysisOptions } from './analysisOptions.js';
import type { DiffCliOptions } from './diffRun.js';

export function diffCommand(): Command {
  const command = new Command('diff')
    .description(
      'Differential off-GIL flame graph: BEFORE and AFTER are recordings (perf script text, .gz, perf.data) or folded files. ' +
        'Prints "stack BEFORE AFTER" lines as difffolded.pl does, or draws them with --svg (red: more time after, blue: less) or --html.',
    )
    .argument('<before>', 'the recording or folded file before the change')
    .argument('<after>', 'the recording or folded file after the change')
    .option('-n, --normalize', "scale BEFORE's counts to AFTER's total (difffolded.pl -n)")
    .option('--negate', 'SVG: swap red and blue (flamegraph.pl --negate)')
    .showHelpAfterError('(offgil diff --help shows the options)')
    .exitOverride();
  return addAnalysisOptions(command).action(async (beforePath: string, afterPath: string, options: DiffCliOptions) => {
    const { runDiff } = await import('./diffRun.js');
    await runDiff(beforePath, afterPath, options);
  });
}
