// The commands that bring a machine into the lab, or take one out, printed for the operator (Drover
// cannot power on a machine or reach one that has no config yet). Paths are relative to the working
// folder, as the operator would type them. Each distribution says its own steps (its render/<name>/
// distribution.ts); this file asks it.
import { join, relative } from "node:path";
import type { Lab, Node } from "../lab/types.js";
import type { FileTree } from "../render/tree.js";
import { distributionOf, type Output, type Step } from "../render/distributions.js";

export type { Step } from "../render/distributions.js";

function output(t: FileTree, outDir: string): Output {
  return { tree: t, path: (p) => relative(process.cwd(), join(outDir, p)) || p };
}

/** The node's own config file: its Talos machine config, or its k3s cloud-init user-data. */
export function nodeConfigFile(lab: Lab, t: FileTree, node: string): string | undefined {
  return distributionOf(lab).nodeConfigFile(t, node);
}

/** Steps after `node add`: bring the machine in, then refresh the peers whose config changed. */
export function bringInSteps(lab: Lab, node: Node, t: FileTree, outDir: string, peers: ReadonlyMap<string, readonly string[]>): Step[] {
  return [...distributionOf(lab).bringIn(lab, node, output(t, outDir)), ...peerUpdateSteps(lab, t, outDir, peers)];
}

/** Refreshing the peers whose rendered config changed (their WireGuard peer list). */
export function peerUpdateSteps(lab: Lab, t: FileTree, outDir: string, peers: ReadonlyMap<string, readonly string[]>): Step[] {
  const out = output(t, outDir);
  const peerCmds: string[] = [];
  for (const [peer, files] of peers) {
    const n = lab.nodes.find((x) => x.name === peer);
    if (!n) continue;
    const cmd = distributionOf(lab).peerUpdate(lab, n, files, out);
    if (cmd) peerCmds.push(cmd);
  }
  return peerCmds.length ? [{ title: `update the ${peerCmds.length} peer${peerCmds.length === 1 ? "" : "s"} whose WireGuard peer list changed (applied live, no reboot)`, commands: peerCmds }] : [];
}

/** etcd member removal for a control plane, as the distribution does it. */
export function etcdRemovalSteps(lab: Lab, node: Node, t: FileTree, outDir: string): Step[] {
  return distributionOf(lab).etcdRemoval(lab, node, output(t, outDir));
}

/** Wiping the machine after it left. */
export function wipeSteps(lab: Lab, node: Node, t: FileTree, outDir: string): Step[] {
  return distributionOf(lab).wipe(lab, node, output(t, outDir));
}
