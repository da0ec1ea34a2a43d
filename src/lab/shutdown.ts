// The planned shutdown a lab is configured for: the kubelet's graceful node shutdown, with the same
// periods Talos uses by default (30 s for the node, the last 10 s of it for critical pods). Talos
// nodes have it out of the box; Drover renders it for k3s nodes on volatile hosts (the ones that are
// switched off as planned), and what-if reads the same numbers for how long a planned restart takes.
export const GRACEFUL_SHUTDOWN = { periodSeconds: 30, criticalPodsSeconds: 10 } as const;

/** How long a hypervisor waits for a VM node to shut down (Proxmox startup down=, libvirt-guests SHUTDOWN_TIMEOUT): the kubelet's grace period and a margin for the guest OS to stop. */
export const GUEST_SHUTDOWN_TIMEOUT_SECONDS = GRACEFUL_SHUTDOWN.periodSeconds + 90;
