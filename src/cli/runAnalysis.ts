/** Reads an input, analyses it and writes what the options ask for: folded stacks, HTML, reports. */
import { OffGilAnalyzer, type AnalysisResult } from '../analyze.js';
import { CLOSE_RULE_NAMES } from '../analysis/intervals.js';
import type { OpenedInput } from '../io/input.js';
import { writeFileAtomically, writeOutput } from '../io/output.js';
import { UserError } from '../io/userError.js';
import { PerfInputError } from '../perf/scriptParser.js';
import { checkFlameGraphOptions, FlameGraphOptionError, renderFlameGraph, type FlameGraphOptions } from '../render/flamegraph/index.js';
import { DEFAULT_HTML_TITLE } from '../render/html/index.js';
import { formatSummaryTable } from '../render/summaryTable.js';
import { summaryJson } from '../render/summaryJson.js';
import { printable } from '../util/terminalText.js';
import { shortWarning } from '../warnings.js';
import { commandLine, writeHtmlReport } from './htmlReport.js';
import { toAnalyzeOptions, viztracerPathOf, wantsHolders, type AnalysisCliOptions } from './analysisOptions.js';
import { writesExports } from './exportOptions.js';
import { foldedText, writeExports } from './exports.js';

export async function runAnalysis(input: OpenedInput, options: AnalysisCliOptions): Promise<void> {
  if (options.svg !== undefined) flameGraphOptionsOf(options);
  const analyzer = new OffGilAnalyzer(await toAnalyzeOptions(options));
  let result: AnalysisResult;
  try {
    for await (const chunk of input.chunks) analyzer.push(chunk);
    result = analyzer.finish();
  } catch (error) {
    if (!(error instanceof PerfInputError)) throw error;
    if (!options.partial) throw error.atInput(input.label);
    const partial = analyzer.partialResult();
    await writeOutput(options.output, foldedText(shownStacks(partial, options), partial, options));
    throw error.atInput(input.label);
  }
  const viztracerPath = viztracerPathOf(options);
  const mismatched = result.stats.viztracer.mismatched;
  if (viztracerPath !== undefined && mismatched > 0 && !options.allowMismatch) {
    throw new UserError(
      `${viztracerPath}: the Python stacks of ${mismatched} switch-out(s) do not fit the native stacks ` +
        `(first at ${input.label}:${result.stats.viztracer.firstMismatchLine}); --allow-mismatch keeps going without them`,
    );
  }
  report(result, options);
  const stacks = shownStacks(result, options);
  if (options.summaryJson !== undefined) {
    const json = summaryJson({ ...result, holders: wantsHolders(options), input: input.label });
    await writeFileAtomically(options.summaryJson, json);
  }
  if (options.svg !== undefined) await writeSvg(options.svg, stacks, result, options);
  if (options.html !== undefined) await writeHtmlReport(options.html, result, options, input.label);
  await writeExports(result, options, { input: input.label, command: commandLine() });
  // Folded stacks go to stdout unless a picture, an export or the JSON summary was asked for instead.
  if (options.output !== undefined || (options.html === undefined && options.svg === undefined && options.summaryJson === undefined && !writesExports(options))) {
    await writeOutput(options.output, foldedText(stacks, result, options));
  }
  if (options.output !== undefined && options.output !== '-') {
    let us = 0;
    for (const count of stacks.values()) us += count;
    process.stderr.write(`offgil: wrote ${stacks.size} stacks, ${us} µs, to ${options.output}\n`);
  }
}

/** The folded view the options ask for: the waiters, the holders, or both joined by `--`. */
function shownStacks(result: AnalysisResult, options: AnalysisCliOptions): Map<string, number> {
  if (options.withHolders) return result.holderViews!.withHolders;
  if (options.holders) return result.holderViews!.holders;
  return result.stacks;
}

