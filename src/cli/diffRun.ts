/**
 * `offgil diff BEFORE AFTER`: did a change reduce the GIL waits? Each side is a recording (perf script
 * text, .gz, perf.data), analysed with the usual options, or a folded file. The result is
 * flamegraph.pl's differential form `STACK BEFORE AFTER` (what difffolded.pl prints, with `-n` as its
 * `-n`), an SVG drawn by the differential mode of the flamegraph renderer, or an HTML page.
 */
import { OffGilAnalyzer, type AnalysisResult } from '../analyze.js';
import { openInput, type OpenedInput } from '../io/input.js';
import { writeFileAtomically, writeOutput } from '../io/output.js';
import { UserError } from '../io/userError.js';
import { PerfInputError } from '../perf/scriptParser.js';
import { renderFlameGraph } from '../render/flamegraph/index.js';
import { DEFAULT_DIFF_TITLE, renderDiff, VIEW_LABELS, type DiffView, type HtmlTotal } from '../render/html/index.js';
import type { FrameKind } from '../stacks/frameKind.js';
import { diffFolded, formatDiff, looksFolded, parseFolded, perlNumber, type DiffLines } from '../render/differential.js';
import { toAnalyzeOptions, viztracerPathOf, type AnalysisCliOptions } from './analysisOptions.js';
import { commandLine } from './htmlReport.js';
import { flameGraphOptionsOf } from './runAnalysis.js';

export interface DiffCliOptions extends AnalysisCliOptions {
  normalize?: boolean;
  negate?: boolean;
}

/** One side of the diff: its folded views (µs), and the analysis when it was a recording. */
interface Side {
  label: string;
  /** The view the folded options ask for. */
  stacks: Map<string, number>;
  result: AnalysisResult | undefined;
  ignoredLines: number;
  tooLargeLines: number;
}

/** The first chunks of an input, until its first line that is not blank or a comment is complete. */
async function peek(input: OpenedInput): Promise<{ head: Buffer[]; rest: AsyncIterator<Buffer>; done: boolean }> {
  const iterator = input.chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let text = '';
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { head, rest: iterator, done: true };
    head.push(Buffer.from(next.value));
    text += next.value.toString('utf8', 0, Math.min(next.value.length, 1 << 16));
    const lines = text.split('\n');
    if (lines.slice(0, -1).some((line) => line.trim() !== '' && !line.startsWith('#')) || text.length > 1 << 20) return { head, rest: iterator, done: false };
  }
}

async function readSide(path: string, options: DiffCliOptions, view: (result: AnalysisResult) => Map<string, number>): Promise<Side> {
  const input = await openInput(path, { readPipedStdin: false });
  const { head, rest, done } = await peek(input);
  const headText = Buffer.concat(head).toString('utf8');
  if (looksFolded(headText)) {
    const chunks = [...head];
    if (!done) for (let next = await rest.next(); !next.done; next = await rest.next()) chunks.push(Buffer.from(next.value));
    const { stacks, ignored, tooLarge } = parseFolded(Buffer.concat(chunks).toString('utf8'));
    return { label: input.label, stacks, result: undefined, ignoredLines: ignored, tooLargeLines: tooLarge };
  }
  const analyzer = new OffGilAnalyzer({ ...(await toAnalyzeOptions(options)), timeline: false, byThread: false });
  let result: AnalysisResult;
  try {
    for (const chunk of head) analyzer.push(chunk);
    if (!done) for (let next = await rest.next(); !next.done; next = await rest.next()) analyzer.push(next.value);
    result = analyzer.finish();
  } catch (error) {
    if (error instanceof PerfInputError) throw error.atInput(input.label);
    throw error;
  }
  for (const warning of result.warnings) {
    if (warning.severity === 'warning') process.stderr.write(`offgil diff: warning: ${input.label}: ${warning.message}\n`);
  }
  return { label: input.label, stacks: view(result), result, ignoredLines: 0, tooLargeLines: 0 };
}

function shownView(options: DiffCliOptions): (result: AnalysisResult) => Map<string, number> {
  return (result) => {
    if (options.withHolders) return result.holderViews!.withHolders;
    if (options.holders) return result.holderViews!.holders;
    return result.stacks;
  };
}

