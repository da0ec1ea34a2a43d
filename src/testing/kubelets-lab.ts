// The lab the kubelets tests render and run (issue 15, Tier 2): k3s, one control plane and three
// workers (one on a volatile host), the lab's registry mirror, an NFS class as the default storage and
// two catalog apps: homepage (a Deployment, 3 replicas spread over the hosts) and uptime-kuma (a StatefulSet on the NFS class).
// The control plane is tainted, so the apps run on the workers only (the test's real control plane is
// separate processes: losing n1's kubelet would not lose etcd, as what-if would rightly predict for h1).
// The addresses are the nodes' addresses inside their network namespaces (kubelets.ts).
export function kubeletsLabYaml(o: { recipient: string }): string {
  return `# kubelets test lab
apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: kubelets
  distribution: k3s
  k3sVersion: v1.35.4+k3s1
  endpoint: { address: 10.123.0.11, vip: false }
  domains: { private: kubelets.internal }
secrets:
  recipients:
    - ${o.recipient}
sites:
  - { name: home, lan: 10.123.0.0/24, gateway: 10.123.0.1, dns: [10.123.0.1] }
hosts:
  - { name: h1, site: home, arch: amd64, cpu: 4, memory: 8Gi, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
  - { name: h2, site: home, arch: amd64, cpu: 4, memory: 8Gi, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
  - { name: h3, site: home, arch: amd64, cpu: 4, memory: 8Gi, power: volatile, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
  - { name: h4, site: home, arch: amd64, cpu: 4, memory: 8Gi, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
nodes:
  - { name: n1, host: h1, role: controlplane, address: 10.123.0.11, taints: [{ key: node-role.kubernetes.io/control-plane, effect: NoSchedule }] }
  - { name: n2, host: h2, address: 10.123.0.12 } # worker 2
  - { name: n3, host: h3, address: 10.123.0.13 } # worker 3
  - { name: n4, host: h4, address: 10.123.0.14 } # worker 4
network:
  loadBalancer: { pool: 10.123.0.200-10.123.0.220 }
  registryMirror: true
storage:
  classes:
    - { name: nas, type: nfs, server: 10.123.0.1, path: /export, default: true }
identity:
  provider: none
  users: [{ name: ops, email: ops@example.net }]
apps:
  - { name: homepage, replicas: 3 }
  - { name: uptime-kuma }
`;
}
