/**
 * Aggregates stacks of interned names into a trie. Each node keeps the nanoseconds of the stacks that
 * end there, so a stack's total is summed exactly before it is floored to microseconds once.
 *
 * The trie lives in flat typed arrays (parent, name, own nanoseconds per node, and one hash table from
 * (parent, name) to child), about 40 bytes per node and no object per node, and every walk is a loop:
 * a million distinct stacks or a 100,000-frame stack cost memory in proportion, never recursion.
 */
import { compareCodePoints } from '../util/codePointOrder.js';
import { grownInt32 } from '../util/typedArrays.js';

export class NameTable {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  name(id: number): string {
    return this.names[id]!;
  }
}

const NO_NODE = -1;
const INITIAL_NODES = 1024;

export class StackTrie {
  private count = 0;
  private parents = new Int32Array(INITIAL_NODES);
  private nameIds = new Int32Array(INITIAL_NODES);
  /** The group of each node's root (a thread for --python-only, else the single group 0). */
  private groups = new Int32Array(INITIAL_NODES);
  private selfNs = new Float64Array(INITIAL_NODES);
  /** Open addressing: node + 1 of the child (parent, name), 0 for an empty slot. */
  private slots = new Int32Array(INITIAL_NODES * 2);
  private readonly roots = new Map<number, number>();

  constructor(readonly names: NameTable) {}

  /** Adds `ns` to the stack `ids`, root first. */
  add(ids: readonly number[], ns: number, group = 0): void {
    let node = this.roots.get(group);
    if (node === undefined) {
      node = this.newNode(NO_NODE, NO_NODE, group);
      this.roots.set(group, node);
    }
    for (const id of ids) node = this.child(node, id, group);
    this.selfNs[node]! += ns;
  }

  /**
   * Folded stacks, `frame;frame;…` → microseconds (each stack's nanoseconds summed over the groups
   * kept, then floored once), without zero counts, in code point (byte) order.
   */
  toFolded(keepGroup: (group: number) => boolean = () => true): Map<string, number> {
    const lines: [string, number][] = [];
    for (const [stack, ns] of this.totalsNs(keepGroup)) {
      const us = Math.floor(ns / 1000);
      if (us > 0) lines.push([stack, us]);
    }
    return sortedMap(lines);
  }

  /** One group's stacks, `frame;frame;…` → nanoseconds (not floored), in code point order. */
  groupNs(group: number): Map<string, number> {
    return sortedMap([...this.totalsNs((other) => other === group)]);
  }

  /** Each stack's nanoseconds summed over the groups kept: a loop over the nodes, walking parent links. */
  private totalsNs(keepGroup: (group: number) => boolean): Map<string, number> {
    const totals = new Map<string, number>();
    const path: string[] = [];
    for (let node = 0; node < this.count; node++) {
      const ns = this.selfNs[node]!;
      if (ns <= 0 || this.parents[node] === NO_NODE || !keepGroup(this.groups[node]!)) continue;
      path.length = 0;
      for (let at = node; this.parents[at] !== NO_NODE; at = this.parents[at]!) path.push(this.names.name(this.nameIds[at]!));
      const stack = path.reverse().join(';');
      totals.set(stack, (totals.get(stack) ?? 0) + ns);
    }
    return totals;
  }

  private child(parent: number, name: number, group: number): number {
    const mask = this.slots.length - 1;
    let slot = hashOf(parent, name) & mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      const node = entry - 1;
      if (this.parents[node] === parent && this.nameIds[node] === name) return node;
      slot = (slot + 1) & mask;
    }
    const node = this.newNode(parent, name, group);
    this.slots[slot] = node + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return node;
  }

  private newNode(parent: number, name: number, group: number): number {
    if (this.count === this.parents.length) this.grow();
    const node = this.count++;
    this.parents[node] = parent;
    this.nameIds[node] = name;
    this.groups[node] = group;
    this.selfNs[node] = 0;
    return node;
  }

  private grow(): void {
    const length = this.parents.length * 2;
    this.parents = grownInt32(this.parents, length);
    this.nameIds = grownInt32(this.nameIds, length);
    this.groups = grownInt32(this.groups, length);
    const selfNs = new Float64Array(length);
    selfNs.set(this.selfNs);
    this.selfNs = selfNs;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let node = 0; node < this.count; node++) {
      if (this.parents[node] === NO_NODE) continue;
      let slot = hashOf(this.parents[node]!, this.nameIds[node]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = node + 1;
    }
    this.slots = slots;
  }
}

function sortedMap(lines: [string, number][]): Map<string, number> {
  lines.sort((a, b) => compareCodePoints(a[0], b[0]));
  return new Map(lines);
}

function hashOf(parent: number, name: number): number {
  let h = Math.imul(parent ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(name + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}
