/**
 * Frame colors as flamegraph.pl picks them: a palette turns up to three values in [0, 1), derived
 * from the frame name, into an `rgb(…)` fill. Differential graphs color by delta instead, and the
 * background gradient follows the palette.
 */
import { guessFrameKind, type FrameKind } from '../../stacks/frameKind.js';

export const PALETTES = [
  'hot',
  'mem',
  'io',
  'wakeup',
  'chain',
  'java',
  'js',
  'perl',
  'red',
  'green',
  'blue',
  'aqua',
  'yellow',
  'purple',
  'orange',
  'python',
] as const;
export type PaletteName = (typeof PALETTES)[number];

/** `default`: seeded by the name (stable); `hash`: flamegraph.pl's name hash; `random`: fresh each call. */
export type ColorMode = 'default' | 'hash' | 'random';

export type FrameKindOf = (name: string) => FrameKind | undefined;

interface Values {
  v1: number;
  v2: number;
  v3: number;
}

type Hue = (v: Values) => [number, number, number];

const int = Math.trunc;

/** The single-hue palettes; the multi-hue ones below choose one of these per frame. */
const HUES = {
  hot: ({ v1, v2, v3 }) => [205 + int(50 * v3), int(230 * v1), int(55 * v2)],
  mem: ({ v1, v2 }) => [0, 190 + int(50 * v2), int(210 * v1)],
  io: ({ v1, v2 }) => {
    const rg = 80 + int(60 * v1);
    return [rg, rg, 190 + int(55 * v2)];
  },
  red: ({ v1 }) => {
    const gb = 50 + int(80 * v1);
    return [200 + int(55 * v1), gb, gb];
  },
  green: ({ v1 }) => {
    const rb = 50 + int(60 * v1);
    return [rb, 200 + int(55 * v1), rb];
  },
  blue: ({ v1 }) => {
    const rg = 80 + int(60 * v1);
    return [rg, rg, 205 + int(50 * v1)];
  },
  yellow: ({ v1 }) => {
    const rg = 175 + int(55 * v1);
    return [rg, rg, 50 + int(20 * v1)];
  },
  purple: ({ v1 }) => {
    const rb = 190 + int(65 * v1);
    return [rb, 80 + int(60 * v1), rb];
  },
  aqua: ({ v1 }) => [50 + int(60 * v1), 165 + int(55 * v1), 165 + int(55 * v1)],
  orange: ({ v1 }) => [190 + int(65 * v1), 90 + int(65 * v1), 0],
} satisfies Record<string, Hue>;

type HueName = keyof typeof HUES;

/**
 * `--colors python`: one family per kind of code in an off-GIL stack, the hues of offgil's HTML page:
 * Python code green, the interpreter yellow, libc aqua, the kernel orange, other native code red; all
 * light enough for black labels.
 */
const PYTHON_HUES: Record<FrameKind, Hue> = {
  python: ({ v1, v2 }) => [70 + int(60 * v1), 190 + int(55 * v1), 70 + int(50 * v2)],
  cpython: ({ v1, v2 }) => [225 + int(30 * v1), 205 + int(35 * v1), 70 + int(50 * v2)],
  native: ({ v1, v2 }) => [215 + int(40 * v1), 85 + int(55 * v1), 70 + int(35 * v2)],
  libc: ({ v1, v2 }) => [70 + int(50 * v2), 185 + int(40 * v1), 195 + int(40 * v1)],
  kernel: ({ v1, v2 }) => [235 + int(20 * v1), 145 + int(40 * v1), int(40 * v2)],
};

/** The annotation `--colors python` gives the frames of a GIL holder (after `--` in --with-holders lines). */
const HOLDER_ANNOTATION = '_[w]';

/**
 * The holder part of `--with-holders` stacks: the same kinds in cool blues and violets (blue always the
 * strongest channel), so that the holder's stack stands apart from the waiter's warm colors.
 */
const HOLDER_HUES: Record<FrameKind, Hue> = {
  python: ({ v1, v2 }) => [60 + int(50 * v2), 150 + int(50 * v1), 235 + int(20 * v1)],
  cpython: ({ v1, v2 }) => [165 + int(40 * v1), 160 + int(40 * v2), 240 + int(15 * v1)],
  native: ({ v1, v2 }) => [185 + int(40 * v1), 120 + int(40 * v2), 240 + int(15 * v1)],
  libc: ({ v1, v2 }) => [120 + int(40 * v2), 185 + int(40 * v1), 245 + int(10 * v1)],
  kernel: ({ v1, v2 }) => [145 + int(40 * v1), 145 + int(40 * v2), 215 + int(30 * v1)],
};

function pythonHue(name: string, frameKind: FrameKindOf | undefined): Hue {
  const holder = name.endsWith(HOLDER_ANNOTATION);
  const bare = holder ? name.slice(0, -HOLDER_ANNOTATION.length) : name;
  const kind = frameKind?.(bare) ?? guessFrameKind(bare);
  return holder ? HOLDER_HUES[kind] : PYTHON_HUES[kind];
}

const JAVA_PACKAGE = /^L?(?:java|javax|jdk|net|org|com|io|sun)\//;
const JS_SOURCE = /\/.*\.js/;

function javaHue(name: string): HueName {
  if (name.endsWith('_[j]')) return 'green';
  if (name.endsWith('_[i]')) return 'aqua';
  if (JAVA_PACKAGE.test(name) || name.includes(':::')) return 'green';
  if (name.includes('::')) return 'yellow';
  if (name.endsWith('_[k]')) return 'orange';
  return 'red';
}

