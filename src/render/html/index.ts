/**
 * `offgil --html`: one self-contained HTML page with an interactive d3-flame-graph of folded stacks.
 * The page inlines d3-flame-graph and the d3 modules it needs (read once from node_modules, see
 * assets.ts), embeds the stacks as JSON and fetches nothing, so it works offline from `file://`.
 */
import { flameGraphScripts } from './assets.js';
import { guessFrameKind, type FrameKind } from '../../stacks/frameKind.js';
import { buildHierarchy } from './hierarchy.js';
import { emptyPage, flameGraphPage, type HtmlTotal } from './page.js';

export type { FrameKind } from '../../stacks/frameKind.js';
export type { FlameNode } from './hierarchy.js';
export type { HtmlTotal } from './page.js';
export { buildHierarchy } from './hierarchy.js';
export { guessFrameKind } from '../../stacks/frameKind.js';

export interface HtmlMeta {
  /** Default "Off-GIL Time Flame Graph". */
  title?: string;
  /** Unit of the stack counts; default `us`, shown as `µs`. */
  countName?: string;
  /** The command line that produced the profile. */
  command?: string;
  /** The input file, or a label such as `stdin`. */
  input?: string;
  /** Summary lines for the header, such as `{ label: 'GIL wait', value: '12,345 µs in 4 threads' }`. */
  totals?: readonly HtmlTotal[];
  /** Kind of a frame for its color; `undefined` (or no function) falls back to guessing from the name. */
  frameKind?: (name: string) => FrameKind | undefined;
}

export const DEFAULT_HTML_TITLE = 'Off-GIL Time Flame Graph';

export function renderHtml(stacks: ReadonlyMap<string, number>, meta: HtmlMeta = {}): string {
  const countName = meta.countName ?? 'us';
  const text = {
    title: meta.title ?? DEFAULT_HTML_TITLE,
    unit: countName === 'us' ? 'µs' : countName,
    command: meta.command,
    input: meta.input,
    totals: meta.totals ?? [],
  };
  if (stacks.size === 0) return emptyPage(text);
  const given = meta.frameKind;
  const kindOf = given === undefined ? guessFrameKind : (name: string) => given(name) ?? guessFrameKind(name);
  return flameGraphPage(buildHierarchy(stacks, kindOf), text, flameGraphScripts());
}
