/**
 * Where a thread blocked, in a few frames: the leaf end of its folded switch-out stack without the
 * kernel (every sleep shares `__schedule`) and without unnamed frames, followed by the innermost Python
 * frame when there is one further down — `clock_nanosleep ← usleep ← _ctypes_callproc ← … ← worker (app.py)`.
 */
import type { FrameKind } from './frameKind.js';

const TOP_FRAMES = 3;

/** `names` root first, as folded; `kindOf` the kind of each name (undefined for root frames). */
export function blockingFrames(names: readonly string[], kindOf: (name: string) => FrameKind | undefined): string[] {
  const top: string[] = [];
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i]!;
    const kind = kindOf(name);
    if (kind === 'python') {
      if (top.length === TOP_FRAMES) top.push('…');
      top.push(name);
      break;
    }
    if (top.length < TOP_FRAMES && kind !== 'kernel' && kind !== undefined && name !== '[unknown]') top.push(name);
  }
  return top;
}
