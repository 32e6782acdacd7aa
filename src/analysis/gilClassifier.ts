/**
 * Decides from a switch-out stack whether a thread was waiting for the GIL (semantics.md §3) and where
 * the strip rule cuts its stack. Frame properties are computed once per distinct frame.
 */
import type { FrameTable } from '../perf/frameTable.js';

export const GIL = 'gil';
export const GIL_DROP = 'gil-drop';

export interface Classification {
  /** `gil`, `gil-drop`, or the switch-out state verbatim (`S`, `D`, `R+`, …). */
  cls: string;
  /** Leaf-first index of the frame the strip rule makes the leaf; -1 when the class is not cut. */
  cut: number;
}

const enum Flag {
  Known = 1,
  TakeGil = 2,
  DropGil = 4,
  Kernel = 8,
  WaitPrimitive = 16,
  Acquirer = 32,
  UnsymbolizedPython = 64,
}

const WAIT_PREFIXES = ['pthread_', '__pthread', '___pthread', '__futex', 'futex', '__lll_', 'lll_', '__condvar_'];
/** Functions that take the GIL by calling an inlined `take_gil`. */
const ACQUIRERS = ['PyEval_RestoreThread', 'PyEval_AcquireThread', 'PyEval_AcquireLock', '_PyThreadState_Attach', 'PyGILState_Ensure'];
const KERNEL_DSO = '[kernel.kallsyms]';
const PYTHON_BINARY = /(?:^|\/)(?:lib)?python\d[^/]*$/;

function isWaitPrimitive(name: string): boolean {
  const bare = name.startsWith('__GI_') ? name.slice(5) : name;
  return WAIT_PREFIXES.some((prefix) => bare.startsWith(prefix));
}

/** `PyEval_RestoreThread`, or a GCC clone of it such as `PyEval_RestoreThread.constprop.0`. */
function isAcquirer(name: string): boolean {
  return ACQUIRERS.some((acquirer) => name === acquirer || name.startsWith(`${acquirer}.`));
}

function flagsOf(name: string, dso: string): number {
  let flags = Flag.Known;
  if (name.includes('take_gil')) flags |= Flag.TakeGil;
  if (name.includes('drop_gil')) flags |= Flag.DropGil;
  if (dso === KERNEL_DSO) flags |= Flag.Kernel;
  if (isWaitPrimitive(name)) flags |= Flag.WaitPrimitive;
  if (isAcquirer(name)) flags |= Flag.Acquirer;
  if (name === '[unknown]' && PYTHON_BINARY.test(dso)) flags |= Flag.UnsymbolizedPython;
  return flags;
}

export class GilClassifier {
  /** DSOs of Python interpreters seen without symbols, in first-seen order. */
  readonly unsymbolizedPythons = new Set<string>();
  private flags = new Uint8Array(1024);

  constructor(private readonly frames: FrameTable) {}

  classify(stack: readonly number[], state: string): Classification {
    let takeGil = -1;
    let dropGil = -1;
    for (let i = 0; i < stack.length; i++) {
      const flags = this.flagsFor(stack[i]!);
      if (flags & Flag.TakeGil) takeGil = i;
      if (flags & Flag.DropGil) dropGil = i;
    }
    if (takeGil >= 0) return { cls: GIL, cut: takeGil };
    const acquirer = this.inlinedAcquirer(stack);
    if (acquirer >= 0) return { cls: GIL, cut: acquirer };
    if (dropGil >= 0) return { cls: GIL_DROP, cut: dropGil };
    return { cls: state, cut: -1 };
  }

  /** Leaf-first index of the acquiring function of an inlined `take_gil` wait, or -1. */
  private inlinedAcquirer(stack: readonly number[]): number {
    let i = 0;
    while (i < stack.length && this.flagsFor(stack[i]!) & Flag.Kernel) i++;
    const waitStart = i;
    while (i < stack.length && this.flagsFor(stack[i]!) & Flag.WaitPrimitive) i++;
    return i > waitStart && i < stack.length && this.flagsFor(stack[i]!) & Flag.Acquirer ? i : -1;
  }

  private flagsFor(id: number): number {
    if (id >= this.flags.length) {
      const bigger = new Uint8Array(Math.max(this.flags.length * 2, id + 1));
      bigger.set(this.flags);
      this.flags = bigger;
    }
    let flags = this.flags[id]!;
    if (flags === 0) {
      const frame = this.frames.get(id);
      flags = flagsOf(frame.name, frame.dso);
      if (flags & Flag.UnsymbolizedPython) this.unsymbolizedPythons.add(frame.dso);
      this.flags[id] = flags;
    }
    return flags;
  }
}
