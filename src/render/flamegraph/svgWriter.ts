/**
 * Writes the SVG of a flame graph with flamegraph.pl's byte layout: the same element tree, ids,
 * geometry and number formatting, so tools and people that know its output find their way. Profile
 * text is escaped; the embedded script is ours (script.ts).
 */
import { formatFixed, formatPerlNumber, roundToTenths, tenthsText, withThousands } from './cFormat.js';
import type { FrameNode } from './merge.js';
import type { FlameGraphOptions } from './options.js';
import { flameGraphScript } from './script.js';

const XPAD = 10;
const ERROR_TEXT = 'ERROR: No valid input provided to flamegraph.pl.';
const ANNOTATION = /_\[[kwij]\]$/;
/** Characters XML 1.0 forbids, even escaped; they become U+FFFD so that the file stays well-formed. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Element text: `&`, `<`, `>` escaped (flamegraph.pl's labels keep `"`). */
function escapeText(text: string): string {
  // eslint-disable-next-line no-control-regex -- a quick test before the replacements
  if (!/[&<>\u0000-\u001f\ud800-\udfff\ufffe\uffff]/.test(text)) return text;
  return text.replace(XML_FORBIDDEN, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Tooltip and attribute text: `"` escaped too. */
function escapeAttribute(text: string): string {
  const escaped = escapeText(text);
  return escaped.includes('"') ? escaped.replace(/"/g, '&quot;') : escaped;
}

/**
 * Comment text: entities mean nothing there, but `--` must not occur (nor end the text), so the
 * dashes of such a pair are spaced apart.
 */
function commentText(text: string): string {
  return text.replace(XML_FORBIDDEN, '\ufffd').replace(/-(?=-|$)/g, '- ');
}

/**
 * Collects the document in UTF-8 blocks of about 64 KB. Holding tens of thousands of small strings
 * until one final join makes them survive young-generation collections, which cost more than
 * writing the SVG itself.
 */
class TextAccumulator {
  private readonly blocks: Buffer[] = [];
  private pending = '';

  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= 1 << 16) this.flush();
  }

  text(): string {
    this.flush();
    return Buffer.concat(this.blocks).toString('utf8');
  }

  private flush(): void {
    this.blocks.push(Buffer.from(this.pending, 'utf8'));
    this.pending = '';
  }
}

export interface GraphGeometry {
  width: number;
  height: number;
  /** Pixels per count. */
  widthPerTime: number;
}

interface Layout {
  options: FlameGraphOptions;
  background: readonly [string, string];
  width: number;
  height: number;
  ypad1: number;
  ypad2: number;
  /** Per depth, filled as frames are written. */
  rows: Row[];
  /** Per frame name, filled as frames are written. */
  names: Map<string, NameParts>;
  /** `--countname`, escaped. */
  countName: string;
}

export function graphGeometry(maxDepth: number, total: number, options: FlameGraphOptions): GraphGeometry {
  const { ypad1, ypad2, ypad3 } = paddings(options.fontSize);
  let height = (maxDepth + 1) * options.frameHeight + ypad1 + ypad2;
  if (options.subtitle !== '') height += ypad3;
  return { width: options.width, height, widthPerTime: widthPerTime(options, total) };
}

/** Pixels per count: the frames span the width minus the margins. */
export function widthPerTime(options: FlameGraphOptions, total: number): number {
  return (options.width - 2 * XPAD) / total;
}

function paddings(fontSize: number): { ypad1: number; ypad2: number; ypad3: number } {
  return { ypad1: fontSize * 3, ypad2: fontSize * 2 + 10, ypad3: fontSize * 2 };
}

function defaultTitle(options: FlameGraphOptions): string {
  if (options.title !== undefined) return options.title;
  if (options.flamechart) return 'Flame Chart';
  return options.inverted ? 'Icicle Graph' : 'Flame Graph';
}

/**
 * The whole document. `nodes` come in drawing order and `fillOf` colors each; `total` is what 100 %
 * means (the sum of the counts, or a larger `--total`), which is also where the root box ends.
 */
export function writeFlameGraphSvg(
  nodes: readonly FrameNode[],
  fillOf: (node: FrameNode) => string,
  geometry: GraphGeometry,
  total: number,
  background: readonly [string, string],
  options: FlameGraphOptions,
): string {
  const { ypad1, ypad2 } = paddings(options.fontSize);
  const layout: Layout = {
    options,
    background,
    width: geometry.width,
    height: geometry.height,
    ypad1,
    ypad2,
    rows: [],
    names: new Map(),
    countName: escapeText(options.countName),
  };
  const out = new TextAccumulator();
  out.add(header(options, layout.width, layout.height) + definitions(layout) + style(layout) + flameGraphScript(scriptConfig(layout)) + controls(layout));
  out.add('<g id="frames">\n');
  for (const node of nodes) out.add(frameElement(node, fillOf(node), geometry, total, layout));
  out.add('</g>\n</svg>\n');
  return out.text();
}

/** What flamegraph.pl prints when no line had a count: a small image with one line of text. */
export function writeErrorSvg(options: FlameGraphOptions): string {
  return `${header(options, options.width, options.fontSize * 5)}<text  x="${formatFixed(Math.trunc(options.width / 2), 2)}" y="${formatPerlNumber(options.fontSize * 2)}" >${ERROR_TEXT}</text>\n</svg>\n`;
}

function header(options: FlameGraphOptions, width: number, height: number): string {
  const encoding = options.encoding === undefined ? '' : ` encoding="${escapeAttribute(options.encoding)}"`;
  const w = formatPerlNumber(width);
  const h = formatPerlNumber(height);
  return (
    `<?xml version="1.0"${encoding} standalone="no"?>\n` +
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' +
    `<svg version="1.1" width="${w}" height="${h}" onload="init(evt)" viewBox="0 0 ${w} ${h}" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n` +
    '<!-- Flame graph stack visualization. See https://github.com/brendangregg/FlameGraph for latest version, and http://www.brendangregg.com/flamegraphs.html for examples. -->\n' +
    `<!-- NOTES: ${commentText(options.notes)} -->\n`
  );
}

function definitions({ background: [top, bottom] }: Layout): string {
  return (
    '<defs>\n' +
    '\t<linearGradient id="background" y1="0" y2="1" x1="0" x2="0" >\n' +
    `\t\t<stop stop-color="${top}" offset="5%" />\n` +
    `\t\t<stop stop-color="${bottom}" offset="95%" />\n` +
    '\t</linearGradient>\n' +
    '</defs>\n'
  );
}

function style({ options }: Layout): string {
  const font = escapeText(options.fontType);
  return (
    '<style type="text/css">\n' +
    `\ttext { font-family:${font}; font-size:${formatPerlNumber(options.fontSize)}px; fill:rgb(0,0,0); }\n` +
    '\t#search, #ignorecase { opacity:0.1; cursor:pointer; }\n' +
    '\t#search:hover, #search.show, #ignorecase:hover, #ignorecase.show { opacity:1; }\n' +
    '\t#subtitle { text-anchor:middle; font-color:rgb(160,160,160); }\n' +
    `\t#title { text-anchor:middle; font-size:${formatPerlNumber(options.fontSize + 5)}px}\n` +
    '\t#unzoom { cursor:pointer; }\n' +
    '\t#frames > *:hover { stroke:black; stroke-width:0.5; cursor:pointer; }\n' +
    '\t.hide { display:none; }\n' +
    '\t.parent { opacity:0.5; }\n' +
    '</style>\n'
  );
}

function scriptConfig({ options, width }: Layout) {
  return {
    nameType: options.nameType,
    fontSize: options.fontSize,
    fontWidth: options.fontWidth,
    xpad: XPAD,
    width,
    inverted: options.inverted,
  };
}

function controls({ options, width, height, ypad2 }: Layout): string {
  const fs = options.fontSize;
  const top = formatPerlNumber(fs * 2);
  const bottom = formatPerlNumber(height - ypad2 / 2);
  const x = (value: number) => formatFixed(value, 2);
  const center = x(Math.trunc(width / 2));
  const subtitle = options.subtitle === '' ? '' : `<text id="subtitle" x="${center}" y="${formatPerlNumber(fs * 4)}" >${escapeText(options.subtitle)}</text>\n`;
  return (
    `<rect x="0.0" y="0" width="${formatFixed(width, 1)}" height="${formatFixed(height, 1)}" fill="url(#background)"  />\n` +
    `<text id="title" x="${center}" y="${top}" >${escapeText(defaultTitle(options))}</text>\n` +
    subtitle +
    `<text id="details" x="${x(XPAD)}" y="${bottom}" > </text>\n` +
    `<text id="unzoom" x="${x(XPAD)}" y="${top}" class="hide">Reset Zoom</text>\n` +
    `<text id="search" x="${x(width - XPAD - 100)}" y="${top}" >Search</text>\n` +
    `<text id="ignorecase" x="${x(width - XPAD - 16)}" y="${top}" >ic</text>\n` +
    `<text id="matched" x="${x(width - XPAD - 100)}" y="${bottom}" > </text>\n`
  );
}

/** The printed vertical geometry of one depth: rect `y`, rect `height` and text `y`. */
interface Row {
  y: string;
  height: string;
  textY: string;
}

function rowAt(depth: number, layout: Layout): Row {
  let row = layout.rows[depth];
  if (row !== undefined) return row;
  const fh = layout.options.frameHeight;
  let y1: number;
  let y2: number;
  if (layout.options.inverted) {
    y1 = layout.ypad1 + depth * fh;
    y2 = layout.ypad1 + (depth + 1) * fh - 1;
  } else {
    y1 = layout.height - layout.ypad2 - (depth + 1) * fh + 1;
    y2 = layout.height - layout.ypad2 - depth * fh;
  }
  row = { y: formatPerlNumber(y1), height: formatFixed(y2 - y1, 1), textY: formatPerlNumber(3 + (y1 + y2) / 2) };
  layout.rows[depth] = row;
  return row;
}

function frameElement(node: FrameNode, fill: string, geometry: GraphGeometry, total: number, layout: Layout): string {
  const { options } = layout;
  const isRoot = node.depth === 0;
  const end = isRoot ? total : node.end;
  const x1 = XPAD + node.start * geometry.widthPerTime;
  const x2 = XPAD + end * geometry.widthPerTime;
  const row = rowAt(node.depth, layout);
  // flamegraph.pl subtracts the rounded edges; in tenths that is exact integer arithmetic.
  const left = roundToTenths(x1);
  const rectX = tenthsText(left);
  const rectWidth = tenthsText(roundToTenths(x2) - left);
  const attributes = options.nameAttributes?.get(node.name);
  const info = attributes?.title !== undefined ? escapeAttribute(attributes.title) : tooltip(node, end, total, layout);
  const label = isRoot ? '' : fitLabel(namePartsOf(node.name, layout), Math.trunc((x2 - x1) / (options.fontSize * options.fontWidth)));
  const [open, close] = attributes === undefined ? PLAIN_GROUP : groupTags(attributes);
  return (
    `${open}\n<title>${info}</title><rect x="${rectX}" y="${row.y}" width="${rectWidth}" height="${row.height}" fill="${fill}" rx="2" ry="2" />\n` +
    `<text  x="${formatFixed(x1 + 3, 2)}" y="${row.textY}" >${label}</text>\n${close}\n`
  );
}

/** `NAME (N COUNTNAME, P%)`, with `; D%` for differential boxes; the root is `all (N COUNTNAME, 100%)`. */
function tooltip(node: FrameNode, end: number, total: number, layout: Layout): string {
  const { options } = layout;
  const count = formatFixed((end - node.start) * options.factor, 0);
  const countText = `${withThousands(count)} ${layout.countName}`;
  if (node.depth === 0) return `all (${countText}, 100%)`;
  const scale = total * options.factor;
  const percent = formatFixed((100 * Number(count)) / scale, 2);
  const name = namePartsOf(node.name, layout).title;
  if (node.delta === undefined) return `${name} (${countText}, ${percent}%)`;
  const delta = options.negate ? -node.delta : node.delta;
  const deltaText = formatFixed((100 * delta) / scale, 2);
  return `${name} (${countText}, ${percent}%; ${delta > 0 ? '+' : ''}${deltaText}%)`;
}

/** The texts a frame name yields, worked out once per distinct name. */
export interface NameParts {
  /** Tooltip name: escaped (`"` too), annotation removed. */
  title: string;
  /** Label source: annotation removed, not escaped. */
  bare: string;
  /** `bare` escaped, for labels that fit whole. */
  bareText: string;
  /** Code points of `bare` when it has characters beyond U+FFFF (labels count code points). */
  points: string[] | undefined;
}

export function nameParts(name: string): NameParts {
  const bare = name.endsWith(']') ? name.replace(ANNOTATION, '') : name;
  return {
    title: escapeAttribute(bare),
    bare,
    bareText: escapeText(bare),
    points: /[\ud800-\udfff]/.test(bare) ? [...bare] : undefined,
  };
}

function namePartsOf(name: string, layout: Layout): NameParts {
  let parts = layout.names.get(name);
  if (parts === undefined) {
    parts = nameParts(name);
    layout.names.set(name, parts);
  }
  return parts;
}

/** The first `chars` characters (code points) of the name without annotation, `..` ending a cut one. */
export function fitLabel({ bare, bareText, points }: NameParts, chars: number): string {
  if (chars < 3) return '';
  if (points === undefined) return bare.length > chars ? escapeText(`${bare.slice(0, chars - 2)}..`) : bareText;
  return points.length > chars ? escapeText(`${points.slice(0, chars - 2).join('')}..`) : bareText;
}

const PLAIN_GROUP = ['<g >', '</g>'] as const;

/** `<g …>`/`</g>`, or `<a …>`/`</a>` for a frame that `--nameattr` gives an `href`. */
function groupTags(attributes: Readonly<Record<string, string>>): readonly [string, string] {
  const value = (key: string) => (attributes[key] === undefined ? [] : [`${key}="${escapeAttribute(attributes[key])}"`]);
  const raw = (key: string) => (attributes[key] === undefined ? [] : [attributes[key]]);
  if (attributes.href === undefined) return [`<g ${[...value('id'), ...value('class'), ...raw('g_extra')].join(' ')}>`, '</g>'];
  const link = [
    `xlink:href="${escapeAttribute(attributes.href)}"`,
    `target="${escapeAttribute(attributes.target ?? '_top')}"`,
    ...raw('a_extra'),
    ...value('id'),
    ...value('class'),
    ...raw('g_extra'),
  ];
  return [`<a ${link.join(' ')}>`, '</a>'];
}
