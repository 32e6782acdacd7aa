/**
 * The `--nameattr` file: one line per frame name, `NAME<TAB>key=value<TAB>key=value…`. Keys used:
 * `title` (replaces the tooltip), `id`, `class`, `g_extra` (raw attribute text for the group), and
 * `href`, `target`, `a_extra`, which turn the group into a link.
 */
import type { NameAttributes } from './options.js';

export function parseNameAttributes(text: string): NameAttributes {
  const byName = new Map<string, Record<string, string>>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [name, ...fields] = line.split('\t') as [string, ...string[]];
    const attributes: Record<string, string> = {};
    for (const field of fields) {
      const equals = field.indexOf('=');
      if (equals > 0) attributes[field.slice(0, equals)] = field.slice(equals + 1);
    }
    byName.set(name, attributes);
  }
  return byName;
}
