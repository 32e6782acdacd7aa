/**
 * GIL releases as the scheduler trace shows them (semantics.md §5): a hand-off wake — a futex wake
 * done inside `drop_gil` by the thread letting go of the GIL, with its own stack — and a `drop_gil`
 * switch-out (the thread dropped the GIL on request and now waits for somebody to take it).
 */
import { FrameFlagCache } from '../perf/frameFlags.js';
import type { FrameTable } from '../perf/frameTable.js';

/** One release of a process's GIL. */
export interface Release {
  timeNs: number;
  /** The releaser: the thread that held the GIL until now. */
  tid: number;
  /** The releaser's process id when the header printed one. */
  pid: number | undefined;
  /** The releaser's thread name at the release. */
  comm: string;
  /** The releaser's stack at the release, leaf first (frame ids). */
  stack: readonly number[];
  /** Leaf-first index of the `drop_gil` frame nearest the root: the holder stack is cut there. */
  cut: number;
  /** The thread woken by a hand-off wake; 0 for a `drop_gil` switch-out. */
  target: number;
  /** Input line of the event. */
  line: number;
}

const enum Flag {
  Kernel = 2,
  /** A kernel frame of the futex wake path. */
  FutexWake = 4,
  /** A kernel frame of interrupt or timer context: the traced thread only happened to be on that CPU. */
  Interrupt = 8,
  /** A non-kernel frame whose name contains `drop_gil`. */
  DropGil = 16,
}

const KERNEL_DSO = '[kernel.kallsyms]';
const FUTEX_WAKE_FRAMES = new Set(['futex_wake', 'futex_wake_op', 'futex_requeue', 'do_futex', '__x64_sys_futex']);
const INTERRUPT_PREFIXES = ['asm_sysvec', 'asm_common_interrupt', 'sysvec_', 'irq_exit', '__irq_exit', 'hrtimer_interrupt', '__hrtimer_run_queues'];

export class HandoffWakeRecognizer {
  private readonly flags: FrameFlagCache;

  constructor(frames: FrameTable) {
    this.flags = new FrameFlagCache((id) => {
      const { name, dso } = frames.get(id);
      if (dso !== KERNEL_DSO) return name.includes('drop_gil') ? Flag.DropGil : 0;
      let flags = Flag.Kernel;
      if (FUTEX_WAKE_FRAMES.has(name)) flags |= Flag.FutexWake;
      if (INTERRUPT_PREFIXES.some((prefix) => name.startsWith(prefix))) flags |= Flag.Interrupt;
      return flags;
    });
  }

  /**
   * For the stack of a wake event: the leaf-first index of the root-most `drop_gil` frame when the
   * stack is a hand-off wake (a futex wake path, no interrupt or timer frame, a `drop_gil` caller),
   * else -1.
   */
  handoffCut(stack: readonly number[]): number {
    let futexWake = false;
    let dropGil = -1;
    for (let i = 0; i < stack.length; i++) {
      const flags = this.flags.get(stack[i]!);
      if (flags & Flag.Interrupt) return -1;
      if (flags & Flag.FutexWake) futexWake = true;
      if (flags & Flag.DropGil) dropGil = i;
    }
    return futexWake ? dropGil : -1;
  }
}
