/** offgil's library API. */
export { offgil } from './offgil.js';
export { analyze, analyzeStream, OffGilAnalyzer } from './analyze.js';
export type { AnalysisResult, AnalysisStats, AnalyzeOptions } from './analyze.js';
export type { OffCpuInterval, UntilMode } from './analysis/intervals.js';
export type { ThreadSummary } from './analysis/threadSummary.js';
export type { RootFrame } from './stacks/foldStack.js';
export type { Warning, WarningCode } from './warnings.js';
export { formatFolded } from './render/folded.js';
export { formatThreadTable } from './render/threadTable.js';
export { PerfInputError } from './perf/scriptParser.js';
export { UserError } from './io/userError.js';
