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
  private readonly root = newNode();

  constructor(readonly names: NameTable) {}

  /** Adds `ns` to the stack `ids`, root first. */
  add(ids: readonly number[], ns: number): void {
    let node = this.root;
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
   * Folded stacks, `frame;frame;…` → microseconds (each stack's nanoseconds floored once), without
   * zero counts, in code point (byte) order.
   */
  toFolded(): Map<string, number> {
    const lines: [string, number][] = [];
    const walk = (node: TrieNode, prefix: string): void => {
      const us = Math.floor(node.selfNs / 1000);
      if (us > 0 && prefix !== '') lines.push([prefix, us]);
      if (node.children === undefined) return;
      for (const [id, child] of node.children) {
        const name = this.names.name(id);
        walk(child, prefix === '' ? name : `${prefix};${name}`);
      }
    };
    walk(this.root, '');
    lines.sort((a, b) => compareCodePoints(a[0], b[0]));
    return new Map(lines);
  }
}
