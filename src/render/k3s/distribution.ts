// k3s's side of the distribution contract (render/distribution-contract.ts): cloud-init seeds on a
// Debian cloud image, the cluster endpoint for Cilium, and the ssh/systemctl steps.
import { randomBytes } from "node:crypto";
import type { DistributionRenderer } from "../distribution-contract.js";
import { controlPlanesFirst } from "../distribution-contract.js";
import { nodeFiles } from "../tree.js";
import { renderK3s } from "./index.js";
import { APPLY_WG0 } from "../wireguard/conf.js";
import { rotateK3sKubernetesCa } from "./rotate-ca.js";

/** The Debian cloud image k3s nodes boot (cloud-init installs k3s on it). */
export const DEBIAN_IMAGE = {
  amd64: "https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2",
  arm64: "https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-arm64.qcow2",
} as const;

export const k3sRenderer: DistributionRenderer = {
  name: "k3s",
  targets: [["k3s", renderK3s]],
  // no node-local API balancer: the agents reach the cluster endpoint
  ciliumValues: (lab) => ({ k8sServiceHost: lab.endpoint.address, k8sServicePort: lab.endpoint.port }),
  vmBoot(lab, node) {
    const url = DEBIAN_IMAGE[node.arch];
    // the k3s renderer's cloud-init files (k3s/<node>/user-data, network-config), as Proxmox snippets
    return { kind: "debian-cloud-image", url, file: url.slice(url.lastIndexOf("/") + 1), userData: `${lab.name}-${node.name}-user-data.yaml`, networkConfig: `${lab.name}-${node.name}-network-config.yaml` };
  },
  nodeConfigFile(t, node) {
    const files = nodeFiles(t, node, "k3s");
    return files.find((p) => /user-data/.test(p)) ?? files[0];
  },
  bootSteps: (_lab, rel) => [`boot each node with its cloud-init seed in ${rel}/k3s/<node>/ (NoCloud: user-data, meta-data, network-config)`],
  bringIn(lab, node, out) {
    const own = this.nodeConfigFile(out.tree, node.name);
    return [{
      title: `boot ${node.name} (${node.kind} on ${node.host}) with this cloud-init user-data (NoCloud seed: cloud-localds seed.img user-data, or your hypervisor's cloud-init drive); it installs k3s ${lab.k3sVersion} and joins`,
      commands: own ? [`cloud-localds --network-config ${out.path(own.replace(/user-data$/, "network-config"))} ${node.name}-seed.img ${out.path(own)} ${out.path(own.replace(/user-data$/, "meta-data"))}`] : [],
    }];
  },
  peerUpdate(_lab, node, files, out) {
    const wg = files.find((f) => f.startsWith("wireguard/") && f.endsWith("wg0.conf"));
    return wg ? `scp ${out.path(wg)} root@${node.address}:/etc/wireguard/wg0.conf && ssh root@${node.address} '${APPLY_WG0.replaceAll("'", "'\\''")}'` : undefined;
  },
  etcdRemoval: (_lab, node) => [{
    title: `k3s removes ${node.name}'s etcd member when its Node object is deleted (done by drover with --kubeconfig); then stop k3s on the machine so it cannot rejoin`,
    commands: [`ssh root@${node.address} /usr/local/bin/k3s-uninstall.sh`],
  }],
  wipe: (_lab, node) => (node.role === "controlplane" ? [] : [{ title: `uninstall k3s from ${node.name}`, commands: [`ssh root@${node.address} /usr/local/bin/k3s-agent-uninstall.sh`] }]),
  // wg0.conf applied with `wg syncconf` (and the idempotent PostUp commands): the interface and unchanged sessions stay up
  wireguardRollout: (_lab, node) => ({ node, file: `wireguard/${node}/wg0.conf`, action: `copy to /etc/wireguard/wg0.conf (mode 0600), then as root in bash: ${APPLY_WG0}` }),
  rotateJoinToken(s, lab) {
    const first = lab.controlPlanes()[0]?.name;
    return {
      secrets: { ...s, k3s: { token: randomBytes(32).toString("hex") } },
      changed: ["k3s token"],
      rollout: controlPlanesFirst(lab).map((n) => ({
        node: n.name,
        file: `k3s/${n.name}/config.yaml`,
        action: `${n.name === first ? "k3s token rotate --new-token <the token: of this file>, then " : ""}copy to /etc/rancher/k3s/config.yaml, then: systemctl restart ${n.role === "controlplane" ? "k3s" : "k3s-agent"}`,
      })),
      notes: [`k3s accepts the old token until ${first} has rotated it; servers first, then agents`],
    };
  },
  rotateKubernetesCa: rotateK3sKubernetesCa,
};