/** flamegraph.pl's options from offgil's, with the off-GIL defaults; bad values fail before any input is read. */
export function flameGraphOptionsOf(options: AnalysisCliOptions): Partial<FlameGraphOptions> {
  const chosen: Partial<FlameGraphOptions> = {
    title: options.title ?? DEFAULT_HTML_TITLE,
    countName: 'us',
    colors: options.colors,
    subtitle: options.subtitle,
    width: options.width,
    frameHeight: options.height,
    minWidth: options.minwidth === undefined ? undefined : options.minwidth.endsWith('%') ? options.minwidth : Number(options.minwidth),
    bgColors: options.bgcolors,
    hash: options.hash,
    inverted: options.inverted,
    reverse: options.reverse,
    fontSize: options.fontsize,
  };
  const given = Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== undefined)) as Partial<FlameGraphOptions>;
  try {
    checkFlameGraphOptions(given);
  } catch (error) {
    if (error instanceof FlameGraphOptionError) throw new UserError(error.message);
    throw error;
  }
  return given;
}

async function writeSvg(path: string, stacks: ReadonlyMap<string, number>, result: AnalysisResult, options: AnalysisCliOptions): Promise<void> {
  const lines = [...stacks].map(([stack, us]) => `${stack} ${us}`);
  // What the input could not show goes into the picture itself: the subtitle is the SVG's one free line.
  const problems = result.warnings.filter((warning) => warning.severity === 'warning').map(shortWarning);
  const chosen = flameGraphOptionsOf(options);
  const warningLine = problems.length === 0 ? undefined : `warning: ${problems.join('; ')} (details: offgil's stderr)`;
  const subtitle = [chosen.subtitle, warningLine].filter((part) => part !== undefined).join(' — ');
  const rendered = renderFlameGraph(lines, { ...chosen, ...(subtitle === '' ? {} : { subtitle }), frameKind: (name) => result.frameKinds.get(name) });
  await writeFileAtomically(path, rendered.svg);
  const what = rendered.exitCode === 0 ? 'the SVG flame graph' : 'an SVG that says there is nothing to draw';
  process.stderr.write(`offgil: wrote ${what} to ${path}\n`);
}

function report(result: AnalysisResult, options: AnalysisCliOptions): void {
  const err = (line: string): void => {
    process.stderr.write(`${printable(line)}\n`);
  };
  for (const warning of result.warnings) {
    if (warning.severity === 'warning') err(`offgil: warning: ${warning.message}`);
  }
  const notes = result.warnings.filter((warning) => warning.severity === 'note');
  if (notes.length > 0 && !options.verbose && !options.quiet) err(`offgil: note: ${notes.map((note) => note.message).join('; ')}`);
  if (options.summary || options.verbose) err(formatSummaryTable(result.threads, result.findings, { top: options.top, holders: wantsHolders(options) }));
  if (!options.verbose) return;
  const stats = result.stats;
  for (const note of notes) err(`offgil: note: ${note.message}`);
  err(`offgil: ${stats.lines} lines, ${stats.events} events, ${stats.switchEvents} sched_switch`);
  err(
    `offgil: ${stats.intervals} intervals closed by rule: ` +
      CLOSE_RULE_NAMES.map((rule) => `${rule} ${stats.closedBy[rule]}`).join(', ') +
      `; ${stats.openAtEnd} open at the end (dropped); ${stats.keptIntervals} in the output`,
  );
  const classes = Object.entries(stats.classNs)
    .sort((a, b) => b[1] - a[1])
    .map(([cls, ns]) => `${cls} ${Math.floor(ns / 1000)}`);
  err(`offgil: off-CPU µs by class: ${classes.join(', ') || 'none'}`);
  const others = Object.entries(stats.otherEvents).map(([name, count]) => `${name} ${count}`);
  if (others.length > 0) err(`offgil: other events (used only to see their thread awake): ${others.join(', ')}`);
  const viztracer = stats.viztracer;
  if (viztracerPathOf(options) !== undefined) {
    err(`offgil: VizTracer stacks: ${viztracer.matched} matched, ${viztracer.benign} benign, ${viztracer.mismatched} mismatched, ${viztracer.outsideTrace} outside the trace`);
  }
}
