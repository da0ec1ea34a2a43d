// Talos Linux: immutable, API-managed. Capabilities as Talos's defaults set them.
import type { Capabilities } from "./contract.js";
import { DEFAULT_TALOS } from "../versions/defaults.js";

const MI = 2 ** 20;

export const talos: Capabilities = {
  name: "talos",
  title: "Talos",
  summary: "immutable, API-managed",
  version: { field: "talosVersion", starter: DEFAULT_TALOS, oldest: { release: [1, 12], why: "multi-document network configuration", upgrade: "talosctl upgrade" } },
  release: { key: "talos", depName: "siderolabs/talos", tagPrefixV: true, listed: "before-kubernetes" },
  patches: "talos-machine-config",
  wireguardEndpointIpOnly: true,
  publicAddressIp: { family: "ipv4", why: "Talos's WireGuard peers take an address, not a DNS name" },
  defaultCni: "cilium",
  // machine.kubelet defaults: 50m CPU / 192Mi system-reserved, and the 100Mi hard-eviction threshold
  systemReserved: { cpuMillis: 50, memoryBytes: 192 * MI + 100 * MI },
  taintsControlPlanes: true,
  // shutdownGracePeriod 30s (10s of it for critical pods) by default
  gracefulShutdown: { on: "every-node" },
  upgrade: { os: true, kubernetes: "cluster-command" },
  osCertificateAuthority: true,
  // the nut-client system extension runs upsmon only
  nut: { server: false, timers: false, settings: "node-config" },
  // the nonfree-kmod-nvidia and nvidia-container-toolkit extensions in the node's schematic
  nvidiaRuntime: { rendered: true },
};