function totalsOf(lines: DiffLines): HtmlTotal[] {
  const number = (value: number): string => Math.round(value).toLocaleString('en-US');
  const change = lines.beforeTotal > 0 ? ` (${lines.afterTotal >= lines.beforeTotal ? '+' : '−'}${((100 * Math.abs(lines.afterTotal - lines.beforeTotal)) / lines.beforeTotal).toFixed(1)}%)` : '';
  return [
    { label: 'before', value: `${number(lines.beforeTotal)} µs` },
    { label: 'after', value: `${number(lines.afterTotal)} µs${change}` },
    { label: 'stacks', value: number(lines.stacks.size) },
    { label: 'normalized', value: lines.normalized ? `yes: before scaled by ${(lines.afterTotal / lines.beforeTotal).toFixed(4)} to after's total (-n)` : 'no' },
  ];
}

export async function runDiff(beforePath: string, afterPath: string, options: DiffCliOptions): Promise<void> {
  if (viztracerPathOf(options) !== undefined) throw new UserError('offgil diff takes no --viztracer (it would apply to both recordings)');
  if (options.svg !== undefined) flameGraphOptionsOf(options);
  const view = shownView(options);
  const before = await readSide(beforePath, options, view);
  const after = await readSide(afterPath, options, view);
  for (const side of [before, after]) {
    if (side.ignoredLines > 0) process.stderr.write(`offgil diff: ${side.label}: ignored ${side.ignoredLines} lines that are not "stack count"\n`);
    if (side.tooLargeLines > 0) {
      process.stderr.write(`offgil diff: warning: ${side.label}: skipped ${side.tooLargeLines} lines whose count (or the sum for their stack) is beyond 2^53, which doubles cannot hold exactly\n`);
    }
  }
  const normalize = options.normalize === true;
  const lines = diffFolded(before.stacks, after.stacks, normalize);
  if (normalize && lines.beforeTotal === 0 && lines.afterTotal > 0) process.stderr.write(`offgil diff: ${before.label} is empty: -n cannot scale it\n`);

  const kinds = new Map<string, FrameKind>([...(before.result?.frameKinds ?? []), ...(after.result?.frameKinds ?? [])]);
  if (options.svg !== undefined) {
    const text = [...lines.stacks].map(([stack, [old, now]]) => `${stack} ${perlNumber(old)} ${perlNumber(now)}`);
    const rendered = renderFlameGraph(text, {
      ...flameGraphOptionsOf(options),
      title: options.title ?? DEFAULT_DIFF_TITLE,
      negate: options.negate === true,
      frameKind: (name) => kinds.get(name),
    });
    await writeFileAtomically(options.svg, rendered.svg);
    process.stderr.write(`offgil diff: wrote ${rendered.exitCode === 0 ? 'the differential SVG flame graph' : 'an SVG that says there is nothing to draw'} to ${options.svg}\n`);
  }
  if (options.html !== undefined) {
    const views: DiffView[] = [];
    const bothRecordings = before.result?.holderViews !== undefined && after.result?.holderViews !== undefined;
    if (bothRecordings) {
      const b = before.result!;
      const a = after.result!;
      views.push({ id: 'waiters', label: VIEW_LABELS.waiters, stacks: diffFolded(b.stacks, a.stacks, normalize).stacks });
      views.push({ id: 'holders', label: VIEW_LABELS.holders, stacks: diffFolded(b.holderViews!.holders, a.holderViews!.holders, normalize).stacks });
      views.push({ id: 'both', label: VIEW_LABELS.both, stacks: diffFolded(b.holderViews!.withHolders, a.holderViews!.withHolders, normalize).stacks });
      const first = options.withHolders ? 2 : options.holders ? 1 : 0;
      views.unshift(...views.splice(first, 1));
    } else {
      views.push({ id: 'stacks', label: 'stacks', stacks: lines.stacks });
    }
    const html = renderDiff(views, {
      title: options.title,
      command: commandLine(),
      before: before.label,
      after: after.label,
      totals: totalsOf(lines),
      frameKind: (name) => kinds.get(name),
    });
    await writeFileAtomically(options.html, html);
    process.stderr.write(`offgil diff: wrote the HTML differential flame graph to ${options.html}\n`);
  }
  if (options.output !== undefined || (options.html === undefined && options.svg === undefined)) await writeOutput(options.output, formatDiff(lines));
  if (options.output !== undefined && options.output !== '-') {
    process.stderr.write(`offgil diff: wrote ${lines.stacks.size} stacks (before ${perlNumber(lines.beforeTotal)} µs, after ${perlNumber(lines.afterTotal)} µs) to ${options.output}\n`);
  }
}

