// A Talos lab for the upgrade tests and bench: `controlPlanes` control planes on their own hosts, then
// `workers` workers on hosts of two chassis per site over `sites` sites, every node a kwok node of the
// test control plane (the names match), plus a runner that "upgrades" a kwok node by changing the
// versions its Node reports (status.nodeInfo.osImage / kubeletVersion), the way a rebooted kubelet would.
import type { Client } from "../cluster/client.js";
import type { UpgradeRunner } from "../ops/upgrade/runner.js";
import type { NodeStep } from "../ops/upgrade/plan.js";
import type { TestNode } from "./cluster.js";
import { controlPlanesAndWorkers, labYaml, node, OPS_IDENTITY } from "./lab-builder.js";

export function upgradeLabYaml(o: { controlPlanes?: number; workers?: number; sites?: number; talosVersion?: string; kubernetesVersion?: string } = {}): string {
  const sites = o.sites ?? 1;
  const site = (i: number) => (i - 1) % sites;
  const { hosts, nodes } = controlPlanesAndWorkers({
    controlPlanes: o.controlPlanes ?? 3,
    workers: o.workers ?? 6,
    cpHost: () => ({ site: "s0", cpu: 8, memory: "16Gi", disk: "/dev/sda", size: "128Gi" }),
    cpAddress: (i) => `10.0.0.${10 + i}`,
    workerHost: (i) => ({ site: `s${site(i)}`, chassis: `s${site(i)}-c${Math.floor((i - 1) / sites) % 2}`, cpu: 8, memory: "16Gi", disk: "/dev/sda", size: "128Gi" }),
    workerNode: (i) => node({ name: `w${i}`, host: `hw${i}`, address: `10.${site(i)}.${1 + Math.floor(i / 200)}.${(i % 200) + 20}` }),
  });
  return labYaml({
    name: "uplab",
    cluster: ["distribution: talos", `kubernetesVersion: ${o.kubernetesVersion ?? "1.35.4"}`, `talosVersion: ${o.talosVersion ?? "1.12.6"}`, "endpoint: { address: 10.0.0.5 }", "domains: { private: lab.internal }"],
    sites: Array.from({ length: sites }, (_, s) => `{ name: s${s}, lan: 10.${s}.0.0/16, gateway: 10.${s}.0.1, nat: false }`),
    hosts,
    nodes,
    rest: `network:
  overlay: { subnet: 10.200.0.0/16 }
  loadBalancer: { pool: 10.0.255.1-10.0.255.50 }
${OPS_IDENTITY}`,
  });
}

/** The kwok nodes of that lab (control planes tainted like Talos's). */
export function upgradeLabNodes(o: { controlPlanes?: number; workers?: number } = {}): TestNode[] {
  const out: TestNode[] = [];
  for (let i = 1; i <= (o.controlPlanes ?? 3); i++) out.push({ name: `cp${i}`, cpu: "8", memory: "16Gi", labels: { "node-role.kubernetes.io/control-plane": "" }, taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] });
  for (let i = 1; i <= (o.workers ?? 6); i++) out.push({ name: `w${i}`, cpu: "8", memory: "16Gi", labels: { role: "worker" } });
  return out;
}

/** Sets the versions a kwok Node reports. */
export async function setNodeVersions(client: Client, node: string, v: { talos?: string; kubelet?: string }): Promise<void> {
  const nodeInfo: Record<string, string> = {};
  if (v.talos) nodeInfo.osImage = `Talos (v${v.talos.replace(/^v/, "")})`;
  if (v.kubelet) nodeInfo.kubeletVersion = v.kubelet;
  await client.patch({ apiVersion: "v1", kind: "Node", name: node }, { status: { nodeInfo } }, "merge", { subresource: "status" });
}

/** A runner for kwok nodes: each step makes the node report the step's version; `fail` makes chosen steps fail. */
export function kwokRunner(client: Client, o: { fail?: (s: NodeStep) => string | undefined; delayMs?: number } = {}): UpgradeRunner & { readonly ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    async node(step) {
      ran.push(step.node);
      const why = o.fail?.(step);
      if (why) throw new Error(why);
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      await setNodeVersions(client, step.node, step.kind === "talos" ? { talos: step.to } : { kubelet: step.to.startsWith("v") ? step.to : `v${step.to}` });
    },
  };
}
