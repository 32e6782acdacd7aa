/**
 * Perl's Getopt::Long, as flamegraph.pl and stackcollapse-perf.pl configure it, ignores the case of
 * option names and accepts any unambiguous prefix (`--color=io`, `--min 2`, `--PID`).
 */

/** The option names `typed` may stand for: the exact name alone, else every name it starts. */
export function optionNameCandidates(typed: string, names: readonly string[]): string[] {
  const lower = typed.toLowerCase();
  return names.includes(lower) ? [lower] : names.filter((name) => name.startsWith(lower));
}
