/**
 * The per-thread state machine of ../docs/semantics.md: an off-CPU interval opens at a thread's
 * switch-out and closes at the first later event that shows the thread awake.
 */
import { EventKind, type PerfEvent } from '../perf/events.js';
import type { Classification } from './gilClassifier.js';

/** `switch-in`: off-CPU time as bcc's offcputime (run-queue wait included); `wakeup`: blocked time only. */
export type UntilMode = 'switch-in' | 'wakeup';

/** Which rule of the contract closed an interval; the order is the contract's precedence. */
export const enum CloseRule {
  /** A `sched_waking`/`sched_wakeup` of the thread (`--until wakeup` only). */
  Wakeup = 0,
  /** A switch-in: `next_pid`, a switch record IN, or a CPU-wide OUT naming the thread as next. */
  SwitchIn = 1,
  /** An event the thread itself ran, or its own next `sched_switch`. */
  OwnEvent = 2,
}

export const CLOSE_RULE_NAMES = ['wakeup', 'switch-in', 'own event'] as const;

export interface OffCpuInterval {
  tid: number;
  pid: number;
  /** `prev_comm` of the switch-out. */
  comm: string;
  startNs: number;
  endNs: number;
  /** `prev_state` of the switch-out, verbatim (`S`, `D`, `R+`, …). */
  state: string;
  /** `gil`, `gil-drop`, `lock` or the state, decided from the stack at the switch-out. */
  cls: string;
  /** Leaf-first index of the frame the strip rule cuts the stack at; -1 when the class is not cut. */
  cut: number;
  /** Frame ids of the switch-out stack, leaf first. */
  stack: readonly number[];
  closedBy: CloseRule;
  /** Input line of the switch-out header. */
  line: number;
}

export interface IntervalCounts {
  /** Intervals closed by each CloseRule. */
  closedBy: [number, number, number];
  /** Intervals still open when the input ended (dropped). */
  openAtEnd: number;
  /** `--until wakeup`: wakeups of a thread that had no open interval (already awake, or not traced). */
  wakeupsWithoutInterval: number;
}

export interface IntervalListener {
  /** The class of a switch-out stack (the GIL classifier). */
  classify(stack: readonly number[], state: string): Classification;
  /** An interval has opened; its end is not known yet. */
  onOpen?(interval: OffCpuInterval): void;
  onClose(interval: OffCpuInterval): void;
}

export class IntervalTracker {
  readonly counts: IntervalCounts = { closedBy: [0, 0, 0], openAtEnd: 0, wakeupsWithoutInterval: 0 };
  private readonly open = new Map<number, OffCpuInterval>();

  constructor(
    private readonly until: UntilMode,
    private readonly listener: IntervalListener,
  ) {}

  /** Events must arrive in input order. */
  handle(event: PerfEvent): void {
    const time = event.timeNs;
    switch (event.kind) {
      case EventKind.Wake:
        if (this.until === 'wakeup' && event.otherTid > 0 && !this.close(event.otherTid, time, CloseRule.Wakeup)) {
          this.counts.wakeupsWithoutInterval++;
        }
        break;
      case EventKind.Switch:
        this.close(event.nextPid, time, CloseRule.SwitchIn);
        break;
      case EventKind.SwitchIn:
      case EventKind.CpuWideIn:
        this.close(event.tid, time, CloseRule.SwitchIn);
        break;
      case EventKind.CpuWideOut:
        this.close(event.otherTid, time, CloseRule.SwitchIn);
        break;
      default:
        break;
    }
    // Switch-out records are written after the thread's own sched_switch: they do not show it awake.
    if (event.kind !== EventKind.SwitchOut && event.kind !== EventKind.CpuWideOut) {
      this.close(event.tid, time, CloseRule.OwnEvent);
    }
    if (event.kind === EventKind.Switch) {
      this.close(event.prevPid, time, CloseRule.OwnEvent);
      this.openFor(event);
    }
  }

  /** Drops the intervals still open; call once at the end of the input. */
  finish(): void {
    this.counts.openAtEnd += this.open.size;
    this.open.clear();
  }

  private openFor(event: PerfEvent): void {
    const tid = event.prevPid;
    if (tid <= 0) return;
    if (this.until === 'wakeup' && event.prevState.startsWith('R')) return;
    const { cls, cut } = this.listener.classify(event.stack, event.prevState);
    const interval: OffCpuInterval = {
      tid,
      pid: event.pid !== undefined && event.tid === tid ? event.pid : tid,
      comm: event.prevComm,
      startNs: event.timeNs,
      endNs: event.timeNs,
      state: event.prevState,
      cls,
      cut,
      stack: event.stack,
      closedBy: CloseRule.OwnEvent,
      line: event.line,
    };
    this.open.set(tid, interval);
    this.listener.onOpen?.(interval);
  }

  private close(tid: number, time: number, rule: CloseRule): boolean {
    if (tid <= 0) return false;
    const interval = this.open.get(tid);
    if (interval === undefined) return false;
    this.open.delete(tid);
    interval.endNs = time;
    interval.closedBy = rule;
    this.counts.closedBy[rule]++;
    this.listener.onClose(interval);
    return true;
  }
}
