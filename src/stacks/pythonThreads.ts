/** `--python-only`: which threads ran Python, judged by whether any switch-out stack passes through libpython. */
import type { FrameTable } from '../perf/frameTable.js';
import { grownUint8 } from '../util/typedArrays.js';
import { isPythonDso } from './cpythonFrames.js';

export class PythonThreads {
  private readonly threads = new Set<number>();
  /** Per frame id: 0 unknown, 1 not Python, 2 in a Python interpreter binary. */
  private inPython = new Uint8Array(1024);

  constructor(private readonly frames: FrameTable) {}

  note(tid: number, stack: readonly number[]): void {
    if (this.threads.has(tid)) return;
    for (const frame of stack) {
      if (this.isPythonFrame(frame)) {
        this.threads.add(tid);
        return;
      }
    }
  }

  has(tid: number): boolean {
    return this.threads.has(tid);
  }

  private isPythonFrame(frameId: number): boolean {
    if (frameId >= this.inPython.length) this.inPython = grownUint8(this.inPython, Math.max(this.inPython.length * 2, frameId + 1));
    if (this.inPython[frameId] === 0) this.inPython[frameId] = isPythonDso(this.frames.dso(frameId)) ? 2 : 1;
    return this.inPython[frameId] === 2;
  }
}
