// A 4-node, 2-site lab for the WireGuard tests: "home" behind a NAT router whose forwarded port
// reaches its entry node, and "cloud" with two VPSes on public addresses. One seat (a phone).
// The addresses match the network namespaces of src/testing/mesh-world.ts.
import type { Lab } from "../lab/types.js";
import { loadTestLab } from "./apps-lab.js";

export interface MeshLabOptions {
  readonly topology?: "full-mesh" | "site-leaders";
  /** node names to leave out (re-render without a node) */
  readonly without?: readonly string[];
  readonly seats?: readonly string[];
}

export const MESH_NODES = ["cp1", "w1", "vps1", "vps2"] as const;
/** the home router's WAN address, where the home site's forwarded port is */
export const HOME_WAN = "198.51.100.2";
/** the load-balancer address the mesh test puts on w1's LAN interface */
export const LB_ADDRESS = "10.1.0.200";

export function meshLabYaml(o: MeshLabOptions = {}): string {
  const nodes: Record<string, string> = {
    cp1: "{ name: cp1, host: nuc1, role: controlplane, address: 10.1.0.11 }",
    w1: "{ name: w1, host: nuc2, address: 10.1.0.12 }",
    vps1: "{ name: vps1, host: vps-a, kind: cloud, address: 10.2.0.11, publicAddress: 203.0.113.11 }",
    vps2: "{ name: vps2, host: vps-b, kind: cloud, address: 10.2.0.12, publicAddress: 203.0.113.12 }",
  };
  const keep = MESH_NODES.filter((n) => !o.without?.includes(n));
  const seats = o.seats ?? ["phone"];
  return `apiVersion: drover.dev/v1alpha1
kind: Lab
cluster:
  name: meshlab
  distribution: k3s
  endpoint: { address: 10.1.0.5 }
  domains: { private: mesh.internal }
sites:
  - { name: home, lan: 10.1.0.0/24, gateway: 10.1.0.1, nat: true, endpoint: "${HOME_WAN}:51820" }
  - { name: cloud, kind: cloud, lan: 10.2.0.0/24, gateway: 10.2.0.1, nat: false }
hosts:
  - { name: nuc1, site: home, arch: amd64, cpu: 4, memory: 16Gi, disks: [{ device: /dev/nvme0n1, size: 512Gi, use: system }] }
  - { name: nuc2, site: home, arch: amd64, cpu: 4, memory: 16Gi, disks: [{ device: /dev/nvme0n1, size: 512Gi, use: system }] }
  - { name: vps-a, site: cloud, arch: amd64, cpu: 2, memory: 4Gi, provider: hetzner, disks: [{ device: /dev/sda, size: 40Gi, use: system }] }
  - { name: vps-b, site: cloud, arch: arm64, cpu: 2, memory: 4Gi, provider: hetzner, disks: [{ device: /dev/sda, size: 40Gi, use: system }] }
nodes:
${keep.map((n) => `  - ${nodes[n]}`).join("\n")}
network:
  overlay: { subnet: 10.200.0.0/24, topology: ${o.topology ?? "full-mesh"} }
  loadBalancer: { pool: 10.1.0.200-10.1.0.207 }
  seats:
${seats.map((s) => `    - { name: ${s}, owner: ops, device: phone }`).join("\n") || "    []"}
identity:
  provider: none
  users: [{ name: ops, email: ops@mesh.example.net }]
`.replace("  seats:\n    []", "  seats: []");
}

export function meshLab(o: MeshLabOptions = {}): Lab {
  return loadTestLab(meshLabYaml(o));
}
