/** `--html FILE` of `offgil` and `offgil record`: the report page of one analysis. */
import type { AnalysisResult } from '../analyze.js';
import { writeFileAtomically } from '../io/output.js';
import { renderReport, type HtmlTotal, type ReportView } from '../render/html/index.js';
import type { AnalysisCliOptions } from './analysisOptions.js';

/** The command line as the user could type it again. */
export function commandLine(argv: readonly string[] = process.argv.slice(2), name = 'offgil'): string {
  const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return [name, ...argv].map(quote).join(' ');
}

const number = (value: number): string => Math.round(value).toLocaleString('en-US');

/** The header's totals: what the flame graph shows, GIL wait of all threads, the recording. */
export function reportTotals(result: AnalysisResult, options: Pick<AnalysisCliOptions, 'state' | 'until'>): HtmlTotal[] {
  const gilNs = result.threads.reduce((sum, thread) => sum + thread.gilNs, 0);
  const stats = result.stats;
  const totals: HtmlTotal[] = [
    { label: `shown (${options.state.join(', ')})`, value: `${number(result.totalUs)} µs in ${number(stats.keptIntervals)} intervals` },
    { label: 'GIL wait', value: `${number(gilNs / 1000)} µs in ${number(result.threads.filter((thread) => thread.gilNs > 0).length)} of ${number(result.threads.length)} threads` },
    { label: 'recording', value: `${(stats.lastEventNs / 1e6).toFixed(1)} ms, ${number(stats.events)} events` },
    { label: 'lost events', value: stats.lostRecords === 0 ? 'none' : `${number(stats.lostEvents)} in ${number(stats.lostRecords)} records` },
    { label: 'intervals end at', value: options.until },
  ];
  return totals;
}

/** Which flame graph view the page opens with: the one the folded options ask for. */
function initialView(options: AnalysisCliOptions): ReportView {
  if (options.withHolders) return 'both';
  if (options.holders) return 'holders';
  return 'waiters';
}

export async function writeHtmlReport(path: string, result: AnalysisResult, options: AnalysisCliOptions, inputLabel: string): Promise<void> {
  const html = renderReport(result, {
    title: options.title,
    command: commandLine(),
    input: inputLabel,
    totals: reportTotals(result, options),
    frameKind: (name: string) => result.frameKinds.get(name),
    view: initialView(options),
  });
  await writeFileAtomically(path, html);
  process.stderr.write(`offgil: wrote the HTML report to ${path} (${(Buffer.byteLength(html) / 1e6).toFixed(1)} MB)\n`);
}
