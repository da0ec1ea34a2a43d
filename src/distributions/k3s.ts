// k3s: lightweight Kubernetes on a Linux install (Debian cloud image + cloud-init). Capabilities as
// k3s's defaults set them.
import type { Capabilities } from "./contract.js";
import { DEFAULT_KUBERNETES, defaultK3s } from "../versions/defaults.js";

const MI = 2 ** 20;

export const k3s: Capabilities = {
  name: "k3s",
  title: "k3s",
  summary: "lightweight, on a Linux install",
  version: { field: "k3sVersion", starter: defaultK3s(DEFAULT_KUBERNETES) },
  release: { key: "k3s", depName: "k3s-io/k3s", tagPrefixV: false, listed: "after-kubernetes" },
  patches: "k3s-config",
  wireguardEndpointIpOnly: false,
  defaultCni: "flannel",
  // no system reservation; the kubelet's 100Mi hard-eviction threshold
  systemReserved: { cpuMillis: 0, memoryBytes: 100 * MI },
  // k3s servers carry no taint by default
  taintsControlPlanes: false,
  gracefulShutdown: {
    on: "volatile-hosts",
    elsewhere: "k3s's kubelet has no graceful node shutdown (shutdownGracePeriod is 0; Drover sets it only on volatile hosts): the node just stops answering",
  },
  publicAddressIp: { family: "any", why: "k3s takes the node's public address as node-external-ip, an IP address" },
  upgrade: { os: false, kubernetes: "node-by-node" },
  osCertificateAuthority: false,
  // Debian's nut-server and nut-client packages
  nut: { server: true, timers: true, settings: "files" },
  // k3s registers the nvidia runtime when it finds NVIDIA's Container Toolkit on the machine
  nvidiaRuntime: { rendered: false, install: "NVIDIA's driver and Container Toolkit (nvidia-driver, nvidia-container-toolkit) on the machine before k3s starts; k3s then registers the nvidia runtime" },
};
