// Small labs for the `drover up` tests: Talos (three control planes and a worker, each with its MAC)
// and k3s (one server, one agent). Few apps, so a render and a Flux install stay quick.
import { host, labYaml, node } from "./lab-builder.js";

export function upTalosLabYaml(name = "uplab"): string {
  return labYaml({
    name,
    cluster: ["distribution: talos", "kubernetesVersion: 1.35.4", "endpoint: { address: 192.168.30.10 }", "domains: { private: home.arpa }"],
    sites: ["{ name: home, lan: 192.168.30.0/24, gateway: 192.168.30.1, dns: [192.168.30.1] }"],
    hosts: [1, 2, 3, 4].map((i) => host({ name: `h${i}`, site: "home", cpu: 8, memory: "32Gi", disk: "/dev/nvme0n1", size: "1Ti", type: "nvme" })),
    nodes: [
      ...[1, 2, 3].map((i) => node({ name: `cp${i}`, host: `h${i}`, role: "controlplane", address: `192.168.30.1${i}`, mac: `52:54:00:30:00:1${i}` })),
      node({ name: "w1", host: "h4", role: "worker", address: "192.168.30.21", mac: "52:54:00:30:00:21" }),
    ],
  });
}

export function upK3sLabYaml(name = "upk3s"): string {
  return labYaml({
    name,
    cluster: ["distribution: k3s", "k3sVersion: v1.35.4+k3s1", "endpoint: { address: 192.168.40.11, vip: false }", "domains: { private: home.arpa }"],
    sites: ["{ name: home, lan: 192.168.40.0/24, gateway: 192.168.40.1, dns: [192.168.40.1] }"],
    hosts: [1, 2].map((i) => host({ name: `h${i}`, site: "home", cpu: 8, memory: "32Gi", disk: "/dev/sda", size: "512Gi" })),
    nodes: [
      node({ name: "srv1", host: "h1", role: "controlplane", address: "192.168.40.11", mac: "52:54:00:40:00:11" }),
      node({ name: "agent1", host: "h2", role: "worker", address: "192.168.40.21", mac: "52:54:00:40:00:21" }),
    ],
  });
}
