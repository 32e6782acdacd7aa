/** `--python-only`: which threads ran Python, judged by whether any switch-out stack passes through libpython. */
import { FrameFlagCache } from '../perf/frameFlags.js';
import type { FrameTable } from '../perf/frameTable.js';
import { isPythonDso } from './cpythonFrames.js';

const IN_PYTHON = 2;

export class PythonThreads {
  private readonly threads = new Set<number>();
  private readonly inPython: FrameFlagCache;

  constructor(frames: FrameTable) {
    this.inPython = new FrameFlagCache((id) => (isPythonDso(frames.dso(id)) ? IN_PYTHON : 0));
  }

  note(tid: number, stack: readonly number[]): void {
    if (this.threads.has(tid)) return;
    for (const frame of stack) {
      if (this.inPython.has(frame, IN_PYTHON)) {
        this.threads.add(tid);
        return;
      }
    }
  }

  has(tid: number): boolean {
    return this.threads.has(tid);
  }
}
