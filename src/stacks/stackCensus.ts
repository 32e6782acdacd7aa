/**
 * What the switch-out stacks can show. Some stop inside the C library, before the thread's entry
 * (`start_thread`, `clone3`, `_start`) and before any frame of the Python interpreter: perf could not
 * unwind further. A recording made with frame pointers (`perf
 * record -g`) of a Python built without them looks like this, and so do dwarf stacks that perf 6.1's
 * libunwind fails on after an exec inside the recording. GIL waits cannot be recognised in them, so a
 * recording with many of them would show zeros without saying why. And a recording in which no stack
 * passes through a Python interpreter has no Python thread at all.
 */
import { FrameFlagCache } from '../perf/frameFlags.js';
import type { FrameTable } from '../perf/frameTable.js';
import { isPythonDso } from './cpythonFrames.js';
import { frameKindOfDso } from './frameKind.js';

const enum Flag {
  Kernel = 2,
  /** A thread or process entry (the bottom of a complete stack), or a frame of the Python interpreter (take_gil is reached). */
  Reached = 4,
  /** A frame perf can stop at when it cannot unwind further: libc, or an unknown frame without DSO. */
  DeadEnd = 8,
  Python = 16,
}

const ENTRY = /^(?:start_thread|clone3?|_start|__libc_start_main\S*|__libc_start_call_main|_dl_start_user)$/;

export class StackCensus {
  /** Stacks with user-space frames, and of them the ones cut short and the ones through a Python interpreter. */
  userStacks = 0;
  cutShort = 0;
  pythonStacks = 0;
  private readonly flags: FrameFlagCache;

  constructor(frames: FrameTable) {
    this.flags = new FrameFlagCache((id) => {
      const { name, dso } = frames.get(id);
      const kind = frameKindOfDso(dso);
      if (kind === 'kernel') return Flag.Kernel;
      let flags = isPythonDso(dso) ? Flag.Reached | Flag.Python : ENTRY.test(name) ? Flag.Reached : 0;
      if (kind === 'libc' || (name === '[unknown]' && (dso === '' || dso === '[unknown]'))) flags |= Flag.DeadEnd;
      return flags;
    });
  }

  note(stack: readonly number[]): void {
    let user = false;
    let reached = false;
    for (const frame of stack) {
      const flags = this.flags.get(frame);
      if (flags & Flag.Python) {
        this.userStacks++;
        this.pythonStacks++;
        return;
      }
      if (flags & Flag.Reached) reached = true;
      if (!(flags & Flag.Kernel)) user = true;
    }
    if (!user) return;
    this.userStacks++;
    if (!reached && this.flags.get(stack[stack.length - 1]!) & Flag.DeadEnd) this.cutShort++;
  }
}
