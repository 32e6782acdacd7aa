/**
 * Which threads share a GIL (semantics.md §5): each process has its own. With `PID/TID` headers the
 * process is the header's PID; without PIDs, threads joined by a hand-off wake (either direction,
 * transitively) form one process, and a thread joined to none is alone.
 */
import type { PerfEvent } from '../perf/events.js';

export class Processes {
  /** Decided by the first event: perf prints PIDs on every header or on none. */
  private withPids: boolean | undefined;
  private readonly pidOf = new Map<number, number>();
  /** Union-find parent links of the hand-off grouping (roots are absent). */
  private readonly parent = new Map<number, number>();

  note(event: PerfEvent): void {
    this.withPids ??= event.pid !== undefined;
    if (event.pid !== undefined && event.tid > 0 && !this.pidOf.has(event.tid)) this.pidOf.set(event.tid, event.pid);
  }

  /** The PID a header printed for the thread, if any. */
  pidOfThread(tid: number): number | undefined {
    return this.pidOf.get(tid);
  }

  /**
   * Whether a hand-off wake from `releaser` to `target` stays inside one process; without PIDs it
   * joins their groups, so it always does.
   */
  joinByHandoff(releaser: number, target: number): boolean {
    if (this.withPids === true) {
      const targetPid = this.pidOf.get(target);
      return targetPid === undefined || targetPid === this.pidOf.get(releaser);
    }
    const a = this.root(releaser);
    const b = this.root(target);
    if (a !== b) this.parent.set(Math.max(a, b), Math.min(a, b));
    return true;
  }

  /** A process identifier for the thread (its PID, or its group's smallest thread id). */
  processOf(tid: number): number {
    return this.withPids === true ? (this.pidOf.get(tid) ?? tid) : this.root(tid);
  }

  private root(tid: number): number {
    let root = tid;
    for (let up = this.parent.get(root); up !== undefined; up = this.parent.get(root)) root = up;
    // Path compression keeps later look-ups short.
    for (let node = tid; node !== root; ) {
      const up = this.parent.get(node)!;
      this.parent.set(node, root);
      node = up;
    }
    return root;
  }
}
