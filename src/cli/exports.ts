/** Writing the export files (options in exportOptions.ts): the renderers are pure, this is the I/O around them. */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AnalysisResult } from '../analyze.js';
import { writesExports, type ExportCliOptions } from './exportOptions.js';
import { writeFileAtomically } from '../io/output.js';
import { formatDtrace } from '../render/dtrace.js';
import type { ExportMeta, HolderView } from '../render/exportCommon.js';
import { foldedChunks } from '../render/folded.js';
import { pprofProfile } from '../render/pprof.js';
import { speedscopeChunks } from '../render/speedscope.js';
import { emptyTraceCounts, traceChunks } from '../render/trace.js';

/** The folded output (stdout or -o) in the chosen form. */
export function foldedText(stacks: ReadonlyMap<string, number>, result: AnalysisResult, options: ExportCliOptions): Iterable<string> {
  if (options.format !== 'dtrace') return foldedChunks(stacks);
  return [formatDtrace(
    stacks,
    result.warnings.map((warning) => `offgil ${warning.severity}: ${warning.message}`),
  )];
}

function holderView(options: ExportCliOptions): HolderView {
  if (options.withHolders) return 'with-holders';
  return options.holders ? 'holders' : 'waiters';
}

let generator: string | undefined;

/** `offgil VERSION`, from the package.json beside dist/. */
function generatorName(): string {
  if (generator === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    generator = `offgil ${pkg.version}`;
  }
  return generator;
}

/** Writes the export files the options ask for, each only when complete. */
export async function writeExports(result: AnalysisResult, options: ExportCliOptions, source: { input: string; command: string }): Promise<void> {
  if (!writesExports(options)) return;
  const timeline = result.timeline!;
  const meta: ExportMeta = { ...source, states: options.state, warnings: result.warnings, generator: generatorName() };
  const pythonThreads = new Set(result.threads.map((thread) => thread.tid));
  const keepThread = (tid: number): boolean => pythonThreads.has(tid);
  const view = holderView(options);
  if (options.trace !== undefined) {
    const counts = emptyTraceCounts();
    const path = options.trace;
    await writeFileAtomically(path, traceChunks(timeline, meta, { minUs: options.traceMinUs, holderStacks: view !== 'waiters', keepThread }, counts));
    const dropped = counts.droppedIntervals + counts.droppedRunning;
    const droppedText = options.traceMinUs === undefined ? '' : `, ${dropped} shorter than ${options.traceMinUs} µs left out`;
    report(
      `the Chrome trace (${counts.threads} threads, ${counts.intervals} off-CPU, ${counts.running} running and ${counts.counters} counter events${droppedText}, ${await sizeOf(path)})`,
      path,
    );
  }
  if (options.speedscope !== undefined) {
    await writeFileAtomically(options.speedscope, speedscopeChunks(timeline, meta, { view, keepThread }));
    report(`the speedscope profile (${await sizeOf(options.speedscope)})`, options.speedscope);
  }
  if (options.pprof !== undefined) {
    await writeFileAtomically(options.pprof, pprofProfile(timeline, meta, { view, keepThread }));
    report(`the pprof profile (${await sizeOf(options.pprof)})`, options.pprof);
  }
}

function report(what: string, path: string): void {
  process.stderr.write(`offgil: wrote ${what} to ${path}\n`);
}

async function sizeOf(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return 'not a regular file';
    const bytes = info.size;
    return bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1 << 20)).toFixed(1)} MB`;
  } catch {
    return 'size unknown';
  }
}
