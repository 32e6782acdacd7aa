/**
 * Command line of `flamegraph`, spelled as flamegraph.pl's Getopt::Long accepts it: `--opt=value`,
 * `--opt value`, `-opt value`, any case, and unambiguous abbreviations (`--color=io`, `--min 2`).
 * Abbreviations are expanded here; yargs-parser then does the parsing proper.
 */
import yargsParser from 'yargs-parser';
import { UserError } from '../io/userError.js';
import type { FlameGraphOptions } from '../render/flamegraph/index.js';
import { optionNameCandidates } from './getoptNames.js';

type Kind = 'string' | 'integer' | 'number' | 'boolean';

/** Every option: value type, placeholder and help, in flamegraph.pl's order. */
const SPEC: Record<string, { kind: Kind; arg?: string; help: string }> = {
  title: { kind: 'string', arg: 'TEXT', help: 'title (default "Flame Graph")' },
  subtitle: { kind: 'string', arg: 'TEXT', help: 'second title line (default none)' },
  width: { kind: 'integer', arg: 'NUM', help: 'image width in px (default 1200)' },
  height: { kind: 'integer', arg: 'NUM', help: 'frame height in px (default 16)' },
  minwidth: { kind: 'string', arg: 'NUM[%]', help: 'omit frames narrower than NUM px or NUM% of the total (default 0.1)' },
  fonttype: { kind: 'string', arg: 'FONT', help: 'font family (default "Verdana")' },
  fontsize: { kind: 'number', arg: 'NUM', help: 'font size in px (default 12)' },
  fontwidth: { kind: 'number', arg: 'NUM', help: 'average character width / font size, to fit labels (default 0.59)' },
  countname: { kind: 'string', arg: 'TEXT', help: 'count unit in tooltips (default "samples")' },
  nametype: { kind: 'string', arg: 'TEXT', help: 'prefix of the hovered frame\'s details (default "Function:")' },
  colors: {
    kind: 'string',
    arg: 'PALETTE',
    help: 'hot (default), mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua,\nyellow, purple, orange, python (Python, CPython, native, libc, kernel frames)',
  },
  bgcolors: { kind: 'string', arg: 'COLOR', help: 'background: yellow, blue, green or grey gradient, or flat #rrggbb' },
  hash: { kind: 'boolean', help: 'colors by a hash of the name (similar names, similar colors)' },
  random: { kind: 'boolean', help: 'random colors' },
  cp: { kind: 'boolean', help: 'consistent palette: reuse and update ./palette.map' },
  reverse: { kind: 'boolean', help: 'reverse each stack (leaf frames at the bottom)' },
  inverted: { kind: 'boolean', help: 'icicle graph (root at the top)' },
  flamechart: { kind: 'boolean', help: 'flame chart: keep input order, merge only adjacent stacks' },
  negate: { kind: 'boolean', help: 'swap red and blue in differential graphs' },
  factor: { kind: 'number', arg: 'NUM', help: 'multiply the counts shown in tooltips by NUM' },
  total: { kind: 'number', arg: 'NUM', help: 'draw against this total when it exceeds the sum of the counts' },
  notes: { kind: 'string', arg: 'TEXT', help: 'XML comment added near the top (no < or >)' },
  nameattr: { kind: 'string', arg: 'FILE', help: 'per-frame attributes, NAME<TAB>key=value... (title id class href target g_extra a_extra)' },
  encoding: { kind: 'string', arg: 'NAME', help: 'encoding named in the XML declaration' },
  help: { kind: 'boolean', help: 'this message' },
};

const NAMES = Object.keys(SPEC);
const HELP_COLUMN = 23;

function helpLine(name: string): string {
  const { arg, help } = SPEC[name]!;
  const left = `  --${name}${arg === undefined ? '' : ` ${arg}`}`.padEnd(HELP_COLUMN);
  return left + help.replace(/\n/g, `\n${' '.repeat(HELP_COLUMN)}`);
}

