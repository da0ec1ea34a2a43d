// A small lab for the node-operation tests: three control planes and three workers on one site,
// with k3s or Talos, encrypted to a test key. The node names match the kwok nodes the tests create.
export function nodeLabYaml(o: { recipient: string; distribution?: "k3s" | "talos"; controlPlanes?: number; workers?: number }): string {
  const cps = o.controlPlanes ?? 3;
  const ws = o.workers ?? 3;
  const hosts: string[] = [];
  const nodes: string[] = [];
  for (let i = 1; i <= cps; i++) {
    hosts.push(`  - { name: hc${i}, site: home, arch: amd64, cpu: 4, memory: 8Gi, disks: [{ device: /dev/sda, size: 128Gi, use: system }] }`);
    nodes.push(`  - { name: cp${i}, host: hc${i}, role: controlplane, address: 192.168.50.${10 + i} }`);
  }
  for (let i = 1; i <= ws; i++) {
    hosts.push(`  - { name: hw${i}, site: home, arch: amd64, cpu: 8, memory: 16Gi, disks: [{ device: /dev/nvme0n1, size: 512Gi, use: system }] }`);
    nodes.push(`  - { name: w${i}, host: hw${i}, address: 192.168.50.${20 + i} } # worker ${i}`);
  }
  hosts.push("  - { name: spare, site: home, arch: amd64, cpu: 8, memory: 16Gi, disks: [{ device: /dev/sda, size: 256Gi, use: system }] }");
  return `# node operations test lab
apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: nodelab
  distribution: ${o.distribution ?? "k3s"}
  endpoint:
    address: 192.168.50.5 # VIP
  domains: { private: lab.internal }
secrets:
  recipients:
    - ${o.recipient}
sites:
  - { name: home, lan: 192.168.50.0/24, gateway: 192.168.50.1, nat: false }
hosts:
${hosts.join("\n")}
nodes:
${nodes.join("\n")}

network:
  overlay: { subnet: 10.200.0.0/24 }
  loadBalancer: { pool: 192.168.50.200-192.168.50.220 }
identity:
  provider: none
  users: [{ name: ops, email: ops@example.net }]
`;
}
