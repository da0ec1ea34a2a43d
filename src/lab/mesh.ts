// The WireGuard peer graph, the one copy: which peers talk to each other (hence which pairs need a
// preshared key, which peers each rendered interface lists, which tunnels the dashboard draws), where
// seats connect and how a node is reached from outside its site.
// full-mesh: every node with every node. site-leaders: nodes of a site with each other, leaders with
// each other (leaders relay for their site). Seats (road-warrior clients) talk to one hub node only:
// the entry node of the site that holds the private services, which relays for them.
import type { Lab, Node } from "./types.js";
import { parseIp, parseCidr, parseRange, cidrContains } from "../net/ip.js";
import { withPort } from "../net/host.js";

/** A peer pair's key: the two ids sorted, joined by "|". */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

export const nodePeer = (name: string): string => `node/${name}`;
export const seatPeer = (name: string): string => `seat/${name}`;

/** Every peer ("node/<name>", "seat/<name>") in the lab, nodes first, each group in spec order. */
export function wireguardPeers(lab: Lab): string[] {
  return [...lab.nodes.map((n) => nodePeer(n.name)), ...lab.seats.map((s) => seatPeer(s.name))];
}

/**
 * The node that stands for a site towards the outside: its leader (site-leaders), else the first
 * reachable node, else the first always-on node, else its first node. The site's `endpoint`
 * (a forwarded port on the site's router) leads to this node.
 */
export function siteEntry(lab: Lab, site: string): Node | undefined {
  const leader = lab.overlay.leaders[site];
  if (leader) return lab.node(leader);
  const nodes = lab.nodes.filter((n) => n.site === site);
  return nodes.find((n) => n.wireguardEndpoint) ?? nodes.find((n) => !n.volatile) ?? nodes[0];
}

/**
 * The site whose LAN holds the private services (the load-balancer pool, the private ingress);
 * without them, the site of the first control plane.
 */
export function servicesSite(lab: Lab): string {
  const probe = lab.loadBalancer.pool ? parseRangeStart(lab.loadBalancer.pool) : lab.ingress.privateAddress ? parseIp(lab.ingress.privateAddress) : undefined;
  if (probe !== undefined) {
    for (const s of lab.sites) {
      const c = parseCidr(s.lan);
      if ("cidr" in c && cidrContains(c.cidr, probe) && lab.nodes.some((n) => n.site === s.name)) return s.name;
    }
  }
  return (lab.controlPlanes()[0] ?? lab.nodes[0]!).site;
}

function parseRangeStart(text: string): number | undefined {
  const r = parseRange(text);
  return "range" in r ? r.range.first : undefined;
}

/** The node every seat connects to (undefined for a lab without nodes). */
export function seatHub(lab: Lab): Node | undefined {
  return siteEntry(lab, servicesSite(lab));
}

/** Calls `f` once for every pair of peers that talk to each other (each pair once, in no set order). */
export function forEachPeerPair(lab: Lab, f: (a: string, b: string) => void): void {
  const siteLeaders = lab.overlay.topology === "site-leaders";
  const ids = lab.nodes.map((n) => nodePeer(n.name));
  for (let i = 0; i < lab.nodes.length; i++) {
    const a = lab.nodes[i]!;
    for (let j = i + 1; j < lab.nodes.length; j++) if (!siteLeaders || a.site === lab.nodes[j]!.site) f(ids[i]!, ids[j]!);
  }
  if (siteLeaders) {
    const leaders = [...new Set(Object.values(lab.overlay.leaders))];
    // leaders of different sites (two of the same site are already a pair above)
    for (let i = 0; i < leaders.length; i++) {
      for (let j = i + 1; j < leaders.length; j++) if (lab.node(leaders[i]!).site !== lab.node(leaders[j]!).site) f(nodePeer(leaders[i]!), nodePeer(leaders[j]!));
    }
  }
  const hub = lab.seats.length ? seatHub(lab) : undefined;
  if (hub) for (const s of lab.seats) f(seatPeer(s.name), nodePeer(hub.name));
}

/** Peer pairs (pairKey form, "a|b" sorted), sorted, without duplicates. */
export function wireguardPeerPairs(lab: Lab): string[] {
  const pairs = new Set<string>();
  forEachPeerPair(lab, (a, b) => void (a !== b && pairs.add(pairKey(a, b))));
  return [...pairs].sort();
}

/** Whether two nodes have a tunnel between them (computed once per lab). */
export function linked(lab: Lab): (a: string, b: string) => boolean {
  let set = linkSets.get(lab);
  if (!set) {
    const s = new Set<string>();
    forEachPeerPair(lab, (a, b) => void s.add(pairKey(a, b)));
    linkSets.set(lab, (set = s));
  }
  const pairs = set;
  return (a, b) => pairs.has(pairKey(nodePeer(a), nodePeer(b)));
}
const linkSets = new WeakMap<Lab, ReadonlySet<string>>();

/** host:port of a site's forwarded endpoint (port defaults to the overlay port) */
export function siteEndpoint(lab: Lab, site: string): string | undefined {
  const ep = lab.spec.sites.find((s) => s.name === site)?.endpoint;
  if (!ep) return undefined;
  const text = withPort(ep, lab.overlay.port);
  if (!text) throw new Error(`internal: site ${site} has an endpoint that is not host[:port] (drover check refuses it)`);
  return text;
}

/** How a node is reached from outside its site, if it can be. */
export function publicEndpoint(lab: Lab, n: Node): string | undefined {
  if (n.wireguardEndpoint) return n.wireguardEndpoint;
  return siteEntry(lab, n.site)?.name === n.name ? siteEndpoint(lab, n.site) : undefined;
}

/** How each node is reached from outside its site (the site entry computed once per site). */
export function publicEndpoints(lab: Lab): Map<string, string | undefined> {
  const entries = new Map(lab.sites.map((s) => [s.name, siteEntry(lab, s.name)?.name]));
  const eps = new Map(lab.sites.map((s) => [s.name, siteEndpoint(lab, s.name)]));
  return new Map(lab.nodes.map((n) => [n.name, n.wireguardEndpoint ?? (entries.get(n.site) === n.name ? eps.get(n.site) : undefined)]));
}
