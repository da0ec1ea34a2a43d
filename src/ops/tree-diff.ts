// What a node operation changes in the rendered tree, and which node each changed file belongs to.
import { nodeOfPath, type FileTree } from "../render/tree.js";

export { nodeOfPath, nodeFiles } from "../render/tree.js";
import type { Lab } from "../lab/types.js";

export interface TreeDiff {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export function diffTrees(before: FileTree, after: FileTree): TreeDiff {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [p, f] of after) {
    const old = before.get(p);
    if (!old) added.push(p);
    else if (old.content !== f.content) changed.push(p);
  }
  for (const p of before.keys()) if (!after.has(p)) removed.push(p);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

/** Changed or added files grouped by the node they configure (other than `except`). */
export function filesByNode(diff: TreeDiff, lab: Lab, except?: string): Map<string, string[]> {
  const names = lab.nodes.map((n) => n.name);
  const out = new Map<string, string[]>();
  for (const p of [...diff.added, ...diff.changed]) {
    const n = nodeOfPath(p, names);
    if (n && n !== except) out.set(n, [...(out.get(n) ?? []), p]);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
