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
export { DEFAULT_EVAL_FRAMES, EVAL_MARK } from './stacks/cpythonFrames.js';
export type { FrameKind } from './stacks/frameKind.js';
export { ViztracerStacks } from './stacks/viztracer/callStacks.js';
export { parseViztracerTrace } from './stacks/viztracer/traceFile.js';
export { renderHtml } from './render/html/index.js';
export type { HtmlMeta } from './render/html/index.js';
