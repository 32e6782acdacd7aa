import { analyze, type AnalyzeOptions, type AnalysisResult } from '../../src/analyze.js';

/** Folded lines of a hand-written input as [stack, µs] pairs. */
export function fold(text: string, options: AnalyzeOptions = {}): [string, number][] {
  return [...analyze(text, options).stacks];
}

export function run(text: string, options: AnalyzeOptions = {}): AnalysisResult {
  return analyze(text, options);
}
