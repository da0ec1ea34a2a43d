// The lab the kubelets tests render and run (issue 15, Tier 2): k3s, one control plane and three
// workers (one on a volatile host, h3 unless told), the lab's registry mirror, an NFS class as the default storage and
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
import { host, labYaml, node, OPS_IDENTITY } from "./lab-builder.js";

/** the host whose power cut the test compares with what-if: the largest worker, where most apps run */
export const KUBELETS_DOWN_HOST = "h4";

/**
 * `volatile`: the volatile host (default h3). The planned-shutdown test makes it h4, where most apps run,
 * so that a StatefulSet is on it: shut down gracefully, it comes back elsewhere without out-of-service.
 * `memory`: the hosts' memory, h1 to h4 (default 4Gi, 3Gi, 1Gi, 4Gi).
 */
export function kubeletsLabYaml(o: { recipient: string; volatile?: string; memory?: readonly [string, string, string, string] }): string {
  const volatile = o.volatile ?? "h3";
  const memory = o.memory ?? ["4Gi", "3Gi", "1Gi", "4Gi"];
  return labYaml({
    comment: "kubelets test lab",
    name: "kubelets",
    cluster: ["distribution: k3s", "k3sVersion: v1.35.4+k3s1", "endpoint: { address: 10.123.0.11, vip: false }", "domains: { private: kubelets.internal }"],
    recipients: [o.recipient],
    sites: ["{ name: home, lan: 10.123.0.0/24, gateway: 10.123.0.1, dns: [10.123.0.1] }"],
    hosts: [1, 2, 3, 4].map((i) => host({ name: `h${i}`, site: "home", cpu: 2, memory: memory[i - 1]!, ...(`h${i}` === volatile ? { extra: "power: volatile" } : {}), disk: "/dev/sda", size: "128Gi" })),
    nodes: [
      node({ name: "n1", host: "h1", role: "controlplane", address: "10.123.0.11", extra: "taints: [{ key: node-role.kubernetes.io/control-plane, effect: NoSchedule }]" }),
      ...[2, 3, 4].map((i) => `${node({ name: `n${i}`, host: `h${i}`, address: `10.123.0.1${i}` })} # worker ${i}`),
    ],
    rest: `network:
  loadBalancer: { pool: 10.123.0.200-10.123.0.220 }
  registryMirror: true
storage:
  classes:
    - { name: nas, type: nfs, server: 10.123.0.1, path: /export, default: true }
${OPS_IDENTITY}apps:
  - { name: homepage, replicas: 2, resources: { cpu: 100m, memory: 256Mi } }
  - { name: uptime-kuma, resources: { cpu: 200m, memory: 384Mi } }
  - { name: atuin, resources: { cpu: 100m, memory: 192Mi } }
  - { name: bigpage, app: homepage, resources: { cpu: 100m, memory: 1800Mi } }
  - { name: smallpage, app: homepage, resources: { cpu: 50m, memory: 512Mi } }
`,
  });
}
