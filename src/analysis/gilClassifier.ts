/**
 * Decides from a switch-out stack whether a thread was waiting for the GIL (semantics.md §3) and where
 * the strip rule cuts its stack. Frame properties are computed once per distinct frame.
 */
import type { FrameTable } from '../perf/frameTable.js';
import { grownUint8 } from '../util/typedArrays.js';

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
  /** `[unknown]` in a Python interpreter binary: a function of a stripped interpreter. */
  UnknownInPython = 64,
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
  if (name === '[unknown]' && PYTHON_BINARY.test(dso)) flags |= Flag.UnknownInPython;
  return flags;
}

export class GilClassifier {
  /**
   * Python interpreter binaries seen in switch-out stacks, and whether any of their frames had a symbol.
   * A fully stripped interpreter shows only `[unknown]`.
   */
  private readonly pythonBinaries = new Map<string, boolean>();
  /**
   * Interpreters whose `take_gil` shows as `[unknown]` between a wait primitive and an acquirer
   * (Debian's python3.11 keeps only exported symbols such as PyEval_RestoreThread).
   */
  private readonly hiddenTakeGil = new Set<string>();
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
    const afterWait = this.afterWaitPrimitives(stack);
    if (afterWait >= 0 && this.has(stack, afterWait, Flag.Acquirer)) return { cls: GIL, cut: afterWait };
    if (afterWait >= 0 && this.has(stack, afterWait, Flag.UnknownInPython) && this.has(stack, afterWait + 1, Flag.Acquirer)) {
      this.hiddenTakeGil.add(this.frames.dso(stack[afterWait]!));
    }
    if (dropGil >= 0) return { cls: GIL_DROP, cut: dropGil };
    return { cls: state, cut: -1 };
  }

  /**
   * Python interpreters in switch-out stacks whose GIL waits cannot be recognised for lack of symbols:
   * `take_gil` seen as `[unknown]`, or no frame of the binary with a symbol at all.
   */
  unsymbolizedPythons(): string[] {
    const stripped = [...this.pythonBinaries].filter(([, symbolized]) => !symbolized).map(([dso]) => dso);
    return [...new Set([...this.hiddenTakeGil, ...stripped])];
  }

  /**
   * Leaf-first index of the first frame after the kernel frames and at least one wait primitive
   * (where an inlined or unsymbolized take_gil would call them), or -1.
   */
  private afterWaitPrimitives(stack: readonly number[]): number {
    let i = 0;
    while (i < stack.length && this.flagsFor(stack[i]!) & Flag.Kernel) i++;
    const waitStart = i;
    while (i < stack.length && this.flagsFor(stack[i]!) & Flag.WaitPrimitive) i++;
    return i > waitStart && i < stack.length ? i : -1;
  }

  private has(stack: readonly number[], index: number, flag: Flag): boolean {
    return index < stack.length && (this.flagsFor(stack[index]!) & flag) !== 0;
  }

  private flagsFor(id: number): number {
    if (id >= this.flags.length) this.flags = grownUint8(this.flags, Math.max(this.flags.length * 2, id + 1));
    let flags = this.flags[id]!;
    if (flags === 0) {
      const frame = this.frames.get(id);
      flags = flagsOf(frame.name, frame.dso);
      if (PYTHON_BINARY.test(frame.dso)) {
        const symbolized = frame.name !== '[unknown]';
        this.pythonBinaries.set(frame.dso, symbolized || (this.pythonBinaries.get(frame.dso) ?? false));
      }
      this.flags[id] = flags;
    }
    return flags;
  }
}
