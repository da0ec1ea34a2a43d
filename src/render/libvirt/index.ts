// Lab → libvirt/<host>/libvirt-guests for every libvirt host that runs Kubernetes VM nodes: the
// libvirt-guests service settings that shut those VMs down when the host shuts down (their kubelets
// then terminate the pods gracefully, and Kubernetes replaces them at once) instead of suspending
// them — libvirt's default (ON_SHUTDOWN=suspend, a managed save), which Kubernetes sees as a lost
// node: Deployments come back after the 5-minute eviction, StatefulSets not until the node returns.
// Install as /etc/default/libvirt-guests (Debian, Ubuntu) or /etc/sysconfig/libvirt-guests (Fedora,
// RHEL); on NixOS set virtualisation.libvirtd.onShutdown = "shutdown" and shutdownTimeout to the same.
import type { Host, Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { GUEST_SHUTDOWN_TIMEOUT_SECONDS } from "../../lab/shutdown.js";
import { addFile, tree, type FileTree } from "../tree.js";

/** How long libvirt waits for its guests (lab/shutdown.ts). */
export const LIBVIRT_SHUTDOWN_TIMEOUT = GUEST_SHUTDOWN_TIMEOUT_SECONDS;

export function libvirtGuests(lab: Lab, host: Host): string {
  const vms = lab.nodes.filter((n) => n.host === host.name && n.kind === "vm").map((n) => n.name);
  const parallel = Math.max(1, vms.length + host.guests.length);
  return [
    `# libvirt-guests settings for host ${host.name}, rendered by drover. Install as /etc/default/libvirt-guests`,
    "# (Debian, Ubuntu) or /etc/sysconfig/libvirt-guests (Fedora, RHEL); on NixOS use",
    `# virtualisation.libvirtd.onShutdown = "shutdown"; virtualisation.libvirtd.shutdownTimeout = ${LIBVIRT_SHUTDOWN_TIMEOUT};`,
    `# Kubernetes VM nodes here: ${vms.join(", ")}. Shutting them down (not suspending them) lets their kubelets`,
    "# stop the pods gracefully, so Kubernetes restarts them elsewhere at once, StatefulSets included.",
    "ON_BOOT=start",
    "ON_SHUTDOWN=shutdown",
    `SHUTDOWN_TIMEOUT=${LIBVIRT_SHUTDOWN_TIMEOUT}`,
    `PARALLEL_SHUTDOWN=${parallel}`,
    "",
  ].join("\n");
}

/** The libvirt hosts whose guests Drover's settings shut down: those with Kubernetes VM nodes. */
export const libvirtHostsWithNodes = (lab: Lab): Host[] =>
  lab.hosts.filter((h) => h.hypervisor === "libvirt" && lab.nodes.some((n) => n.host === h.name && n.kind === "vm"));

export function renderLibvirt(lab: Lab, _secrets: LabSecrets): FileTree {
  const t = tree();
  for (const host of libvirtHostsWithNodes(lab)) addFile(t, `${host.name}/libvirt-guests`, libvirtGuests(lab, host));
  return t;
}
