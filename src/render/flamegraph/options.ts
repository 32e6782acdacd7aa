/**
 * The options of the flame graph renderer, named after flamegraph.pl's flags, with its defaults.
 */
import type { FrameKindOf } from './palette.js';

/** Attributes of `--nameattr`, by frame name: `title`, `id`, `class`, `g_extra`, `href`, `target`, `a_extra`. */
export type NameAttributes = ReadonlyMap<string, Readonly<Record<string, string>>>;

export interface FlameGraphOptions {
  /** `--title`. Default `Flame Graph`; `Flame Chart` with `flamechart`, else `Icicle Graph` with `inverted`. */
  title: string | undefined;
  /** `--subtitle`, a second centered line under the title. Default none (`''`). */
  subtitle: string;
  /** `--width`: image width in px. Default 1200. */
  width: number;
  /** `--height`: frame height in px (boxes are one less). Default 16. */
  frameHeight: number;
  /** `--minwidth`: boxes narrower than this many px are omitted; a string `'P%'` means P percent of the total. Default 0.1. */
  minWidth: number | string;
  /** `--fonttype`. Default `Verdana`. */
  fontType: string;
  /** `--fontsize` in px. Default 12. */
  fontSize: number;
  /** `--fontwidth`: average character width as a fraction of the font size, for fitting labels. Default 0.59. */
  fontWidth: number;
  /** `--countname`: unit shown in tooltips. Default `samples`. */
  countName: string;
  /** `--nametype`: prefix of the hovered frame's details line. Default `Function:`. */
  nameType: string;
  /** `--colors`: `hot` (default) `mem io wakeup chain java js perl red green blue aqua yellow purple orange python`. */
  colors: string;
  /** `--bgcolors`: `yellow blue green grey` or `#rrggbb`. Default: follows the palette. */
  bgColors: string | undefined;
  /** `--hash`: colors from a hash of the name (similar names, similar colors). Default false. */
  hash: boolean;
  /** `--random`: random colors. Default false (colors are seeded by the name, hence stable). */
  random: boolean;
  /**
   * `--cp`: colors of `palette.map` (name → `rgb(…)`) to reuse; the result's `paletteMap` has it
   * completed with every new name. Default undefined (no map).
   */
  paletteMap: ReadonlyMap<string, string> | undefined;
  /** `--reverse`: reverse each stack before merging (leaf at the bottom). Default false. */
  reverse: boolean;
  /** `--inverted`: icicle graph, root at the top. Default false. */
  inverted: boolean;
  /** `--flamechart`: keep input order and merge only adjacent lines. Default false. */
  flamechart: boolean;
  /** `--negate`: swap red and blue of differential graphs. Default false. */
  negate: boolean;
  /** `--factor`: multiplies the counts shown in tooltips (not the widths). Default 1. */
  factor: number;
  /** `--total`: draw against this total when it is larger than the sum of the counts. Default none. */
  total: number | undefined;
  /** `--notes`: text of an XML comment near the top (must not contain `<` or `>`). Default `''`. */
  notes: string;
  /** `--nameattr`: extra attributes per frame name (see `parseNameAttributes`). Default none. */
  nameAttributes: NameAttributes | undefined;
  /** `--encoding`: value of the XML declaration's `encoding` (the text itself is always UTF-8). Default none. */
  encoding: string | undefined;
  /**
   * For `colors: 'python'`: decides the kind of a frame before the name heuristics (undefined
   * falls back to them). offgil passes one built from DSOs.
   */
  frameKind: FrameKindOf | undefined;
}

export const DEFAULT_OPTIONS: Readonly<FlameGraphOptions> = {
  title: undefined,
  subtitle: '',
  width: 1200,
  frameHeight: 16,
  minWidth: 0.1,
  fontType: 'Verdana',
  fontSize: 12,
  fontWidth: 0.59,
  countName: 'samples',
  nameType: 'Function:',
  colors: 'hot',
  bgColors: undefined,
  hash: false,
  random: false,
  paletteMap: undefined,
  reverse: false,
  inverted: false,
  flamechart: false,
  negate: false,
  factor: 1,
  total: undefined,
  notes: '',
  nameAttributes: undefined,
  encoding: undefined,
  frameKind: undefined,
};

/** An option value the renderer cannot use; the message names the option as the command spells it. */
export class FlameGraphOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlameGraphOptionError';
  }
}

export function resolveOptions(options: Partial<FlameGraphOptions>): FlameGraphOptions {
  const resolved: FlameGraphOptions = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(options) as [keyof FlameGraphOptions, never][]) {
    if (value !== undefined) resolved[key] = value;
  }
  positive('--width', resolved.width);
  positive('--height', resolved.frameHeight);
  positive('--fontsize', resolved.fontSize);
  positive('--fontwidth', resolved.fontWidth);
  positive('--factor', resolved.factor);
  if (resolved.total !== undefined && !(resolved.total >= 0)) throw new FlameGraphOptionError(`--total must be a number, not ${resolved.total}`);
  if (/[<>]/.test(resolved.notes)) throw new FlameGraphOptionError("--notes can't contain < or >");
  minWidthOf(resolved.minWidth);
  return resolved;
}

function positive(flag: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new FlameGraphOptionError(`${flag} must be a positive number, not ${value}`);
}

/** `--minwidth` as pixels or as a percentage of the total. */
export function minWidthOf(value: number | string): { pixels: number } | { percent: number } {
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d*)?|\.\d+)(%?)$/.exec(text);
  if (match === null) throw new FlameGraphOptionError(`--minwidth must be a number of pixels or a percentage like 0.5%, not ${text}`);
  return match[2] === '%' ? { percent: Number(match[1]) } : { pixels: Number(match[1]) };
}
