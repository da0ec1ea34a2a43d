// The WireGuard overlay (wg0) of one Talos node: its key, listen port, overlay address, and peers —
// exactly the pairs of src/secrets/peers.ts (full mesh, or site leaders), each with its preshared key.
// Same-site peers are reached on their LAN address; other sites' peers on their public endpoint, if
// they have one. A node behind NAT sends keepalives. With site leaders, a node's leader carries the
// whole overlay subnet for it (WireGuard routes to the most specific allowed IP).
import type { Lab, Node } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { nodePeer, seatPeer } from "../../secrets/peers.js";
import { formatIp, parseCidr } from "../../net/ip.js";

export const OVERLAY_LINK = "wg0";
const IP_PORT = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;

export interface WireguardPeer {
  readonly publicKey: string;
  readonly presharedKey: string;
  readonly endpoint?: string;
  readonly persistentKeepaliveInterval?: string;
  readonly allowedIPs: readonly string[];
}

/** What a peer looks like to the others, computed once per render. */
interface PeerFacts {
  readonly peer: string; // "node/<name>" or "seat/<name>"
  readonly publicKey: string;
  readonly privateKey: string;
  /** address/32 on the overlay */
  readonly allowed: string;
  /** LAN address:port (same-site peers use it) */
  readonly lanEndpoint: string | undefined;
  /** public address:port, when others can reach it and Talos can take it (an IP) */
  readonly endpoint: string | undefined;
}

/** Per-lab facts the peers of every node share, computed once per render. */
export interface OverlayIndex {
  readonly subnet: string;
  readonly leaderOf: ReadonlyMap<string, string>;
  readonly leaders: ReadonlySet<string>;
  readonly bySite: ReadonlyMap<string, readonly Node[]>;
  readonly nodes: ReadonlyMap<string, PeerFacts>;
  readonly seats: readonly PeerFacts[];
  /** peer → peer → preshared key (indexing the store's object of 100,000 pair keys is slow) */
  readonly psks: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** site → the /32s of its nodes (what a leader carries for its site) */
  readonly siteAllowed: ReadonlyMap<string, readonly string[]>;
}

function keyOf(secrets: LabSecrets, peer: string): { privateKey: string; publicKey: string } {
  const k = secrets.wireguard[peer];
  if (!k) throw new Error(`internal: no WireGuard key for ${peer} in the secrets store`);
  return k;
}

export function overlayIndex(lab: Lab, secrets: LabSecrets): OverlayIndex {
  const c = parseCidr(lab.overlay.subnet);
  const subnet = "cidr" in c ? `${formatIp(c.cidr.base)}/${c.cidr.bits}` : lab.overlay.subnet;
  const port = lab.overlay.port;
  const bySite = new Map<string, Node[]>();
  const siteAllowed = new Map<string, string[]>();
  const nodes = new Map<string, PeerFacts>();
  for (const n of lab.nodes) {
    (bySite.get(n.site) ?? bySite.set(n.site, []).get(n.site)!).push(n);
    const peer = nodePeer(n.name);
    const k = keyOf(secrets, peer);
    const ep = n.wireguardEndpoint;
    const facts = { peer, publicKey: k.publicKey, privateKey: k.privateKey, allowed: `${n.overlayAddress}/32`, lanEndpoint: `${n.address}:${port}`, endpoint: ep && IP_PORT.test(ep) ? ep : undefined };
    nodes.set(n.name, facts);
    (siteAllowed.get(n.site) ?? siteAllowed.set(n.site, []).get(n.site)!).push(facts.allowed);
  }
  const seats = lab.seats.map((s) => {
    const peer = seatPeer(s.name);
    const k = keyOf(secrets, peer);
    return { peer, publicKey: k.publicKey, privateKey: k.privateKey, allowed: `${s.overlayAddress}/32`, lanEndpoint: undefined, endpoint: undefined };
  });
  const psks = new Map<string, Map<string, string>>();
  const put = (a: string, b: string, v: string) => (psks.get(a) ?? psks.set(a, new Map()).get(a)!).set(b, v);
  for (const [pair, v] of Object.entries(secrets.wireguardPresharedKeys)) {
    const i = pair.indexOf("|");
    put(pair.slice(0, i), pair.slice(i + 1), v);
    put(pair.slice(i + 1), pair.slice(0, i), v);
  }
  const siteLeaders = lab.overlay.topology === "site-leaders";
  const leaderOf = new Map<string, string>();
  if (siteLeaders) for (const [site, leader] of Object.entries(lab.overlay.leaders)) leaderOf.set(site, leader);
  const leaders = new Set(siteLeaders ? leaderOf.values() : lab.nodes.map((n) => n.name));
  return { subnet, leaderOf, leaders, bySite, nodes, seats, psks, siteAllowed };
}

/** The peers of `node`, in a stable order: nodes in spec order, then seats. */
export function nodePeers(lab: Lab, idx: OverlayIndex, node: Node): WireguardPeer[] {
  const self = idx.nodes.get(node.name)!;
  const mine = idx.psks.get(self.peer);
  const psk = (other: PeerFacts): string => {
    const k = mine?.get(other.peer);
    if (!k) throw new Error(`internal: no preshared key for ${self.peer} and ${other.peer} in the secrets store`);
    return k;
  };
  const siteLeaders = lab.overlay.topology === "site-leaders";
  const isLeader = idx.leaders.has(node.name);
  const keepalive = node.nat && lab.overlay.keepalive > 0 ? `${lab.overlay.keepalive}s` : undefined;
  const out: WireguardPeer[] = [];
  const addNode = (other: Node, allowedIPs: readonly string[]) => {
    const f = idx.nodes.get(other.name)!;
    const endpoint = other.site === node.site ? f.lanEndpoint : f.endpoint;
    out.push(
      endpoint
        ? keepalive
          ? { publicKey: f.publicKey, presharedKey: psk(f), endpoint, persistentKeepaliveInterval: keepalive, allowedIPs }
          : { publicKey: f.publicKey, presharedKey: psk(f), endpoint, allowedIPs }
        : { publicKey: f.publicKey, presharedKey: psk(f), allowedIPs },
    );
  };
  if (!siteLeaders) {
    for (const other of lab.nodes) if (other !== node) addNode(other, [idx.nodes.get(other.name)!.allowed]);
  } else {
    const leader = idx.leaderOf.get(node.site);
    for (const other of idx.bySite.get(node.site) ?? []) {
      if (other === node) continue;
      // a non-leader reaches everything outside its site through its leader
      addNode(other, !isLeader && other.name === leader ? [idx.subnet] : [idx.nodes.get(other.name)!.allowed]);
    }
    if (isLeader) {
      for (const other of lab.nodes) if (other.site !== node.site && idx.leaders.has(other.name)) addNode(other, idx.siteAllowed.get(other.site) ?? []);
    }
  }
  if (isLeader) for (const s of idx.seats) out.push({ publicKey: s.publicKey, presharedKey: psk(s), allowedIPs: [s.allowed] });
  return out;
}

/** The WireguardConfig document for wg0. */
export function wireguardDocument(lab: Lab, idx: OverlayIndex, node: Node): Record<string, unknown> {
  return {
    apiVersion: "v1alpha1",
    kind: "WireguardConfig",
    name: OVERLAY_LINK,
    privateKey: idx.nodes.get(node.name)!.privateKey,
    listenPort: lab.overlay.port,
    peers: nodePeers(lab, idx, node),
    up: true,
    mtu: lab.overlay.mtu,
    addresses: [{ address: `${node.overlayAddress}/${lab.overlay.prefix}` }],
  };
}