export const USAGE =
  'Usage: flamegraph [options] [FILE...] > graph.svg\n\n' +
  'Draws an interactive SVG flame graph from folded stacks ("frame;frame;leaf COUNT" lines, or\n' +
  '"... BEFORE AFTER" for a differential graph) read from the FILEs or stdin, with\n' +
  "flamegraph.pl's options and output.\n\n" +
  NAMES.map(helpLine).join('\n') +
  '\n\nOptions may be abbreviated (--color=io, --min 2) and take one dash (-title T).\n' +
  'Exit status 2 when no line had a count (the SVG then says so) or for a bad option.\n';

export interface FlameGraphCommand {
  help: boolean;
  /** Input files; empty for stdin (`-` also means stdin). */
  files: string[];
  options: Partial<FlameGraphOptions>;
  /** `--cp`: read and rewrite ./palette.map. */
  consistentPalette: boolean;
  /** `--nameattr FILE`. */
  nameAttributesFile: string | undefined;
}

/** Resolves an option name the user typed (any case, maybe abbreviated) to the full name. */
function resolveName(typed: string): string {
  const candidates = optionNameCandidates(typed, NAMES);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new UserError(`unknown option -${typed.length > 1 ? '-' : ''}${typed} (see --help)`);
  throw new UserError(`option --${typed} is ambiguous (${candidates.join(', ')})`);
}

/** Rewrites argv so that every option is `--fullname` or `--fullname=value`. */
function expandOptions(argv: readonly string[]): string[] {
  const expanded: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      expanded.push(...argv.slice(i));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      expanded.push(token);
      continue;
    }
    const body = token.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const name = resolveName(equals < 0 ? body : body.slice(0, equals));
    if (SPEC[name]!.kind === 'boolean') {
      if (equals >= 0) throw new UserError(`option --${name} does not take a value`);
      expanded.push(`--${name}`);
      continue;
    }
    let value: string;
    if (equals >= 0) value = body.slice(equals + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new UserError(`option --${name} needs a value`);
    expanded.push(`--${name}=${value}`);
  }
  return expanded;
}

function numberValue(name: string, text: string, kind: Kind): number {
  const pattern = kind === 'integer' ? /^[-+]?\d+$/ : /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
  if (!pattern.test(text.trim())) throw new UserError(`--${name}: "${text}" is not ${kind === 'integer' ? 'an integer' : 'a number'}`);
  return Number(text);
}

export function parseFlameGraphArgs(argv: readonly string[]): FlameGraphCommand {
  const parsed = yargsParser(expandOptions(argv), {
    string: NAMES.filter((name) => SPEC[name]!.kind !== 'boolean'),
    boolean: NAMES.filter((name) => SPEC[name]!.kind === 'boolean'),
    configuration: {
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      'duplicate-arguments-array': false,
      'short-option-groups': false,
    },
  });
  const text = (name: string): string | undefined => (typeof parsed[name] === 'string' ? (parsed[name] as string) : undefined);
  const number = (name: string): number | undefined => {
    const value = text(name);
    return value === undefined ? undefined : numberValue(name, value, SPEC[name]!.kind);
  };
  const flag = (name: string): boolean => parsed[name] === true;
  const options: Partial<FlameGraphOptions> = {
    title: text('title'),
    subtitle: text('subtitle'),
    width: number('width'),
    frameHeight: number('height'),
    minWidth: text('minwidth'),
    fontType: text('fonttype'),
    fontSize: number('fontsize'),
    fontWidth: number('fontwidth'),
    countName: text('countname'),
    nameType: text('nametype'),
    colors: text('colors'),
    bgColors: text('bgcolors'),
    hash: flag('hash'),
    random: flag('random'),
    reverse: flag('reverse'),
    inverted: flag('inverted'),
    flamechart: flag('flamechart'),
    negate: flag('negate'),
    factor: number('factor'),
    total: number('total'),
    notes: text('notes'),
    encoding: text('encoding'),
  };
  return {
    help: flag('help'),
    files: parsed._.map(String),
    options,
    consistentPalette: flag('cp'),
    nameAttributesFile: text('nameattr'),
  };
}
