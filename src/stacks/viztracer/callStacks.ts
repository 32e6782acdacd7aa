/**
 * The Python call stack VizTracer saw in a thread at a given moment. Each thread is swept forward in
 * time, because offgil asks for the stacks of one thread's switch-outs in the order they happened.
 */
import type { ThreadCalls, TracedCall } from './traceFile.js';

class ThreadCursor {
  private next = 0;
  private readonly active: TracedCall[] = [];
  readonly firstUs: number;
  readonly lastUs: number;

  constructor(private readonly calls: ThreadCalls) {
    this.firstUs = calls[0]!.startUs;
    this.lastUs = Math.max(...calls.map((call) => call.endUs));
  }

  /** Calls in progress at `timeUs`, outermost first. Times must not go backwards. */
  at(timeUs: number): TracedCall[] {
    while (this.next < this.calls.length && this.calls[this.next]!.startUs <= timeUs) this.active.push(this.calls[this.next++]!);
    // Calls nest, so a finished call is on top of the ones still running; filter anyway for traces that do not nest.
    while (this.active.length > 0 && this.active[this.active.length - 1]!.endUs <= timeUs) this.active.pop();
    return this.active.filter((call) => call.endUs > timeUs);
  }
}

export class ViztracerStacks {
  private readonly cursors = new Map<number, ThreadCursor>();

  constructor(threads: ReadonlyMap<number, ThreadCalls>) {
    for (const [tid, calls] of threads) if (calls.length > 0) this.cursors.set(tid, new ThreadCursor(calls));
  }

  get threadCount(): number {
    return this.cursors.size;
  }

  /** The stack of `tid` at `timeUs`, or undefined when the trace does not cover that thread then. */
  stackAt(tid: number, timeUs: number): TracedCall[] | undefined {
    const cursor = this.cursors.get(tid);
    if (cursor === undefined || timeUs < cursor.firstUs || timeUs >= cursor.lastUs) return undefined;
    return cursor.at(timeUs);
  }
}

/**
 * Splits a stack into the runs of Python frames that the interpreter ran without a C function in
 * between: each run is what one C→Python entry of the native stack executed.
 */
export function pythonSegments(stack: readonly TracedCall[]): TracedCall[][] {
  const segments: TracedCall[][] = [];
  let current: TracedCall[] | undefined;
  for (const call of stack) {
    if (call.file === undefined) {
      current = undefined;
      continue;
    }
    if (current === undefined) {
      current = [];
      segments.push(current);
    }
    current.push(call);
  }
  return segments;
}
