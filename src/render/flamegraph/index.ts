/**
 * flamegraph.pl-compatible flame graphs: folded stack lines in, an interactive SVG out.
 *
 *     const { svg, exitCode, warnings } = renderFlameGraph(lines, { title: 'Off-GIL time', countName: 'us', colors: 'python' });
 */
import { formatPaletteMap, parsePaletteMap } from './paletteMap.js';
import { parseFoldedLine, type FoldedLine } from './foldedInput.js';
import { mergeLines, orderLines, type FrameNode } from './merge.js';
import { minWidthOf, resolveOptions, FlameGraphOptionError, type FlameGraphOptions } from './options.js';
import { backgroundStops, differentialColor, paletteColor, PALETTES, type ColorMode } from './palette.js';
import { graphGeometry, widthPerTime, writeErrorSvg, writeFlameGraphSvg } from './svgWriter.js';

export type { FlameGraphOptions, NameAttributes } from './options.js';
export type { FrameKind } from '../../stacks/frameKind.js';
export type { PaletteName } from './palette.js';
export { DEFAULT_OPTIONS, FlameGraphOptionError } from './options.js';
export { PALETTES } from './palette.js';
export { guessFrameKind } from '../../stacks/frameKind.js';
export { parseNameAttributes } from './nameAttributes.js';
export { formatPaletteMap, parsePaletteMap };

export interface FlameGraphResult {
  svg: string;
  /** 0, or 2 when no line had a count (the SVG then only says so), as flamegraph.pl exits. */
  exitCode: 0 | 2;
  /** What flamegraph.pl would print on stderr, one message each (`Ignored 3 lines with invalid format`). */
  warnings: string[];
  /** With `paletteMap`: the map completed with the color of every frame drawn (for `palette.map`). */
  paletteMap?: Map<string, string>;
}

/**
 * Renders folded lines (`frame;frame;leaf COUNT`, or `… BEFORE AFTER` for a differential graph,
 * without newlines). Throws `FlameGraphOptionError` for an unusable option value.
 */
export function renderFlameGraph(lines: Iterable<string>, options: Partial<FlameGraphOptions> = {}): FlameGraphResult {
  const resolved = checkFlameGraphOptions(options);
  const background = backgroundStops(resolved.colors, resolved.bgColors)!;
  const warnings: string[] = [];
  if (!(PALETTES as readonly string[]).includes(resolved.colors)) {
    warnings.push(`Unknown palette ${resolved.colors}: frames are drawn black (palettes: ${PALETTES.join(' ')})`);
  }

  const valid: FoldedLine[] = [];
  let ignored = 0;
  let tooLarge = 0;
  let sum = 0;
  let maxDelta = 1;
  for (const line of lines) {
    const parsed = parseFoldedLine(line, resolved.reverse);
    if (parsed === undefined) {
      ignored++;
      continue;
    }
    // Widths are computed in doubles: a count (or a total) past 2^53 could not be drawn right.
    if (parsed.count > Number.MAX_SAFE_INTEGER || sum + parsed.count > Number.MAX_SAFE_INTEGER || Math.abs(parsed.delta ?? 0) > Number.MAX_SAFE_INTEGER) {
      tooLarge++;
      continue;
    }
    valid.push(parsed);
    sum += parsed.count;
    if (parsed.delta !== undefined && Math.abs(parsed.delta) > maxDelta) maxDelta = Math.abs(parsed.delta);
  }
  if (ignored > 0) warnings.push(`Ignored ${ignored} lines with invalid format`);
  if (tooLarge > 0) warnings.push(`Ignored ${tooLarge} lines whose counts are too large to draw (the total must stay below 2^53)`);
  if (sum === 0) {
    warnings.push('ERROR: No stack counts found');
    return { svg: writeErrorSvg(resolved), exitCode: 2, warnings };
  }
  if (sum < 100 && resolved.countName === 'samples') warnings.push(`Stack count is low (${sum}). Did something go wrong?`);
  let total = sum;
  if (resolved.total !== undefined) {
    if (resolved.total >= sum) total = resolved.total;
    else warnings.push(`Specified --total ${resolved.total} is less than actual total ${sum}, so ignored`);
  }

  const minWidth = minWidthOf(resolved.minWidth);
  const merged = mergeLines(orderLines(valid, resolved.flamechart), {
    wakerFrames: resolved.colors === 'chain' ? 'chain' : resolved.colors === 'python' ? 'holders' : 'none',
    minWidth: 'percent' in minWidth ? (total * minWidth.percent) / 100 : minWidth.pixels / widthPerTime(resolved, total),
  });
  valid.length = 0;
  // Drawing order (flamegraph.pl's is Perl hash order): by depth, then left to right.
  merged.nodes.sort((a, b) => a.depth - b.depth || a.start - b.start);

  const fill = frameFill(resolved, maxDelta);
  const svg = writeFlameGraphSvg(merged.nodes, fill.of, graphGeometry(merged.maxDepth, total, resolved), total, background, resolved);
  const result: FlameGraphResult = { svg, exitCode: 0, warnings };
  if (fill.paletteMap !== undefined) result.paletteMap = fill.paletteMap;
  return result;
}

/** Options with defaults filled in; throws `FlameGraphOptionError` for an unusable value (before any input is read). */
export function checkFlameGraphOptions(options: Partial<FlameGraphOptions>): FlameGraphOptions {
  const resolved = resolveOptions(options);
  if (backgroundStops(resolved.colors, resolved.bgColors) === undefined) {
    throw new FlameGraphOptionError(`--bgcolors must be yellow, blue, green, grey or #rrggbb, not ${resolved.bgColors}`);
  }
  // XML's EncName: anything else would break the declaration it is written into.
  if (resolved.encoding !== undefined && !/^[A-Za-z][A-Za-z0-9._-]*$/.test(resolved.encoding)) {
    throw new FlameGraphOptionError(`--encoding must be an encoding name such as UTF-8 or ISO-8859-1, not ${JSON.stringify(resolved.encoding)}`);
  }
  return resolved;
}

/**
 * Fill per box: `--`/`-` separators grey, differential boxes by delta, else the `--cp` map or the
 * palette. Colors are cached by name, unless random (flamegraph.pl draws each box anew then).
 */
function frameFill(options: FlameGraphOptions, maxDelta: number): { of: (node: FrameNode) => string; paletteMap?: Map<string, string> } {
  const mode: ColorMode = options.hash ? 'hash' : options.random ? 'random' : 'default';
  const map = options.paletteMap === undefined ? undefined : new Map(options.paletteMap);
  const cache = map ?? (mode === 'random' ? undefined : new Map<string, string>());
  const of = (node: FrameNode): string => {
    if (node.name === '--') return 'rgb(160,160,160)';
    if (node.name === '-') return 'rgb(200,200,200)';
    if (node.delta !== undefined) return differentialColor(options.negate ? -node.delta : node.delta, maxDelta);
    let color = cache?.get(node.name);
    if (color === undefined) {
      color = paletteColor(options.colors, node.name, mode, options.frameKind);
      cache?.set(node.name, color);
    }
    return color;
  };
  return map === undefined ? { of } : { of, paletteMap: map };
}