function jsHue(name: string): HueName {
  if (name.endsWith('_[j]')) return name.includes('/') ? 'green' : 'aqua';
  if (name.includes('::')) return 'yellow';
  if (JS_SOURCE.test(name)) return 'green';
  if (name.includes(':')) return 'aqua';
  if (name === ' ') return 'green';
  if (name.includes('_[k]')) return 'orange';
  return 'red';
}

function perlHue(name: string): HueName {
  if (name.includes('::')) return 'yellow';
  if (name.includes('Perl') || name.includes('.pl')) return 'green';
  if (name.endsWith('_[k]')) return 'orange';
  return 'red';
}

/** The hue of a frame, or undefined for a palette flamegraph.pl does not know (it draws those black). */
function hueOf(palette: string, name: string, frameKind: FrameKindOf | undefined): Hue | undefined {
  switch (palette) {
    case 'java':
      return HUES[javaHue(name)];
    case 'js':
      return HUES[jsHue(name)];
    case 'perl':
      return HUES[perlHue(name)];
    case 'wakeup':
      return HUES.aqua;
    case 'chain':
      return name.includes('_[w]') ? HUES.aqua : HUES.blue;
    case 'python':
      return pythonHue(name, frameKind);
    default:
      return Object.hasOwn(HUES, palette) ? HUES[palette as HueName] : undefined;
  }
}

/** The fill of a frame named `name` (annotation included) outside differential graphs. */
export function paletteColor(palette: string, name: string, mode: ColorMode, frameKind?: FrameKindOf): string {
  if (name === '--') return 'rgb(160,160,160)';
  if (name === '-') return 'rgb(200,200,200)';
  const hue = hueOf(palette, name, frameKind);
  if (hue === undefined) return 'rgb(0,0,0)';
  const [r, g, b] = hue(valuesOf(name, mode));
  return `rgb(${r},${g},${b})`;
}

function valuesOf(name: string, mode: ColorMode): Values {
  switch (mode) {
    case 'hash': {
      const reversed = nameHash([...name].reverse().join(''));
      return { v1: nameHash(name), v2: reversed, v3: reversed };
    }
    case 'random':
      return { v1: Math.random(), v2: Math.random(), v3: Math.random() };
    case 'default': {
      const v = seededValue(name);
      return { v1: v, v2: v, v3: v };
    }
  }
}

const DRAND48_A = 0x5deece66dn;
const DRAND48_C = 0xbn;
const DRAND48_MASK = (1n << 48n) - 1n;

/** The first `drand48()` after `srand48(sum of the name's code points)`: what Perl's rand gives there. */
export function seededValue(name: string): number {
  let seed = 0;
  for (const char of name) seed += char.codePointAt(0)!;
  const state = (BigInt(seed >>> 0) << 16n) | 0x330en;
  return Number((DRAND48_A * state + DRAND48_C) & DRAND48_MASK) / 2 ** 48;
}

/**
 * flamegraph.pl's `--hash` value: the first three characters (after any `module\``) weighted 1, 0.7,
 * 0.49, so that names sharing a prefix get similar colors.
 */
export function nameHash(name: string): number {
  const tick = name.indexOf('`');
  const chars = [...(tick < 0 ? name : name.slice(tick + 1))].slice(0, 3);
  let vector = 0;
  let weight = 1;
  let max = 1;
  let modulus = 10;
  for (const char of chars) {
    vector += ((char.codePointAt(0)! % modulus) / (modulus - 1)) * weight;
    modulus++;
    max += weight;
    weight *= 0.7;
  }
  return 1 - vector / max;
}

/**
 * Differential fill: red for growth, blue for shrinkage, white for none; the deepest shade at the
 * largest |delta| of the graph. `delta` is already negated for `--negate`.
 */
export function differentialColor(delta: number, maxDelta: number): string {
  if (delta > 0) {
    const gb = int((210 * (maxDelta - delta)) / maxDelta);
    return `rgb(255,${gb},${gb})`;
  }
  if (delta < 0) {
    const rg = int((210 * (maxDelta + delta)) / maxDelta);
    return `rgb(${rg},${rg},255)`;
  }
  return 'rgb(255,255,255)';
}

const GRADIENTS: Record<string, readonly [string, string]> = {
  yellow: ['#eeeeee', '#eeeeb0'],
  blue: ['#eeeeee', '#e0e0ff'],
  green: ['#eef2ee', '#e0ffe0'],
  grey: ['#f8f8f8', '#e8e8e8'],
};

const FLAT_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The background gradient a palette gets when `--bgcolors` is not given. */
function defaultBackground(palette: string): string {
  switch (palette) {
    case 'mem':
      return 'green';
    case 'io':
    case 'wakeup':
    case 'chain':
      return 'blue';
    case 'red':
    case 'green':
    case 'blue':
    case 'aqua':
    case 'yellow':
    case 'purple':
    case 'orange':
    case 'python':
      return 'grey';
    default:
      return 'yellow';
  }
}

/** Top and bottom stop colors, or undefined when `bgcolors` is neither a gradient name nor `#rrggbb`. */
export function backgroundStops(palette: string, bgcolors: string | undefined): readonly [string, string] | undefined {
  const choice = bgcolors ?? defaultBackground(palette);
  if (Object.hasOwn(GRADIENTS, choice)) return GRADIENTS[choice];
  return FLAT_COLOR.test(choice) ? [choice, choice] : undefined;
}
