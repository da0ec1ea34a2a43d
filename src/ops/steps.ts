// The commands that bring a machine into the lab, or take one out, printed for the operator (Drover
// cannot power on a machine or reach one that has no config yet). Paths are relative to the working
// folder, as the operator would type them.
import { join, relative } from "node:path";
import type { Lab, Node } from "../lab/types.js";
import type { FileTree } from "../render/tree.js";
import { nodeFiles } from "./tree-diff.js";
import { APPLY_WG0 } from "../render/wireguard/conf.js";

export interface Step {
  readonly title: string;
  readonly commands: readonly string[];
}

const rel = (outDir: string, p: string) => relative(process.cwd(), join(outDir, p)) || p;

function talosconfigPath(t: FileTree, outDir: string): string | undefined {
  const p = [...t.keys()].find((x) => x === "talos/talosconfig" || x.endsWith("/talosconfig"));
  return p ? rel(outDir, p) : undefined;
}

/** The node's own config file: its Talos machine config, or its k3s cloud-init user-data. */
export function nodeConfigFile(lab: Lab, t: FileTree, node: string): string | undefined {
  if (lab.distribution === "talos") return nodeFiles(t, node, "talos").find((p) => p.endsWith(".yaml"));
  const files = nodeFiles(t, node, "k3s");
  return files.find((p) => /user-data/.test(p)) ?? files[0];
}

/** Steps after `node add`: bring the machine in, then refresh the peers whose config changed. */
export function bringInSteps(lab: Lab, node: Node, t: FileTree, outDir: string, peers: ReadonlyMap<string, readonly string[]>): Step[] {
  const steps: Step[] = [];
  const own = nodeConfigFile(lab, t, node.name);
  if (lab.distribution === "talos") {
    steps.push({
      title: `boot ${node.name} (${node.kind} on ${node.host}) from the Talos ${lab.talosVersion} image for ${node.arch}; it waits in maintenance mode at ${node.address}`,
      commands: [],
    });
    steps.push({
      title: `send ${node.name} its machine config (maintenance mode accepts it without credentials)`,
      commands: [own ? `talosctl apply-config --insecure --nodes ${node.address} --file ${rel(outDir, own)}` : `talosctl apply-config --insecure --nodes ${node.address} --file <the node's config under ${rel(outDir, "talos")}>`],
    });
  } else {
    steps.push({
      title: `boot ${node.name} (${node.kind} on ${node.host}) with this cloud-init user-data (NoCloud seed: cloud-localds seed.img user-data, or your hypervisor's cloud-init drive); it installs k3s ${lab.k3sVersion} and joins`,
      commands: own ? [`cloud-localds --network-config ${rel(outDir, own.replace(/user-data$/, "network-config"))} ${node.name}-seed.img ${rel(outDir, own)} ${rel(outDir, own.replace(/user-data$/, "meta-data"))}`] : [],
    });
  }
  steps.push(...peerUpdateSteps(lab, t, outDir, peers));
  return steps;
}

/** Refreshing the peers whose rendered config changed (their WireGuard peer list). */
export function peerUpdateSteps(lab: Lab, t: FileTree, outDir: string, peers: ReadonlyMap<string, readonly string[]>): Step[] {
  const tc = talosconfigPath(t, outDir);
  const peerCmds: string[] = [];
  for (const [peer, files] of peers) {
    const n = lab.nodes.find((x) => x.name === peer);
    if (!n) continue;
    if (lab.distribution === "talos") {
      const cfg = files.find((f) => f.startsWith("talos/") && f.endsWith(".yaml"));
      if (cfg) peerCmds.push(`talosctl ${tc ? `--talosconfig ${tc} ` : ""}apply-config --nodes ${n.address} --file ${rel(outDir, cfg)}`);
    } else {
      const wg = files.find((f) => f.startsWith("wireguard/") && f.endsWith("wg0.conf"));
      if (wg) peerCmds.push(`scp ${rel(outDir, wg)} root@${n.address}:/etc/wireguard/wg0.conf && ssh root@${n.address} '${APPLY_WG0.replaceAll("'", "'\\''")}'`);
    }
  }
  return peerCmds.length ? [{ title: `update the ${peerCmds.length} peer${peerCmds.length === 1 ? "" : "s"} whose WireGuard peer list changed (applied live, no reboot)`, commands: peerCmds }] : [];
}

/** etcd member removal for a control plane, as the distribution does it. */
export function etcdRemovalSteps(lab: Lab, node: Node, t: FileTree, outDir: string): Step[] {
  const other = lab.controlPlanes().find((n) => n.name !== node.name);
  const tc = talosconfigPath(t, outDir);
  const tcFlag = tc ? `--talosconfig ${tc} ` : "";
  if (lab.distribution === "talos") {
    return [
      { title: `take ${node.name} out of etcd while it still runs (it leaves cleanly)`, commands: [`talosctl ${tcFlag}--nodes ${node.address} etcd leave`] },
      ...(other
        ? [{
          title: `or, if ${node.name} is already off: find its member ID and remove it through ${other.name}`,
          commands: [`talosctl ${tcFlag}--nodes ${other.address} etcd members`, `talosctl ${tcFlag}--nodes ${other.address} etcd remove-member <ID of ${node.name}>`],
        }]
        : []),
    ];
  }
  return [{
    title: `k3s removes ${node.name}'s etcd member when its Node object is deleted (done by drover with --kubeconfig); then stop k3s on the machine so it cannot rejoin`,
    commands: [`ssh root@${node.address} /usr/local/bin/k3s-uninstall.sh`],
  }];
}

/** Wiping the machine after it left. */
export function wipeSteps(lab: Lab, node: Node, t: FileTree, outDir: string): Step[] {
  const tc = talosconfigPath(t, outDir);
  if (lab.distribution === "talos") {
    return [{ title: `wipe ${node.name} (it keeps its old keys otherwise)`, commands: [`talosctl ${tc ? `--talosconfig ${tc} ` : ""}--nodes ${node.address} reset --graceful=false --reboot`] }];
  }
  return node.role === "controlplane" ? [] : [{ title: `uninstall k3s from ${node.name}`, commands: [`ssh root@${node.address} /usr/local/bin/k3s-agent-uninstall.sh`] }];
}
