// What the dashboard shows, computed from the Lab. Only public facts: no secret value ever goes here.
import type { Lab } from "../lab/types.js";
import { humanBytes } from "../net/quantity.js";
import { forEachPeerPair } from "../lab/mesh.js";

export interface ServiceTile {
  name: string;
  title: string;
  icon: string;
  group: string;
  description: string;
  url: string | undefined;
  exposure: "public" | "private" | "none";
  groups: string[] | null; // null: no SSO gate; []: any signed-in user
  replicas: number;
  health: "unknown" | "healthy" | "degraded" | "down";
}

export function services(lab: Lab): ServiceTile[] {
  return lab.apps
    .map((a) => ({
      name: a.name,
      title: a.catalog.title,
      icon: a.catalog.icon,
      group: a.namespace,
      description: a.catalog.description,
      url: a.exposure.url,
      exposure: a.exposure.kind,
      groups: a.groups ? [...a.groups] : null,
      replicas: a.replicas,
      health: "unknown" as const,
    }))
    .sort((x, y) => x.group.localeCompare(y.group) || x.name.localeCompare(y.name));
}

export interface TopologyNode {
  name: string;
  role: "controlplane" | "worker";
  kind: string;
  arch: string;
  cpu: number;
  memory: string;
  address: string;
  overlayAddress: string;
  status: "unknown" | "ready" | "notready" | "cordoned";
}

export interface Topology {
  sites: {
    name: string;
    kind: string;
    lan: string;
    nat: boolean;
    hosts: { name: string; arch: string; cpu: number; memory: string; power: string; hypervisor: string; gpus: number; nodes: TopologyNode[] }[];
  }[];
  seats: { name: string; owner: string | null; device: string; overlayAddress: string }[];
  mesh: { topology: string; subnet: string; edges: { a: string; b: string; relay?: boolean }[] };
  endpoint: string;
}

/** Who peers with whom on the WireGuard mesh (node names; seats as "seat:<name>"). */
/** The tunnels, as the dashboard draws them: node names, seats as "seat:<name>" (the one peer graph, src/lab/mesh.ts). */
export function meshEdges(lab: Lab): { a: string; b: string }[] {
  const edges: { a: string; b: string }[] = [];
  const label = (id: string) => (id.startsWith("seat/") ? `seat:${id.slice(5)}` : id.slice(5));
  forEachPeerPair(lab, (a, b) => void (a !== b && edges.push({ a: label(a), b: label(b) })));
  return edges;
}

export function topology(lab: Lab): Topology {
  return {
    sites: lab.sites.map((s) => ({
      name: s.name,
      kind: s.kind,
      lan: s.lan,
      nat: s.nat,
      hosts: s.hosts.map((hn) => {
        const h = lab.host(hn);
        return {
          name: h.name,
          arch: h.arch,
          cpu: h.cpu,
          memory: humanBytes(h.memoryBytes),
          power: h.power,
          hypervisor: h.hypervisor,
          gpus: h.gpus,
          nodes: h.nodes.map((nn) => {
            const n = lab.node(nn);
            return { name: n.name, role: n.role, kind: n.kind, arch: n.arch, cpu: n.cpu, memory: humanBytes(n.memoryBytes), address: n.address, overlayAddress: n.overlayAddress, status: "unknown" as const };
          }),
        };
      }),
    })),
    seats: lab.seats.map((s) => ({ name: s.name, owner: s.owner ?? null, device: s.device, overlayAddress: s.overlayAddress })),
    mesh: { topology: lab.overlay.topology, subnet: lab.overlay.subnet, edges: meshEdges(lab) },
    endpoint: lab.endpoint.url,
  };
}

export function summary(lab: Lab) {
  return {
    name: lab.name,
    distribution: lab.distribution,
    kubernetesVersion: lab.kubernetesVersion,
    domains: lab.domains,
    counts: { sites: lab.sites.length, hosts: lab.hosts.length, nodes: lab.nodes.length, apps: lab.apps.length, seats: lab.seats.length },
  };
}
