/** Folded stacks → the nested `{name, value, children}` tree that d3-flame-graph draws. */
import { compareCodePoints } from '../../util/codePointOrder.js';
import type { FrameKind } from '../../stacks/frameKind.js';

export interface FlameNode {
  name: string;
  /** Sum of every stack through this frame (children plus the stacks that end here), in the input unit. */
  value: number;
  /** Absent on the root. */
  kind?: FrameKind;
  /** Absent on leaves; sorted by name in code point order, as flamegraph.pl sorts. */
  children?: FlameNode[];
}

export const ROOT_NAME = 'all';

interface Building {
  node: FlameNode;
  children: Map<string, Building> | undefined;
}

export function buildHierarchy(stacks: ReadonlyMap<string, number>, kindOf: (name: string) => FrameKind): FlameNode {
  const root: Building = { node: { name: ROOT_NAME, value: 0 }, children: undefined };
  // Each distinct name is classified once, not once per node.
  const kinds = new Map<string, FrameKind>();
  for (const [stack, value] of stacks) {
    root.node.value += value;
    let parent = root;
    for (const name of stack.split(';')) {
      parent.children ??= new Map();
      let child = parent.children.get(name);
      if (child === undefined) {
        let kind = kinds.get(name);
        if (kind === undefined) {
          kind = kindOf(name);
          kinds.set(name, kind);
        }
        child = { node: { name, value: 0, kind }, children: undefined };
        parent.children.set(name, child);
      }
      child.node.value += value;
      parent = child;
    }
  }
  return finish(root);
}

function finish(building: Building): FlameNode {
  if (building.children !== undefined) {
    building.node.children = [...building.children.values()]
      .sort((a, b) => compareCodePoints(a.node.name, b.node.name))
      .map(finish);
  }
  return building.node;
}
