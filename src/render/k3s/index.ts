// Render target for Debian nodes running k3s (distribution: k3s), one folder per node:
//   k3s/<node>/config.yaml       /etc/rancher/k3s/config.yaml (secret: the cluster token)
//   k3s/<node>/user-data         cloud-init user-data (secret: token and WireGuard key)
//   k3s/<node>/meta-data         cloud-init NoCloud meta-data
//   k3s/<node>/network-config    cloud-init network config v2: the static LAN address
//   (nodes on volatile hosts also get a kubelet drop-in for graceful node shutdown, in user-data)
//   k3s/<first server>/rotate-ca/ during `drover keys rotate kubernetes-ca` (rotate-ca.ts): the new CAs (secret)
//   k3s/registries.yaml          /etc/rancher/k3s/registries.yaml with network.registryMirror (also in user-data)
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { addFile, toYaml, tree, type FileTree } from "../tree.js";
import { nodeInterfaces } from "../wireguard/mesh.js";
import { wgQuickConf } from "../wireguard/conf.js";
import { FLANNEL_CONF_PATH, K3S_GRACEFUL_SHUTDOWN_PATH, K3S_REGISTRIES_PATH, flannelNetConf, k3sConfig, k3sRegistries, kubeletShutdownConf } from "./config.js";
import { renderRotateCa } from "./rotate-ca.js";
import { K3S_INSTALL_PATH, K3S_INSTALL_SCRIPT, metaData, networkConfig, userData } from "./cloud-init.js";

export function renderK3s(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  if (lab.distribution !== "k3s") return t;
  const registries = k3sRegistries(lab);
  if (registries) addFile(t, "registries.yaml", registries);
  const wg = new Map(nodeInterfaces(lab, secrets).map((i) => [i.id.slice("node/".length), i]));
  for (const n of lab.nodes) {
    const config = `# /etc/rancher/k3s/config.yaml for ${n.name} (k3s ${n.role === "controlplane" ? "server" : "agent"}), rendered by drover\n${toYaml(k3sConfig(lab, secrets, n))}`;
    addFile(t, `${n.name}/config.yaml`, config, { secret: true });
    const shutdown = kubeletShutdownConf(n);
    const files = [
      { path: "/etc/rancher/k3s/config.yaml", content: config, permissions: "0600" },
      ...(lab.cni === "flannel" ? [{ path: FLANNEL_CONF_PATH, content: flannelNetConf(lab), permissions: "0644" }] : []),
      ...(registries ? [{ path: K3S_REGISTRIES_PATH, content: registries, permissions: "0644" }] : []),
      ...(shutdown ? [{ path: K3S_GRACEFUL_SHUTDOWN_PATH, content: shutdown, permissions: "0644" }] : []),
      { path: "/etc/wireguard/wg0.conf", content: wgQuickConf(wg.get(n.name)!, "Drover WireGuard overlay, rendered by drover"), permissions: "0600" },
      { path: K3S_INSTALL_PATH, content: K3S_INSTALL_SCRIPT, permissions: "0755" },
    ];
    addFile(t, `${n.name}/user-data`, userData(lab, n, files, secrets.ssh?.admin.publicKey), { secret: true });
    addFile(t, `${n.name}/meta-data`, metaData(lab, n));
    addFile(t, `${n.name}/network-config`, networkConfig(lab, n));
  }
  renderRotateCa(t, lab, secrets);
  return t;
}
