/**
 * Aggregates stacks of interned names into a trie. Each node keeps the nanoseconds of the stacks that
 * end there, so a stack's total is summed exactly before it is floored to microseconds once.
 *
 * The trie lives in flat typed arrays (parent, name, own nanoseconds per node, and one hash table from
 * (parent, name) to child), about 40 bytes per node and no object per node, and every walk is a loop:
 * a million distinct stacks or a 100,000-frame stack cost memory in proportion, never recursion.
 */
import { codePointComparator } from '../util/codePointOrder.js';
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
    const { stacks, ns } = this.totalsNs(keepGroup);
    return sortedMap(stacks, ns, true);
  }

  /** One group's stacks, `frame;frame;…` → nanoseconds (not floored), in code point order. */
  groupNs(group: number): Map<string, number> {
    const { stacks, ns } = this.totalsNs((other) => other === group);
    return sortedMap(stacks, ns, false);
  }

  /**
   * The stack and nanoseconds of every node with time of its own in the groups kept: a loop over the
   * nodes, walking parent links. The same text can come from several nodes (other groups, or frame
   * names with a `;`); the sort brings them together.
   */
  private totalsNs(keepGroup: (group: number) => boolean): { stacks: string[]; ns: number[] } {
    const stacks: string[] = [];
    const ns: number[] = [];
    const path: string[] = [];
    for (let node = 0; node < this.count; node++) {
      const own = this.selfNs[node]!;
      if (own <= 0 || this.parents[node] === NO_NODE || !keepGroup(this.groups[node]!)) continue;
      path.length = 0;
      for (let at = node; this.parents[at] !== NO_NODE; at = this.parents[at]!) path.push(this.names.name(this.nameIds[at]!));
      stacks.push(path.reverse().join(';'));
      ns.push(own);
    }
    return { stacks, ns };
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

/**
 * The stacks with their nanoseconds summed per text, as a map in code point order: microseconds
 * floored once per stack, without zero counts, with `floor`; else the nanoseconds.
 */
function sortedMap(stacks: readonly string[], ns: readonly number[], floor: boolean): Map<string, number> {
  const order = Array.from(stacks.keys());
  const compare = codePointComparator(stacks);
  order.sort((a, b) => compare(stacks[a]!, stacks[b]!));
  const map = new Map<string, number>();
  for (let i = 0; i < order.length; ) {
    const stack = stacks[order[i]!]!;
    let total = 0;
    for (; i < order.length && stacks[order[i]!] === stack; i++) total += ns[order[i]!]!;
    const value = floor ? Math.floor(total / 1000) : total;
    if (!floor || value > 0) map.set(stack, value);
  }
  return map;
}

function hashOf(parent: number, name: number): number {
  let h = Math.imul(parent ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(name + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}
