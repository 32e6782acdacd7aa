/**
 * The top frames of a blocking switch-out stack, to say where a thread blocked: leaf first, without
 * kernel frames (every sleep shares `__schedule`) and without CPython's interpreter frames.
 */
import type { FrameTable } from '../perf/frameTable.js';
import { DEFAULT_EVAL_FRAMES } from './cpythonFrames.js';

const TOP_FRAMES = 4;
const KERNEL_DSO = '[kernel.kallsyms]';

export function blockingFrames(frames: FrameTable, stack: readonly number[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < stack.length && names.length < TOP_FRAMES; i++) {
    const { name, dso } = frames.get(stack[i]!);
    if (dso === KERNEL_DSO || DEFAULT_EVAL_FRAMES.test(name)) continue;
    names.push(name);
  }
  return names;
}
