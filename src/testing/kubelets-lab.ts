// The lab the kubelets tests render and run (issue 15, Tier 2): k3s, one control plane and three
// workers (one on a volatile host), the lab's registry mirror, an NFS class as the default storage and
// five apps: homepage (a Deployment, 2 replicas spread over the hosts), uptime-kuma (a StatefulSet on the
// NFS class), atuin (a Deployment with its own Postgres, a StatefulSet kept off the volatile host), and two
// more homepage instances sized to land where they do: bigpage (1800Mi, room on two nodes only) and
// smallpage. The control plane is tainted, so the apps run on the workers only (the test's real control
// plane is separate processes: losing n1's kubelet would not lose etcd, as what-if would rightly predict for h1).
// The workers differ in memory (3Gi, 1Gi, 4Gi): free resources differ per node, so kube-scheduler's scores
// have no ties and what-if's answers for `--down h4` are certain (no app's outcome depends on a
// tie-break, and none on the order in which displaced pods are scheduled). The real nodes report these
// sizes as their allocatable (kubelets.ts, KubeletNodeSpec.allocatable).
// The addresses are the nodes' addresses inside their network namespaces (kubelets.ts).
/** the host whose power cut the test compares with what-if: the largest worker, where most apps run */
export const KUBELETS_DOWN_HOST = "h4";

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
  - { name: h1, site: home, arch: amd64, cpu: 2, memory: 4Gi, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
  - { name: h2, site: home, arch: amd64, cpu: 2, memory: 3Gi, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
  - { name: h3, site: home, arch: amd64, cpu: 2, memory: 1Gi, power: volatile, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
  - { name: h4, site: home, arch: amd64, cpu: 2, memory: 4Gi, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }
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
  - { name: homepage, replicas: 2, resources: { cpu: 100m, memory: 256Mi } }
  - { name: uptime-kuma, resources: { cpu: 200m, memory: 384Mi } }
  - { name: atuin, resources: { cpu: 100m, memory: 192Mi } }
  - { name: bigpage, app: homepage, resources: { cpu: 100m, memory: 1800Mi } }
  - { name: smallpage, app: homepage, resources: { cpu: 50m, memory: 512Mi } }
`;
}
