/** Folded stacks, one `frame;frame;…;leaf COUNT` line each: the input of flamegraph.pl, inferno and speedscope. */
export function formatFolded(stacks: ReadonlyMap<string, number>): string {
  let text = '';
  for (const [stack, count] of stacks) text += `${stack} ${count}\n`;
  return text;
}
