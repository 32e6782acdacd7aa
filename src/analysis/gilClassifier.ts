/**
 * Decides from a switch-out stack whether a thread was waiting for the GIL, had dropped it on request,
 * or waited for one of CPython's locks (semantics.md §3), and where the strip rule cuts its stack.
 * Frame properties are computed once per distinct frame.
 */
import { FrameFlagCache } from '../perf/frameFlags.js';
import type { FrameTable } from '../perf/frameTable.js';

export const GIL = 'gil';
export const GIL_DROP = 'gil-drop';
export const LOCK = 'lock';

export interface Classification {
  /** `gil`, `gil-drop`, or the switch-out state verbatim (`S`, `D`, `R+`, …). */
  cls: string;
  /** Leaf-first index of the frame the strip rule makes the leaf; -1 when the class is not cut. */
  cut: number;
}

const enum Flag {
  TakeGil = 2,
  DropGil = 4,
  Kernel = 8,
  WaitPrimitive = 16,
  Acquirer = 32,
  /** `[unknown]` in a Python interpreter binary: a function of a stripped interpreter. */
  UnknownInPython = 64,
  /** CPython's lock acquisition (threading.Lock, RLock, Condition, queue, join). */
  Lock = 128,
  /** An acquirer that takes the GIL back after the thread released it (not 3.13's _PyThreadState_Attach). */
  Reacquirer = 256,
}

const WAIT_PREFIXES = ['pthread_', '__pthread', '___pthread', '__futex', 'futex', '__lll_', 'lll_', '__condvar_'];
/** Functions that take the GIL back after a call that released it (a blocking call, a callback from C). */
const REACQUIRERS = ['PyEval_RestoreThread', 'PyEval_AcquireThread', 'PyEval_AcquireLock', 'PyGILState_Ensure'];
/** Functions that take the GIL by calling an inlined `take_gil`. */
const ACQUIRERS = [...REACQUIRERS, '_PyThreadState_Attach'];
/**
 * CPython's lock acquisition, as it shows in switch-out stacks of 3.8–3.13 (docs/semantics.md lists
 * the frames seen per version): the `_thread` lock methods, the timed acquire below them, and the
 * parking lot of 3.13's PyMutex and PyEvent.
 */
const LOCK_FRAME = /^(?:lock_PyThread_acquire_lock|rlock_acquire|acquire_timed|PyThread_acquire_lock\w*|_PyMutex_LockTimed|_PyMutex_LockSlow|_PyParkingLot_Park|_PySemaphore_Wait|PyEvent_WaitTimed|_PyEvent_Wait\w*)(?:\.\w+)*$/;
const KERNEL_DSO = '[kernel.kallsyms]';
const PYTHON_BINARY = /(?:^|\/)(?:lib)?python\d[^/]*$/;

function isWaitPrimitive(name: string): boolean {
  const bare = name.startsWith('__GI_') ? name.slice(5) : name;
  return WAIT_PREFIXES.some((prefix) => bare.startsWith(prefix));
}

/** `PyEval_RestoreThread`, or a GCC clone of it such as `PyEval_RestoreThread.constprop.0`. */
function isOneOf(names: readonly string[], name: string): boolean {
  return names.some((acquirer) => name === acquirer || name.startsWith(`${acquirer}.`));
}

function flagsOf(name: string, dso: string): number {
  let flags = 0;
  if (name.includes('take_gil')) flags |= Flag.TakeGil;
  if (name.includes('drop_gil')) flags |= Flag.DropGil;
  if (dso === KERNEL_DSO) flags |= Flag.Kernel;
  if (isWaitPrimitive(name)) flags |= Flag.WaitPrimitive;
  if (isOneOf(ACQUIRERS, name)) flags |= isOneOf(REACQUIRERS, name) ? Flag.Acquirer | Flag.Reacquirer : Flag.Acquirer;
  if (name === '[unknown]' && PYTHON_BINARY.test(dso)) flags |= Flag.UnknownInPython;
  if (LOCK_FRAME.test(name)) flags |= Flag.Lock;
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
  private readonly flags: FrameFlagCache;

  constructor(private readonly frames: FrameTable) {
    this.flags = new FrameFlagCache((id) => this.computeFlags(id));
  }

  classify(stack: readonly number[], state: string): Classification {
    let takeGil = -1;
    let dropGil = -1;
    let lock = false;
    for (let i = 0; i < stack.length; i++) {
      const flags = this.flags.get(stack[i]!);
      if (flags & Flag.TakeGil) takeGil = i;
      if (flags & Flag.DropGil) dropGil = i;
      if (flags & Flag.Lock) lock = true;
    }
    if (takeGil >= 0) return { cls: GIL, cut: takeGil };
    const afterWait = this.afterWaitPrimitives(stack);
    if (afterWait >= 0 && this.has(stack, afterWait, Flag.Acquirer)) return { cls: GIL, cut: afterWait };
    if (afterWait >= 0 && this.has(stack, afterWait, Flag.UnknownInPython) && this.has(stack, afterWait + 1, Flag.Acquirer)) {
      this.hiddenTakeGil.add(this.frames.dso(stack[afterWait]!));
    }
    if (dropGil >= 0) return { cls: GIL_DROP, cut: dropGil };
    if (lock) return { cls: LOCK, cut: -1 };
    return { cls: state, cut: -1 };
  }

  /**
   * Whether a GIL wait (cut at `cut`) takes the GIL back after the thread released it for a blocking
   * call, rather than in the eval loop after giving it up on request: the first frame below `take_gil`
   * (past 3.13's `_PyThreadState_Attach`) is `PyEval_RestoreThread` or another re-acquirer.
   */
  isReacquisition(stack: readonly number[], cut: number): boolean {
    for (let i = cut; i >= 0 && i < stack.length; i++) {
      const flags = this.flags.get(stack[i]!);
      if (flags & Flag.Reacquirer) return true;
      if (!(flags & (Flag.TakeGil | Flag.Acquirer))) return false;
    }
    return false;
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
    while (i < stack.length && this.flags.get(stack[i]!) & Flag.Kernel) i++;
    const waitStart = i;
    while (i < stack.length && this.flags.get(stack[i]!) & Flag.WaitPrimitive) i++;
    return i > waitStart && i < stack.length ? i : -1;
  }

  private has(stack: readonly number[], index: number, flag: Flag): boolean {
    return index < stack.length && this.flags.has(stack[index]!, flag);
  }

  private computeFlags(id: number): number {
    const frame = this.frames.get(id);
    if (PYTHON_BINARY.test(frame.dso)) {
      const symbolized = frame.name !== '[unknown]';
      this.pythonBinaries.set(frame.dso, symbolized || (this.pythonBinaries.get(frame.dso) ?? false));
    }
    return flagsOf(frame.name, frame.dso);
  }
}
