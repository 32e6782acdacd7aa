/**
 * The folded views of GIL holders: `--with-holders` lines `WAITER;--;HOLDER` (bcc offwaketime's shape:
 * the holder's stack at its release leaf first, from its `drop_gil` frame to its root and root frame),
 * and `--holders` lines with the holder stack alone, root first — the code that made others wait.
 * Both weigh each stretch of a wait by its nanoseconds, so their totals equal the waiters'. Intervals
 * of other classes (`--state all`) have no holder and keep their own stack in both views.
 */
import type { NameTable } from '../stacks/stackTrie.js';
import { StackTrie } from '../stacks/stackTrie.js';
import { HANDOFF, HANDOFF_FRAME, UNKNOWN_FRAME, type AttributedWait } from './attribution.js';
import type { Release } from './releases.js';

/** Between the waiter's and the holder's frames in `--with-holders` lines (bcc's separator). */
export const HOLDER_SEPARATOR = '--';

export class HolderFolding {
  readonly withHolders: StackTrie;
  readonly holders: StackTrie;
  private readonly folded = new WeakMap<Release, number[]>();
  private readonly separatorId: number;
  private readonly handoffId: number;
  private readonly unknownId: number;

  /** `foldRelease` gives the holder stack of a release, root first (root frame first when asked). */
  constructor(
    names: NameTable,
    private readonly foldRelease: (release: Release) => number[],
  ) {
    this.withHolders = new StackTrie(names);
    this.holders = new StackTrie(names);
    this.separatorId = names.id(HOLDER_SEPARATOR);
    this.handoffId = names.id(HANDOFF_FRAME);
    this.unknownId = names.id(UNKNOWN_FRAME);
  }

  /** A shown GIL wait whose own stack folded to `waiterIds` (root first). */
  add(waiterIds: readonly number[], wait: AttributedWait, group: number): void {
    // Stretches of one wait often share a holder stack: sum them first.
    const byHolder = new Map<Release | number, number>();
    for (const stretch of wait.stretches) {
      const key = stretch.release ?? (stretch.holder === HANDOFF ? this.handoffId : this.unknownId);
      byHolder.set(key, (byHolder.get(key) ?? 0) + stretch.endNs - stretch.startNs);
    }
    for (const [key, ns] of byHolder) {
      const holderIds = typeof key === 'number' ? [key] : this.holderIds(key);
      const line = [...waiterIds, this.separatorId];
      for (let i = holderIds.length - 1; i >= 0; i--) line.push(holderIds[i]!);
      this.withHolders.add(line, ns, group);
      this.holders.add(holderIds, ns, group);
    }
  }

  /** A shown interval of another class: it has no holder, so both views show its own stack. */
  addOther(ids: readonly number[], ns: number, group: number): void {
    this.withHolders.add(ids, ns, group);
    this.holders.add(ids, ns, group);
  }

  private holderIds(release: Release): number[] {
    let ids = this.folded.get(release);
    if (ids === undefined) {
      ids = this.foldRelease(release);
      this.folded.set(release, ids);
    }
    return ids;
  }
}
