/**
 * Aggregates stacks of interned names into a trie. Each node keeps the nanoseconds of the stacks that
 * end there, so a stack's total is summed exactly before it is floored to microseconds once.
 */
import { compareCodePoints } from '../util/codePointOrder.js';

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

interface TrieNode {
  children: Map<number, TrieNode> | undefined;
  /** Sum of the stacks that end at this node. */
  selfNs: number;
}

function newNode(): TrieNode {
  return { children: undefined, selfNs: 0 };
}

export class StackTrie {
  /** One tree per group (a thread for --python-only, else the single group 0). */
  private readonly roots = new Map<number, TrieNode>();

  constructor(readonly names: NameTable) {}

  /** Adds `ns` to the stack `ids`, root first. */
  add(ids: readonly number[], ns: number, group = 0): void {
    let node = this.roots.get(group);
    if (node === undefined) {
      node = newNode();
      this.roots.set(group, node);
    }
    for (const id of ids) {
      node.children ??= new Map();
      let child = node.children.get(id);
      if (child === undefined) {
        child = newNode();
        node.children.set(id, child);
      }
      node = child;
    }
    node.selfNs += ns;
  }

  /**
   * Folded stacks, `frame;frame;…` → microseconds (each stack's nanoseconds summed over the groups
   * kept, then floored once), without zero counts, in code point (byte) order.
   */
  toFolded(keepGroup: (group: number) => boolean = () => true): Map<string, number> {
    const totals = new Map<string, number>();
    const walk = (node: TrieNode, prefix: string): void => {
      if (node.selfNs > 0 && prefix !== '') totals.set(prefix, (totals.get(prefix) ?? 0) + node.selfNs);
      if (node.children === undefined) return;
      for (const [id, child] of node.children) {
        const name = this.names.name(id);
        walk(child, prefix === '' ? name : `${prefix};${name}`);
      }
    };
    for (const [group, root] of this.roots) if (keepGroup(group)) walk(root, '');
    const lines: [string, number][] = [];
    for (const [stack, ns] of totals) {
      const us = Math.floor(ns / 1000);
      if (us > 0) lines.push([stack, us]);
    }
    lines.sort((a, b) => compareCodePoints(a[0], b[0]));
    return new Map(lines);
  }

  /** One group's stacks, `frame;frame;…` → nanoseconds (not floored), in code point order. */
  groupNs(group: number): Map<string, number> {
    const lines: [string, number][] = [];
    const walk = (node: TrieNode, prefix: string): void => {
      if (node.selfNs > 0 && prefix !== '') lines.push([prefix, node.selfNs]);
      if (node.children === undefined) return;
      for (const [id, child] of node.children) {
        const name = this.names.name(id);
        walk(child, prefix === '' ? name : `${prefix};${name}`);
      }
    };
    const root = this.roots.get(group);
    if (root !== undefined) walk(root, '');
    lines.sort((a, b) => compareCodePoints(a[0], b[0]));
    return new Map(lines);
  }
}
