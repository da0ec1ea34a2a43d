// Can the WireGuard mesh as rendered actually connect? A tunnel between two nodes on different sites
// needs at least one of them reachable from outside (a public address, a site without NAT, or the
// site's forwarded port on its entry node); two nodes behind NAT with neither can never handshake.
// Also: where seats connect, and whether a full mesh has grown too big.
import type { Lab } from "../lab/types.js";
import { publicEndpoint, seatHub, wireguardPeerPairs } from "../lab/mesh.js";

/** beyond this many nodes a full mesh's N² tunnels and configs get heavy; site-leaders scales */
export const LARGE_FULL_MESH = 64;

export interface MeshReport {
  readonly topology: Lab["overlay"]["topology"];
  readonly nodes: number;
  readonly tunnels: number;
  readonly hub: { readonly node: string; readonly endpoint: string | undefined } | undefined;
  /** node pairs that peer but can never connect */
  readonly stuck: readonly { readonly a: string; readonly b: string }[];
  readonly warnings: readonly string[];
}

export function meshReport(lab: Lab): MeshReport {
  const reach = new Map(lab.nodes.map((n) => [n.name, publicEndpoint(lab, n)]));
  const nodePairs = wireguardPeerPairs(lab)
    .map((p) => p.split("|") as [string, string])
    .filter(([a, b]) => a.startsWith("node/") && b.startsWith("node/"))
    .map(([a, b]) => [a.slice(5), b.slice(5)] as const);
  const stuck = nodePairs
    .filter(([a, b]) => lab.node(a).site !== lab.node(b).site && !reach.get(a) && !reach.get(b))
    .map(([a, b]) => ({ a, b }));
  const hubNode = lab.seats.length ? seatHub(lab) : undefined;
  const hub = hubNode ? { node: hubNode.name, endpoint: reach.get(hubNode.name) } : undefined;
  const warnings: string[] = [];
  if (stuck.length) {
    const shown = stuck.slice(0, 3).map((p) => `${p.a}–${p.b}`).join(", ");
    warnings.push(
      `${stuck.length} tunnel${stuck.length === 1 ? "" : "s"} can never connect (${shown}${stuck.length > 3 ? ", …" : ""}): both ends are behind NAT on different sites with no endpoint; give a site an endpoint (a forwarded port) or a node a publicAddress${lab.overlay.topology === "full-mesh" ? ", or use topology: site-leaders" : ""}`,
    );
  }
  if (hub && !hub.endpoint) warnings.push(`seats connect through ${hub.node}, which has no endpoint: they work only from its LAN; give site ${lab.node(hub.node).site} an endpoint (a forwarded UDP port)`);
  if (lab.overlay.topology === "full-mesh" && lab.nodes.length > LARGE_FULL_MESH) {
    warnings.push(`a full mesh of ${lab.nodes.length} nodes has ${nodePairs.length} tunnels (every node holds ${lab.nodes.length - 1} peers); use topology: site-leaders`);
  }
  return { topology: lab.overlay.topology, nodes: lab.nodes.length, tunnels: nodePairs.length, hub, stuck, warnings };
}
