// Small labs for the `drover up` tests: Talos (three control planes and a worker, each with its MAC)
// and k3s (one server, one agent). Few apps, so a render and a Flux install stay quick.
export function upTalosLabYaml(name = "uplab"): string {
  return `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: ${name}
  distribution: talos
  kubernetesVersion: 1.35.4
  endpoint: { address: 192.168.30.10 }
  domains: { private: home.arpa }
sites:
  - { name: home, lan: 192.168.30.0/24, gateway: 192.168.30.1, dns: [192.168.30.1] }
hosts:
  - { name: h1, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/nvme0n1, size: 1Ti, type: nvme, use: system }] }
  - { name: h2, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/nvme0n1, size: 1Ti, type: nvme, use: system }] }
  - { name: h3, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/nvme0n1, size: 1Ti, type: nvme, use: system }] }
  - { name: h4, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/nvme0n1, size: 1Ti, type: nvme, use: system }] }
nodes:
  - { name: cp1, host: h1, role: controlplane, address: 192.168.30.11, mac: "52:54:00:30:00:11" }
  - { name: cp2, host: h2, role: controlplane, address: 192.168.30.12, mac: "52:54:00:30:00:12" }
  - { name: cp3, host: h3, role: controlplane, address: 192.168.30.13, mac: "52:54:00:30:00:13" }
  - { name: w1, host: h4, role: worker, address: 192.168.30.21, mac: "52:54:00:30:00:21" }
`;
}

export function upK3sLabYaml(name = "upk3s"): string {
  return `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: ${name}
  distribution: k3s
  k3sVersion: v1.35.4+k3s1
  endpoint: { address: 192.168.40.11, vip: false }
  domains: { private: home.arpa }
sites:
  - { name: home, lan: 192.168.40.0/24, gateway: 192.168.40.1, dns: [192.168.40.1] }
hosts:
  - { name: h1, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/sda, size: 512Gi, use: system }] }
  - { name: h2, site: home, arch: amd64, cpu: 8, memory: 32Gi, disks: [{ device: /dev/sda, size: 512Gi, use: system }] }
nodes:
  - { name: srv1, host: h1, role: controlplane, address: 192.168.40.11, mac: "52:54:00:40:00:11" }
  - { name: agent1, host: h2, role: worker, address: 192.168.40.21, mac: "52:54:00:40:00:21" }
`;
}
