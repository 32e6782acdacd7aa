/**
 * Turns an interval's switch-out stack into the root-first list of names that is aggregated: the
 * strip cut, CPython's interpreter frames removed (or marked), Python frames named readably, Python
 * stacks from VizTracer put where the interpreter ran them, and the optional thread root frame.
 */
import type { FrameTable } from '../perf/frameTable.js';
import { EVAL_MARK, isInterpreterEntry } from './cpythonFrames.js';
import { frameKindOfDso, type FrameKind } from './frameKind.js';
import { isTrampolineFrame, pythonFrameName, trampolineFrameName } from './pythonFrames.js';
import { grownInt32, grownUint8 } from '../util/typedArrays.js';
import type { NameTable } from './stackTrie.js';
import { pythonSegments, type ViztracerStacks } from './viztracer/callStacks.js';
import type { TracedCall } from './viztracer/traceFile.js';

/** Extra root frame: none (per4m), `COMM`, `COMM-PID` or `COMM-PID/TID` (stackcollapse-perf.pl). */
export type RootFrame = 'none' | 'comm' | 'pid' | 'tid';

/** Stands in for a stack perf did not record, so that its time is still shown. */
export const NO_STACK_FRAME = '[no stack]';

/** A stack to fold and the thread it belongs to: an interval's switch-out, or a holder's release. */
export interface FoldSubject {
  tid: number;
  pid: number;
  comm: string;
  /** Frame ids, leaf first. */
  stack: readonly number[];
  /** Input line, for messages. */
  line: number;
}

export interface FoldOptions {
  rootFrame: RootFrame;
  /** Keep interpreter frames, marked `cpyeval::`, instead of removing them. */
  keepCpythonEvals: boolean;
  /** Names of CPython's interpreter frames (DEFAULT_EVAL_FRAMES unless `--eval-frames`). */
  evalFrames: RegExp;
  /** Python frames with the full path of their file instead of its base name. */
  fullPaths: boolean;
  /** Python stacks recorded by VizTracer in the same run. */
  viztracer?: ViztracerStacks | undefined;
  /** Count the known benign VizTracer mismatches as mismatches. */
  pedantic: boolean;
}

/** How the VizTracer stacks fitted the native stacks they were injected into. */
export interface InjectionCounts {
  /** As many Python segments as C→Python entries on the native stack. */
  matched: number;
  /** Thread or moment not covered by the VizTracer trace. */
  outsideTrace: number;
  /** Python frames but no interpreter frame on the native stack (thread start and exit). */
  benign: number;
  mismatched: number;
  /** Input line of the first mismatched switch-out. */
  firstMismatchLine: number;
}

export function rootFrameName(subject: Pick<FoldSubject, 'comm' | 'pid' | 'tid'>, rootFrame: RootFrame): string | undefined {
  switch (rootFrame) {
    case 'comm':
      return subject.comm;
    case 'pid':
      return `${subject.comm}-${subject.pid}`;
    case 'tid':
      return `${subject.comm}-${subject.pid}/${subject.tid}`;
    case 'none':
      return undefined;
  }
}

const enum Role {
  Unknown = 0,
  Plain,
  Eval,
  /** An interpreter frame where Python code called from C starts running. */
  InterpreterEntry,
  Trampoline,
}

/** perf's map of Python trampolines or jitted code; a frame there without a name lost its symbol. */
const PERF_MAP = /^\/tmp\/(?:perf-\d+\.map|jitted-\d+-\d+\.so)$/;

export class StackFolder {
  readonly injection: InjectionCounts = { matched: 0, outsideTrace: 0, benign: 0, mismatched: 0, firstMismatchLine: 0 };
  /** perf maps with frames perf could not name (the map file was gone, or perf inject --jit not run). */
  readonly unresolvedPerfMaps = new Set<string>();
  /** Kind of every frame name this folder produced (thread root frames have none). */
  readonly kinds = new Map<number, FrameKind>();
  private roles = new Uint8Array(1024);
  /** Name id shown for each frame id; -1 until first needed. */
  private nameIds = new Int32Array(1024).fill(-1);
  /** Per thread: the comm and pid its root frame was last named from, and that name's id. */
  private readonly rootIds = new Map<number, { comm: string; pid: number; id: number }>();

  constructor(
    private readonly frames: FrameTable,
    private readonly names: NameTable,
    private readonly options: FoldOptions,
  ) {}

  /**
   * Root-first name ids for the stack, cut at the leaf-first index `cut` (-1: not cut); `timeUs` is
   * when the stack was taken, on VizTracer's clock.
   */
  fold(subject: FoldSubject, cut: number, timeUs: number): number[] {
    const stack = subject.stack;
    const leaf = Math.max(cut, 0);
    const ids: number[] = [];
    if (this.options.rootFrame !== 'none') ids.push(this.rootNameId(subject));
    const injection = this.pythonInjection(subject, leaf, cut, timeUs);
    let segment = 0;
    for (let i = stack.length - 1; i >= leaf; i--) {
      const frame = stack[i]!;
      // The frame a GIL stack was cut at stays even when it is interpreter machinery (PyEval_RestoreThread).
      const isInterpreter = this.isInterpreterFrame(stack, i, cut);
      if (i === cut && !this.options.keepCpythonEvals) ids.push(this.plainNameId(frame));
      else if (!isInterpreter || this.options.keepCpythonEvals) ids.push(this.nameIdOf(frame));
      if (injection !== undefined && injection.runEnds[segment] === i) {
        for (const call of injection.segments[segment++]!) ids.push(this.pythonNameId(call));
      }
    }
    if (ids.length === 0) ids.push(this.names.id(NO_STACK_FRAME));
    return ids;
  }

