/** The one-call entry point: a path (text, .gz or perf.data) or a stream in, the analysis out. */
import { OffGilAnalyzer, type AnalysisResult, type AnalyzeOptions } from './analyze.js';
import { openInput } from './io/input.js';
import { PerfInputError } from './perf/scriptParser.js';

/**
 * Analyzes `input`: a file path (perf script text, gzip, or a perf.data file that is run through
 * `perf script`), or any async iterable of chunks. Without input, `./perf-sched.data` then
 * `./perf.data`. Input errors are thrown as UserError with a `FILE:LINE: message` text.
 */
export async function offgil(input?: string | AsyncIterable<Buffer | string>, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const opened = typeof input === 'object' ? { label: 'input', chunks: input } : await openInput(input, { readPipedStdin: false });
  const analyzer = new OffGilAnalyzer(options);
  try {
    for await (const chunk of opened.chunks) analyzer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    return analyzer.finish();
  } catch (error) {
    if (error instanceof PerfInputError) throw error.atInput(opened.label);
    throw error;
  }
}
