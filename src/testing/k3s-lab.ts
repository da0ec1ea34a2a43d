// A k3s lab on Debian for the k3s renderer's tests: three servers (the first starts etcd), a GPU
// agent with a taint (on a volatile gaming PC), a node with a per-node patch, and a cloud agent on another site.
import type { Lab } from "../lab/types.js";
import { loadTestLab } from "./apps-lab.js";
import { host, labYaml, node } from "./lab-builder.js";

export function k3sLabYaml(o: { cni?: "flannel" | "cilium"; registryMirror?: boolean } = {}): string {
  const vm = (i: number, extra?: string) => node({ name: `srv${i}`, host: "pve1", kind: "vm", role: "controlplane", cpu: 4, memory: "8Gi", address: `192.168.20.1${i}`, mac: `52:54:00:20:00:1${i}`, ...(extra ? { extra } : {}) });
  return labYaml({
    name: "debby",
    cluster: ["distribution: k3s", "k3sVersion: v1.35.4+k3s1", "endpoint: { address: k3s.debby.example.net }", "domains: { public: debby.example.net, private: debby.internal }", ...(o.cni ? [`cni: ${o.cni}`] : [])],
    sites: ["{ name: home, lan: 192.168.20.0/24, gateway: 192.168.20.1, dns: [192.168.20.53], endpoint: home.debby.example.net }", "{ name: hetzner, kind: cloud, lan: 10.0.0.0/24, gateway: 10.0.0.1, nat: false }"],
    hosts: [
      host({ name: "pve1", site: "home", cpu: 16, memory: "64Gi", extra: "hypervisor: proxmox", disk: "/dev/nvme0n1", size: "1Ti" }),
      host({ name: "gpu", site: "home", cpu: 8, memory: "32Gi", extra: "power: volatile, gpus: [{ vendor: nvidia }]", disk: "/dev/sda", size: "512Gi" }),
      host({ name: "cx22", site: "hetzner", cpu: 2, memory: "4Gi", extra: "provider: hetzner", disk: "/dev/sda", size: "40Gi" }),
    ],
    nodes: [
      vm(1),
      vm(2),
      vm(3, "patches: [{ kubelet-arg: [max-pods=150] }]"),
      `name: gpu1
    host: gpu
    address: 192.168.20.21
    labels: { accelerator: nvidia }
    taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]`,
      node({ name: "edge1", host: "cx22", kind: "cloud", address: "10.0.0.2", extra: "publicAddress: 203.0.113.50" }),
    ],
    rest: `network:
  loadBalancer: { pool: 192.168.20.200-192.168.20.220 }
${o.registryMirror ? "  registryMirror: true\n" : ""}  seats:
    - { name: laptop }
`,
  });
}

export function k3sLab(o: { cni?: "flannel" | "cilium"; registryMirror?: boolean } = {}): Lab {
  return loadTestLab(k3sLabYaml(o));
}
