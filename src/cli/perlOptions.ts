/**
 * Perl's Getopt::Long, as stackcollapse-perf.pl configures it, takes `-pid` as well as `--pid`, any
 * unambiguous prefix (`--event=cycles`, `--ker`) and ignores case (`--PID`). This rewrites such
 * arguments to the full `--name` that commander knows; anything else is left for commander to
 * accept or reject.
 */
import type { Command } from 'commander';
import { optionNameCandidates } from './getoptNames.js';

const OPTION_LIKE = /^--?([A-Za-z][A-Za-z-]*)(=[\s\S]*)?$/;

export function normalizePerlOptions(argv: readonly string[], command: Command): string[] {
  const names = command.options.flatMap((option) => (option.long === undefined ? [] : [option.long.slice(2)]));
  const shorts = new Set(command.options.flatMap((option) => (option.short === undefined ? [] : [option.short])));
  const normalized: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      normalized.push(...argv.slice(i));
      break;
    }
    const match = OPTION_LIKE.exec(arg);
    if (match === null || shorts.has(arg)) {
      normalized.push(arg);
      continue;
    }
    const candidates = optionNameCandidates(match[1]!, names);
    normalized.push(candidates.length === 1 ? `--${candidates[0]}${match[2] ?? ''}` : arg);
  }
  return normalized;
}
