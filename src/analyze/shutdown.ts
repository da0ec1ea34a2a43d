// Whether a planned shutdown of a node's host is a graceful node shutdown — the kubelet hears of it,
// terminates the pods and marks them so their controllers replace them at once (StatefulSets too) —
// or, to Kubernetes, just a node that stopped answering.
//   - The distribution's capabilities say where the kubelet's graceful node shutdown is on: on every
//     node (Talos: shutdownGracePeriod 30s, 10s of it for critical pods, by default), or only on the
//     nodes of volatile hosts, where Drover renders it (k3s: its default is 0, disabled; Drover sets it,
//     lab/shutdown.ts, in a kubelet drop-in), so the others just stop answering.
//   - A VM node on a libvirt host: on host shutdown libvirt-guests suspends its guests by default
//     (ON_SHUTDOWN=suspend, a managed save): the guest's kubelet never hears of it. Drover renders
//     libvirt/<host>/libvirt-guests (ON_SHUTDOWN=shutdown), so with it installed the VMs shut down;
//     the report says it assumes so. Proxmox shuts its guests down (ACPI) when the host stops.
import type { Lab, Node } from "../lab/types.js";

/** undefined when a planned shutdown of the node's host is graceful; else why it is not */
export function ungracefulOnPlannedShutdown(lab: Lab, n: Node): string | undefined {
  const g = lab.capabilities.gracefulShutdown;
  if (g.on === "volatile-hosts" && !n.volatile) return g.elsewhere;
  return undefined;
}

/** What a planned shutdown of these nodes takes for granted (the rendered host-side settings installed). */
export function plannedShutdownAssumes(lab: Lab, nodes: readonly Node[]): string[] {
  const hosts = [...new Set(nodes.filter((n) => n.kind === "vm" && lab.host(n.host).hypervisor === "libvirt").map((n) => n.host))].sort();
  return hosts.map((h) => `libvirt/${h}/libvirt-guests is installed on ${h} (ON_SHUTDOWN=shutdown); with libvirt's default it suspends the VMs, an ungraceful loss (see --down)`);
}
