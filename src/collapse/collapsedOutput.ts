/**
 * The output of stackcollapse-perf.pl: `STACK COUNT` lines sorted by the bytes of STACK. Stacks are
 * kept as latin1 strings (one char per input byte), so JS string order is byte order and bytes that
 * are not UTF-8 come out unchanged.
 */
import { formatCount, type PerlCount } from './perlCount.js';

/** Keys in byte order. */
function sortedKeys(stacks: ReadonlyMap<string, PerlCount>): string[] {
  return [...stacks.keys()].sort();
}

export function formatCollapsed(stacks: ReadonlyMap<string, PerlCount>): Buffer {
  const lines = sortedKeys(stacks).map((stack) => `${stack} ${formatCount(stacks.get(stack)!)}\n`);
  return Buffer.from(lines.join(''), 'latin1');
}

/** The same stacks for JS callers: UTF-8-decoded names, still in byte order, counts as numbers. */
export function decodeCollapsed(stacks: ReadonlyMap<string, PerlCount>): Map<string, number> {
  const decoded = new Map<string, number>();
  for (const stack of sortedKeys(stacks)) {
    const name = Buffer.from(stack, 'latin1').toString('utf8');
    decoded.set(name, (decoded.get(name) ?? 0) + Number(stacks.get(stack)!));
  }
  return decoded;
}
