// /etc/rancher/k3s/config.yaml for a node (keys are k3s's command-line flags without the dashes).
//
// - the first control plane starts the embedded etcd cluster (cluster-init); the others join it as
//   servers, agents join as agents, all with the lab's k3s token, through the first control plane:
//   on its LAN address from its own site, on its overlay address from other sites (their LANs do not
//   route to each other; a cloud node behind NAT reaches the home LAN only through the WireGuard mesh).
// - CNI: flannel with the wireguard-native backend (encrypted pod traffic) on port 51821, so it never
//   collides with Drover's own overlay on the same host (51820 by default). Across sites flannel talks
//   to each node's external IP: the public address of a cloud node, otherwise its overlay address
//   (flannel's tunnels then ride the Drover mesh, which already crosses NAT and relays).
//   With Cilium, flannel and k3s's network policy controller are off.
// - Drover brings its own load balancer and ingress controller: servicelb and traefik are disabled.
// - per-node patches from lab.yaml are merged last (maps merge, everything else replaces).
import type { Lab, Node } from "../../lab/types.js";
import { REGISTRY_MIRROR } from "../platform/registry.js";
import { toYaml } from "../tree.js";
import type { LabSecrets } from "../../secrets/types.js";
import { GRACEFUL_SHUTDOWN } from "../../lab/shutdown.js";

export const FLANNEL_WIREGUARD_PORT = 51821;
export const FLANNEL_CONF_PATH = "/etc/rancher/k3s/flannel-net-conf.json";
/** kubelet drop-in files (k3s ≥ 1.32 copies them under its own kubelet.conf.d, after its defaults) */
export const K3S_KUBELET_CONFIG_DIR = "/etc/rancher/k3s/kubelet.conf.d";
export const K3S_GRACEFUL_SHUTDOWN_PATH = `${K3S_KUBELET_CONFIG_DIR}/50-drover-graceful-shutdown.conf`;

/**
 * Graceful node shutdown for a k3s node on a volatile host: the kubelet (shutdownGracePeriod is 0,
 * off, by default) holds a systemd inhibitor lock and terminates the pods when the machine shuts
 * down, so their controllers replace them at once — StatefulSets too — instead of after the
 * 5-minute eviction (and never, for a StatefulSet, without out-of-service). undefined on other nodes.
 */
export function kubeletShutdownConf(n: Node): string | undefined {
  if (!n.volatile) return undefined;
  const conf = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    shutdownGracePeriod: `${GRACEFUL_SHUTDOWN.periodSeconds}s`,
    shutdownGracePeriodCriticalPods: `${GRACEFUL_SHUTDOWN.criticalPodsSeconds}s`,
  };
  return `# ${K3S_GRACEFUL_SHUTDOWN_PATH}, rendered by drover: graceful node shutdown (the host is switched off as planned)\n${toYaml(conf)}`;
}

export function firstControlPlane(lab: Lab): Node {
  const cp = lab.controlPlanes()[0];
  if (!cp) throw new Error("internal: a k3s lab without a control plane (drover check refuses it)");
  return cp;
}

/** True when the nodes span more than one site (flannel must then use external addresses). */
export function multiSite(lab: Lab): boolean {
  return new Set(lab.nodes.map((n) => n.site)).size > 1;
}

/** The address other sites reach this node's flannel tunnel on. */
export function externalAddress(lab: Lab, n: Node): string | undefined {
  const pub = n.publicAddress;
  if (pub) return pub;
  return multiSite(lab) ? n.overlayAddress : undefined;
}

/** Where `n` reaches the first control plane to join: its LAN address on the same site, else its overlay address. */
export function joinAddress(first: Node, n: Node): string {
  return n.site === first.site ? first.address : first.overlayAddress;
}

export function k3sConfig(lab: Lab, secrets: LabSecrets, n: Node): Record<string, unknown> {
  const first = firstControlPlane(lab);
  const server = n.role === "controlplane";
  const c: Record<string, unknown> = {};
  if (server && n.name === first.name) c["cluster-init"] = true;
  else c.server = `https://${joinAddress(first, n)}:${lab.endpoint.port}`;
  c.token = secrets.k3s.token;
  c["node-name"] = n.name;
  c["node-ip"] = n.address;
  const ext = externalAddress(lab, n);
  if (ext) c["node-external-ip"] = ext;
  c["node-label"] = Object.entries(n.labels).map(([k, v]) => `${k}=${v}`);
  if (n.taints.length) c["node-taint"] = n.taints.map((t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ""}:${t.effect}`);
  if (lab.cni === "flannel") c["flannel-conf"] = FLANNEL_CONF_PATH;
  if (kubeletShutdownConf(n)) c["kubelet-arg"] = [`config-dir=${K3S_KUBELET_CONFIG_DIR}`];
  if (server) {
    const sans = [lab.endpoint.address, n.address, n.overlayAddress, ...(ext && ext !== n.overlayAddress ? [ext] : [])];
    c["tls-san"] = [...new Set(sans)];
    c["https-listen-port"] = lab.endpoint.port;
    c["cluster-cidr"] = lab.podCIDR;
    c["service-cidr"] = lab.serviceCIDR;
    c["cluster-domain"] = "cluster.local";
    if (lab.cni === "flannel") {
      c["flannel-backend"] = "wireguard-native";
      if (multiSite(lab)) c["flannel-external-ip"] = true;
    } else {
      c["flannel-backend"] = "none";
      c["disable-network-policy"] = true;
    }
    const disable = ["traefik"];
    if (lab.loadBalancer.pool) disable.unshift("servicelb");
    c.disable = disable;
    c["secrets-encryption"] = true;
    c["write-kubeconfig-mode"] = "0600";
    c["etcd-expose-metrics"] = lab.monitoring.enabled;
  }
  let out: Record<string, unknown> = c;
  for (const p of n.patches) out = mergePatch(out, p);
  return out;
}

/** flannel's net-conf.json: the wireguard backend on its own port, keepalives for NATed nodes. */
export function flannelNetConf(lab: Lab): string {
  const conf = {
    Network: lab.podCIDR,
    EnableIPv4: true,
    EnableIPv6: false,
    Backend: { Type: "wireguard", Mode: "separate", ListenPort: FLANNEL_WIREGUARD_PORT, PersistentKeepaliveInterval: lab.overlay.keepalive },
  };
  return JSON.stringify(conf, null, 2) + "\n";
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function mergePatch(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? mergePatch(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/**
 * /etc/rancher/k3s/registries.yaml when the lab runs its registry mirror (network.registryMirror):
 * containerd pulls each upstream through the Zot mirror on the node's loopback NodePort, the image
 * name rewritten under the upstream's prefix there (the Talos nodes' RegistryMirrorConfig does the
 * same with a path); containerd falls back to the upstream itself while the mirror is not up.
 */
export function k3sRegistries(lab: Lab): string | undefined {
  if (!lab.network.registryMirror) return undefined;
  const mirrors: Record<string, unknown> = {};
  for (const name of Object.keys(REGISTRY_MIRROR.upstreams)) mirrors[name] = { endpoint: [REGISTRY_MIRROR.endpoint], rewrite: { "^(.*)$": `${name}/$1` } };
  return `# /etc/rancher/k3s/registries.yaml, rendered by drover: pull through the lab's registry mirror\n${toYaml({ mirrors })}`;
}

export const K3S_REGISTRIES_PATH = "/etc/rancher/k3s/registries.yaml";
