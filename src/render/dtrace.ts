/**
 * `--format dtrace`: the folded stacks in DTrace's multi-line aggregation shape, as per4m's `offgil`
 * printed them: each stack's frames leaf first, one per line, then its count in µs, then a blank line.
 * FlameGraph's `stackcollapse.pl` skips the first three lines of its input as DTrace's header, so three
 * header lines come first, and `offgil --format dtrace | stackcollapse.pl | flamegraph.pl --countname=us`
 * works as it did with per4m.
 */

/** The three header lines that stackcollapse.pl skips; line breaks inside `notes` become spaces. */
export function dtraceHeader(notes: readonly string[]): string {
  const note = notes.length === 0 ? 'no warnings' : notes.join(' ').replace(/[\r\n]+/g, ' ');
  return `offgil: folded stacks in DTrace's form (frames leaf first, then µs); stackcollapse.pl skips these 3 lines\n${note}\n\n`;
}

/** Folded stacks (`root;…;leaf` → µs) as DTrace text. */
export function formatDtrace(stacks: ReadonlyMap<string, number>, notes: readonly string[] = []): string {
  const parts = [dtraceHeader(notes)];
  for (const [stack, us] of stacks) {
    const frames = stack.split(';');
    frames.reverse();
    parts.push(`${frames.join('\n')}\n${us}\n\n`);
  }
  return parts.join('');
}
