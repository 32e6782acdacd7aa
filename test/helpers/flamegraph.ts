/** Running `flamegraph` and reading its SVG back, for the renderer's tests. */
import type { SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { runBin, type CliResult } from './cli.js';
import { CONFORMANCE, ROOT } from './paths.js';

export const FLAMEGRAPH_BIN = join(ROOT, 'bin', 'flamegraph');
export const FLAMEGRAPH_CORPUS = join(CONFORMANCE, 'flamegraph');

export function runFlamegraph(args: readonly string[], options: SpawnSyncOptions & { input?: string | Buffer } = {}): CliResult {
  return runBin('flamegraph', args, options);
}

/** The SVG as an XML document (the script does not run). */
export function parseSvg(svg: string): Document {
  return new JSDOM(svg, { contentType: 'image/svg+xml' }).window.document;
}

/** One drawn frame: what a reader of the SVG sees of it. */
export interface DrawnFrame {
  title: string;
  x: string;
  y: string;
  width: string;
  height: string;
  fill: string;
  textX: string;
  textY: string;
  label: string;
}

export function drawnFrames(doc: Document): DrawnFrame[] {
  const frames = doc.getElementById('frames');
  if (frames === null) return [];
  return [...frames.children].map((group) => {
    const rect = group.querySelector('rect')!;
    const text = group.querySelector('text')!;
    return {
      title: group.querySelector('title')!.textContent ?? '',
      x: rect.getAttribute('x')!,
      y: rect.getAttribute('y')!,
      width: rect.getAttribute('width')!,
      height: rect.getAttribute('height')!,
      fill: rect.getAttribute('fill')!,
      textX: text.getAttribute('x')!,
      textY: text.getAttribute('y')!,
      label: text.textContent ?? '',
    };
  });
}

/** The frames as a sorted list of one-line keys: a multiset to compare, whatever the drawing order. */
export function frameMultiset(doc: Document): string[] {
  return drawnFrames(doc)
    .map((f) => JSON.stringify([f.title, f.x, f.y, f.width, f.height, f.fill, f.textX, f.textY, f.label]))
    .sort();
}

export const FIXED_TEXT_IDS = ['title', 'subtitle', 'details', 'unzoom', 'search', 'ignorecase', 'matched'] as const;

/** The fixed text elements (absent ones as null): position, class and text. */
export function fixedTexts(doc: Document): Record<string, string[] | null> {
  const texts: Record<string, string[] | null> = {};
  for (const id of FIXED_TEXT_IDS) {
    const element = doc.getElementById(id);
    texts[id] = element === null ? null : [element.getAttribute('x')!, element.getAttribute('y')!, element.getAttribute('class') ?? '', element.textContent ?? ''];
  }
  return texts;
}

/** The frame whose tooltip starts with `name (`. */
export function frameNamed(doc: Document, name: string): DrawnFrame {
  const frame = drawnFrames(doc).find((f) => f.title.startsWith(`${name} (`));
  if (frame === undefined) throw new Error(`no frame ${name}`);
  return frame;
}
