/** Loads a VizTracer trace file (JSON, optionally gzipped) for --viztracer. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { ViztracerStacks } from '../stacks/viztracer/callStacks.js';
import { parseViztracerTrace } from '../stacks/viztracer/traceFile.js';
import { UserError } from './userError.js';

export async function loadViztracer(path: string): Promise<ViztracerStacks> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UserError(`${path}: cannot read the VizTracer trace (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  const stacks = new ViztracerStacks(parseViztracerTrace(text, path));
  if (stacks.threadCount === 0) throw new UserError(`${path}: the trace holds no complete ("ph": "X") events`);
  return stacks;
}
