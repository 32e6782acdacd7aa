/**
 * Turns an interval's switch-out stack into the root-first list of names that is aggregated:
 * applies the strip cut, names each frame, and adds the optional thread root frame.
 */
import type { OffCpuInterval } from '../analysis/intervals.js';
import type { Classification } from '../analysis/gilClassifier.js';
import type { FrameTable } from '../perf/frameTable.js';
import type { NameTable } from './stackTrie.js';

/** Extra root frame: none (per4m), `COMM`, `COMM-PID` or `COMM-PID/TID` (stackcollapse-perf.pl). */
export type RootFrame = 'none' | 'comm' | 'pid' | 'tid';

/** Stands in for a stack perf did not record, so that its time is still shown. */
export const NO_STACK_FRAME = '[no stack]';

export interface FoldOptions {
  /** Cut `gil` stacks at the root-most `take_gil` (or acquiring frame), `gil-drop` at `drop_gil`. */
  stripTakeGil: boolean;
  rootFrame: RootFrame;
}

export function rootFrameName(interval: OffCpuInterval, rootFrame: RootFrame): string | undefined {
  switch (rootFrame) {
    case 'comm':
      return interval.comm;
    case 'pid':
      return `${interval.comm}-${interval.pid}`;
    case 'tid':
      return `${interval.comm}-${interval.pid}/${interval.tid}`;
    case 'none':
      return undefined;
  }
}

export class StackFolder {
  /** Name id of each frame id; -1 until first needed. */
  private nameIds = new Int32Array(1024).fill(-1);

  constructor(
    private readonly frames: FrameTable,
    private readonly names: NameTable,
    private readonly options: FoldOptions,
  ) {}

  /** Root-first name ids for the interval. */
  fold(interval: OffCpuInterval, classification: Classification): number[] {
    const stack = interval.stack;
    const leaf = this.options.stripTakeGil && classification.cut >= 0 ? classification.cut : 0;
    const ids: number[] = [];
    const root = rootFrameName(interval, this.options.rootFrame);
    if (root !== undefined) ids.push(this.names.id(root));
    for (let i = stack.length - 1; i >= leaf; i--) ids.push(this.nameId(stack[i]!));
    if (ids.length === 0) ids.push(this.names.id(NO_STACK_FRAME));
    return ids;
  }

  private nameId(frameId: number): number {
    if (frameId >= this.nameIds.length) {
      const bigger = new Int32Array(Math.max(this.nameIds.length * 2, frameId + 1)).fill(-1);
      bigger.set(this.nameIds);
      this.nameIds = bigger;
    }
    let id = this.nameIds[frameId]!;
    if (id < 0) {
      id = this.names.id(this.frames.name(frameId));
      this.nameIds[frameId] = id;
    }
    return id;
  }
}
