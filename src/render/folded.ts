/** Folded stacks, one `frame;frame;…;leaf COUNT` line each: the input of flamegraph.pl, inferno and speedscope. */
export function formatFolded(stacks: ReadonlyMap<string, number>): string {
  let text = '';
  for (const chunk of foldedChunks(stacks)) text += chunk;
  return text;
}

const CHUNK_CHARS = 1 << 20;

/** The same text in chunks of about a megabyte: a million stacks exceed the longest string V8 can hold. */
export function* foldedChunks(stacks: ReadonlyMap<string, number>): Generator<string> {
  let chunk = '';
  for (const [stack, count] of stacks) {
    chunk += `${stack} ${count}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
