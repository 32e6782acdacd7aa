/** `flamegraph`: folded stacks → interactive SVG flame graph, a drop-in for flamegraph.pl. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { openInput } from '../io/input.js';
import { writeFileAtomically, writeOutput } from '../io/output.js';
import { UserError } from '../io/userError.js';
import { LineSplitter } from '../perf/lineSplitter.js';
import {
  checkFlameGraphOptions,
  FlameGraphOptionError,
  formatPaletteMap,
  parseNameAttributes,
  parsePaletteMap,
  renderFlameGraph,
  type FlameGraphOptions,
} from '../render/flamegraph/index.js';
import { lineTooLong, OpenLine } from '../util/lineLength.js';
import { parseFlameGraphArgs, USAGE } from './flamegraphArgs.js';

/** Where `--cp` keeps its colors, in the current directory like flamegraph.pl. */
export const PALETTE_MAP_FILE = 'palette.map';

export async function main(argv: string[]): Promise<void> {
  const command = parseFlameGraphArgs(argv);
  if (command.help) {
    await writeOutput(undefined, USAGE);
    return;
  }
  const options: Partial<FlameGraphOptions> = { ...command.options };
  withOptionErrors(() => checkFlameGraphOptions(options));
  if (command.nameAttributesFile !== undefined) options.nameAttributes = parseNameAttributes(await readText(command.nameAttributesFile));
  if (command.consistentPalette) {
    options.paletteMap = existsSync(PALETTE_MAP_FILE) ? parsePaletteMap(await readText(PALETTE_MAP_FILE)) : new Map();
  }

  const lines = await readLines(command.files.length === 0 ? ['-'] : command.files);
  const result = withOptionErrors(() => renderFlameGraph(lines, options));
  for (const warning of result.warnings) process.stderr.write(`${warning}\n`);
  await writeOutput(undefined, result.svg);
  if (result.paletteMap !== undefined) await writeFileAtomically(PALETTE_MAP_FILE, formatPaletteMap(result.paletteMap));
  // The reason is already among the warnings.
  if (result.exitCode !== 0) throw new UserError('', result.exitCode);
}

function withOptionErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FlameGraphOptionError) throw new UserError(error.message);
    throw error;
  }
}

/** Every line of every input (`-` = stdin; `.gz` is unpacked), without its `\n`, as flamegraph.pl's `<>`. */
async function readLines(paths: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const path of paths) {
    const input = await openInput(path);
    const before = lines.length;
    // A string per line (not slices of a decoded chunk) keeps the sort and merge on compact strings.
    const splitter = new LineSplitter((buf, start, end) => {
      lines.push(buf.toString('utf8', start, end));
    });
    const openLine = new OpenLine();
    for await (const chunk of input.chunks) {
      const end = openLine.limitIn(chunk);
      if (end < chunk.length) {
        if (end >= 0) splitter.push(chunk.subarray(0, end + 1));
        throw new UserError(`${input.label}:${lines.length - before + 1}: ${lineTooLong().replace('perf script text', 'folded stacks')}`);
      }
      splitter.push(chunk);
    }
    const lastLine = splitter.end();
    if (lastLine !== null) lines.push(lastLine.toString('utf8'));
  }
  return lines;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}
