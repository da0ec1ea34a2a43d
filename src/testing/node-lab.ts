// A small lab for the node-operation tests: three control planes and three workers on one site,
// with k3s or Talos, encrypted to a test key. The node names match the kwok nodes the tests create.
import { controlPlanesAndWorkers, host, labYaml, node, OPS_IDENTITY } from "./lab-builder.js";

export function nodeLabYaml(o: { recipient: string; distribution?: "k3s" | "talos"; controlPlanes?: number; workers?: number }): string {
  const { hosts, nodes } = controlPlanesAndWorkers({
    controlPlanes: o.controlPlanes ?? 3,
    workers: o.workers ?? 3,
    cpHost: () => ({ site: "home", cpu: 4, memory: "8Gi", disk: "/dev/sda", size: "128Gi" }),
    cpAddress: (i) => `192.168.50.${10 + i}`,
    workerHost: () => ({ site: "home", cpu: 8, memory: "16Gi", disk: "/dev/nvme0n1", size: "512Gi" }),
    workerNode: (i) => `${node({ name: `w${i}`, host: `hw${i}`, address: `192.168.50.${20 + i}` })} # worker ${i}`,
  });
  hosts.push(host({ name: "spare", site: "home", cpu: 8, memory: "16Gi", disk: "/dev/sda", size: "256Gi" }));
  return labYaml({
    comment: "node operations test lab",
    name: "nodelab",
    cluster: [`distribution: ${o.distribution ?? "k3s"}`, "endpoint:", "  address: 192.168.50.5 # VIP", "domains: { private: lab.internal }"],
    recipients: [o.recipient],
    sites: ["{ name: home, lan: 192.168.50.0/24, gateway: 192.168.50.1, nat: false }"],
    hosts,
    nodes,
    rest: `
network:
  overlay: { subnet: 10.200.0.0/24 }
  loadBalancer: { pool: 192.168.50.200-192.168.50.220 }
${OPS_IDENTITY}`,
  });
}