  /** Name id of the thread root frame, built once per thread while its comm and pid stay the same. */
  private rootNameId(subject: FoldSubject): number {
    const cached = this.rootIds.get(subject.tid);
    if (cached !== undefined && cached.comm === subject.comm && cached.pid === subject.pid) return cached.id;
    const id = this.names.id(rootFrameName(subject, this.options.rootFrame)!);
    this.rootIds.set(subject.tid, { comm: subject.comm, pid: subject.pid, id });
    return id;
  }

  /**
   * VizTracer's Python segments for this switch-out and where they go (after the leaf-most frame of
   * each run of interpreter frames that holds an interpreter entry), when they fit the native stack
   * one to one; else undefined. Counts the outcome.
   */
  private pythonInjection(subject: FoldSubject, leaf: number, cut: number, timeUs: number): { segments: TracedCall[][]; runEnds: number[] } | undefined {
    const viztracer = this.options.viztracer;
    if (viztracer === undefined) return undefined;
    const stack = subject.stack;
    const runEnds: number[] = [];
    let runHasEntry = false;
    for (let i = stack.length - 1; i >= leaf; i--) {
      // perf's own Python frames are better than a second source.
      if (this.roleOf(stack[i]!) === Role.Trampoline) return undefined;
      if (!this.isInterpreterFrame(stack, i, cut)) continue;
      runHasEntry ||= this.roleOf(stack[i]!) === Role.InterpreterEntry;
      if (i === leaf || !this.isInterpreterFrame(stack, i - 1, cut)) {
        if (runHasEntry) runEnds.push(i);
        runHasEntry = false;
      }
    }
    const calls = viztracer.stackAt(subject.tid, timeUs);
    if (calls === undefined) {
      this.injection.outsideTrace++;
      return undefined;
    }
    const segments = pythonSegments(calls);
    if (segments.length === runEnds.length) {
      if (runEnds.length > 0) this.injection.matched++;
      return { segments, runEnds };
    }
    if (runEnds.length === 0 && !this.options.pedantic) {
      this.injection.benign++;
      return undefined;
    }
    if (this.injection.mismatched++ === 0) this.injection.firstMismatchLine = subject.line;
    return undefined;
  }

  /** Whether the frame at `index` is interpreter machinery to remove (never the frame the stack was cut at). */
  private isInterpreterFrame(stack: readonly number[], index: number, cut: number): boolean {
    const role = this.roleOf(stack[index]!);
    return index !== cut && (role === Role.Eval || role === Role.InterpreterEntry);
  }

  private pythonNameId(call: TracedCall): number {
    return this.kindedNameId(pythonFrameName(call.qualname, call.file, call.line, this.options.fullPaths), 'python');
  }

  private plainNameId(frameId: number): number {
    const { name, dso } = this.frames.get(frameId);
    return this.kindedNameId(name, frameKindOfDso(dso));
  }

  private kindedNameId(name: string, kind: FrameKind): number {
    const id = this.names.id(name);
    if (!this.kinds.has(id)) this.kinds.set(id, kind);
    return id;
  }

  private roleOf(frameId: number): Role {
    if (frameId >= this.roles.length) this.grow(frameId);
    let role = this.roles[frameId]! as Role;
    if (role === Role.Unknown) {
      const { name, dso } = this.frames.get(frameId);
      if (name === '[unknown]' && PERF_MAP.test(dso)) this.unresolvedPerfMaps.add(dso);
      if (isTrampolineFrame(name)) role = Role.Trampoline;
      else if (!this.options.evalFrames.test(name)) role = Role.Plain;
      else role = isInterpreterEntry(name) ? Role.InterpreterEntry : Role.Eval;
      this.roles[frameId] = role;
    }
    return role;
  }

  private nameIdOf(frameId: number): number {
    let id = this.nameIds[frameId]!;
    if (id < 0) {
      const name = this.frames.name(frameId);
      const role = this.roleOf(frameId);
      if (role === Role.Trampoline) id = this.kindedNameId(trampolineFrameName(name, this.options.fullPaths), 'python');
      else if (role === Role.Eval || role === Role.InterpreterEntry) id = this.kindedNameId(`${EVAL_MARK}${name}`, 'cpython');
      else id = this.plainNameId(frameId);
      this.nameIds[frameId] = id;
    }
    return id;
  }

  private grow(frameId: number): void {
    const length = Math.max(this.roles.length * 2, frameId + 1);
    this.roles = grownUint8(this.roles, length);
    this.nameIds = grownInt32(this.nameIds, length, -1);
  }
}
