// Whether a planned shutdown of a node's host is a graceful node shutdown — the kubelet hears of it,
// terminates the pods and marks them so their controllers replace them at once (StatefulSets too) —
// or, to Kubernetes, just a node that stopped answering.
//   - Talos enables the kubelet's graceful node shutdown by default (shutdownGracePeriod 30s, 10s of
//     it for critical pods).
//   - k3s: the kubelet's shutdownGracePeriod defaults to 0 (disabled); Drover sets it (lab/shutdown.ts)
//     on the nodes of volatile hosts only (src/render/k3s: a kubelet drop-in), so always-on hosts' k3s
//     nodes just stop answering.
//   - A VM node on a libvirt host: on host shutdown libvirt-guests suspends its guests by default
//     (ON_SHUTDOWN=suspend, a managed save): the guest's kubelet never hears of it. Proxmox shuts its
//     guests down (ACPI) when the host stops, which the guest's kubelet sees as a shutdown.
import type { Lab, Node } from "../lab/types.js";

/** undefined when a planned shutdown of the node's host is graceful; else why it is not */
export function ungracefulOnPlannedShutdown(lab: Lab, n: Node): string | undefined {
  if (lab.distribution === "k3s" && !n.volatile) return "k3s's kubelet has no graceful node shutdown (shutdownGracePeriod is 0; Drover sets it only on volatile hosts): the node just stops answering";
  if (n.kind === "vm" && lab.host(n.host).hypervisor === "libvirt") {
    return `libvirt suspends its guests when host ${n.host} shuts down (libvirt-guests ON_SHUTDOWN=suspend by default): their kubelets never hear of it; set ON_SHUTDOWN=shutdown and SHUTDOWN_TIMEOUT=120 in /etc/default/libvirt-guests (or /etc/sysconfig/libvirt-guests) on ${n.host}`;
  }
  return undefined;
}
