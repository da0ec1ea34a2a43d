// A k3s lab on Debian for the k3s renderer's tests: three servers (the first starts etcd), a GPU
// agent with a taint (on a volatile gaming PC), a node with a per-node patch, and a cloud agent on another site.
import type { Lab } from "../lab/types.js";
import { loadTestLab } from "./apps-lab.js";

export function k3sLabYaml(o: { cni?: "flannel" | "cilium"; registryMirror?: boolean } = {}): string {
  return `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: debby
  distribution: k3s
  k3sVersion: v1.35.4+k3s1
  endpoint: { address: k3s.debby.example.net }
  domains: { public: debby.example.net, private: debby.internal }
${o.cni ? `  cni: ${o.cni}\n` : ""}sites:
  - { name: home, lan: 192.168.20.0/24, gateway: 192.168.20.1, dns: [192.168.20.53], endpoint: home.debby.example.net }
  - { name: hetzner, kind: cloud, lan: 10.0.0.0/24, gateway: 10.0.0.1, nat: false }
hosts:
  - { name: pve1, site: home, arch: amd64, cpu: 16, memory: 64Gi, hypervisor: proxmox, disks: [{ device: /dev/nvme0n1, size: 1Ti, use: system }] }
  - { name: gpu, site: home, arch: amd64, cpu: 8, memory: 32Gi, power: volatile, gpus: [{ vendor: nvidia }], disks: [{ device: /dev/sda, size: 512Gi, use: system }] }
  - { name: cx22, site: hetzner, arch: amd64, cpu: 2, memory: 4Gi, provider: hetzner, disks: [{ device: /dev/sda, size: 40Gi, use: system }] }
nodes:
  - { name: srv1, host: pve1, kind: vm, role: controlplane, cpu: 4, memory: 8Gi, address: 192.168.20.11, mac: "52:54:00:20:00:11" }
  - { name: srv2, host: pve1, kind: vm, role: controlplane, cpu: 4, memory: 8Gi, address: 192.168.20.12, mac: "52:54:00:20:00:12" }
  - { name: srv3, host: pve1, kind: vm, role: controlplane, cpu: 4, memory: 8Gi, address: 192.168.20.13, mac: "52:54:00:20:00:13", patches: [{ kubelet-arg: [max-pods=150] }] }
  - name: gpu1
    host: gpu
    address: 192.168.20.21
    labels: { accelerator: nvidia }
    taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]
  - { name: edge1, host: cx22, kind: cloud, address: 10.0.0.2, publicAddress: 203.0.113.50 }
network:
  loadBalancer: { pool: 192.168.20.200-192.168.20.220 }
${o.registryMirror ? "  registryMirror: true\n" : ""}  seats:
    - { name: laptop }
`;
}

export function k3sLab(o: { cni?: "flannel" | "cilium"; registryMirror?: boolean } = {}): Lab {
  return loadTestLab(k3sLabYaml(o));
}
