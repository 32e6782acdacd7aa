/**
 * `palette.map` of `--cp`: `NAME->rgb(R,G,B)` lines, so that a frame keeps its color across graphs.
 * flamegraph.pl reads it before drawing and rewrites it, sorted by name, with every color it used.
 */
import { compareCodePoints } from '../../util/codePointOrder.js';

export function parsePaletteMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const arrow = line.lastIndexOf('->');
    if (arrow >= 0) map.set(line.slice(0, arrow), line.slice(arrow + 2));
  }
  return map;
}

export function formatPaletteMap(map: ReadonlyMap<string, string>): string {
  return [...map.keys()]
    .sort(compareCodePoints)
    .map((name) => `${name}->${map.get(name)!}\n`)
    .join('');
}
