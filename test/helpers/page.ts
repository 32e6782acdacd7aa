/** The data an offgil HTML page embeds, read back from the page's text. */
import { decodeStacks, type PageData } from '../../src/render/html/index.js';

export function pageData(html: string): PageData {
  const start = html.indexOf('<script type="application/json" id="offgil-data">');
  if (start < 0) throw new Error('no embedded data in the page');
  const text = html.slice(html.indexOf('>', start) + 1, html.indexOf('</script>', start));
  return JSON.parse(text) as PageData;
}

/** A view's stacks as `stack → value` summed over threads (or only `tid`'s). */
export function viewStacks(data: PageData, id: string, tid?: number): Map<string, number> {
  const view = data.views.find((v) => v.id === id);
  if (view === undefined) throw new Error(`no view ${id}`);
  const stacks = new Map<string, number>();
  for (const [thread, values, frames] of decodeStacks(view, data)) {
    if (tid !== undefined && thread !== tid) continue;
    const stack = frames.join(';');
    stacks.set(stack, (stacks.get(stack) ?? 0) + values[values.length - 1]!);
  }
  return stacks;
}
