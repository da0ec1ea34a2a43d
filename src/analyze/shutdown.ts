// Whether a planned shutdown of a node's host is a graceful node shutdown — the kubelet hears of it,
// terminates the pods and marks them so their controllers replace them at once (StatefulSets too) —
// or, to Kubernetes, just a node that stopped answering.
//   - Talos enables the kubelet's graceful node shutdown by default (shutdownGracePeriod 30s, 10s of
//     it for critical pods).
//   - k3s: the kubelet's shutdownGracePeriod defaults to 0 (disabled); Drover sets it (lab/shutdown.ts)
//     on the nodes of volatile hosts only (src/render/k3s: a kubelet drop-in), so always-on hosts' k3s
//     nodes just stop answering.
//   - A VM node on a libvirt host: on host shutdown libvirt-guests suspends its guests by default
//     (ON_SHUTDOWN=suspend, a managed save): the guest's kubelet never hears of it. Drover renders
//     libvirt/<host>/libvirt-guests (ON_SHUTDOWN=shutdown), so with it installed the VMs shut down;
//     the report says it assumes so. Proxmox shuts its guests down (ACPI) when the host stops.
import type { Lab, Node } from "../lab/types.js";

/** undefined when a planned shutdown of the node's host is graceful; else why it is not */
export function ungracefulOnPlannedShutdown(lab: Lab, n: Node): string | undefined {
  if (lab.distribution === "k3s" && !n.volatile) return "k3s's kubelet has no graceful node shutdown (shutdownGracePeriod is 0; Drover sets it only on volatile hosts): the node just stops answering";
  return undefined;
}

/** What a planned shutdown of these nodes takes for granted (the rendered host-side settings installed). */
export function plannedShutdownAssumes(lab: Lab, nodes: readonly Node[]): string[] {
  const hosts = [...new Set(nodes.filter((n) => n.kind === "vm" && lab.host(n.host).hypervisor === "libvirt").map((n) => n.host))].sort();
  return hosts.map((h) => `libvirt/${h}/libvirt-guests is installed on ${h} (ON_SHUTDOWN=shutdown); with libvirt's default it suspends the VMs, an ungraceful loss (see --down)`);
}
