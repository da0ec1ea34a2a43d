// The WireGuard overlay (wg0) of one Talos node: its key, listen port, overlay address, and peers —
// exactly the pairs of src/secrets/peers.ts (full mesh, or site leaders), each with its preshared key.
// Same-site peers are reached on their LAN address; other sites' peers on their public endpoint, if
// they have one. A node behind NAT sends keepalives. With site leaders, a node's leader carries the
// whole overlay subnet for it (WireGuard routes to the most specific allowed IP).
import type { Lab, Node } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { pairKey } from "../../secrets/types.js";
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

/** Per-lab facts the peers of every node share, computed once per render. */
export interface OverlayIndex {
  readonly subnet: string;
  readonly leaderOf: ReadonlyMap<string, string>;
  readonly leaders: ReadonlySet<string>;
  readonly bySite: ReadonlyMap<string, readonly Node[]>;
}

export function overlayIndex(lab: Lab): OverlayIndex {
  const c = parseCidr(lab.overlay.subnet);
  const subnet = "cidr" in c ? `${formatIp(c.cidr.base)}/${c.cidr.bits}` : lab.overlay.subnet;
  const bySite = new Map<string, Node[]>();
  for (const n of lab.nodes) {
    const list = bySite.get(n.site) ?? [];
    list.push(n);
    bySite.set(n.site, list);
  }
  const siteLeaders = lab.overlay.topology === "site-leaders";
  const leaderOf = new Map<string, string>();
  if (siteLeaders) for (const [site, leader] of Object.entries(lab.overlay.leaders)) leaderOf.set(site, leader);
  const leaders = new Set(siteLeaders ? leaderOf.values() : lab.nodes.map((n) => n.name));
  return { subnet, leaderOf, leaders, bySite };
}

function key(secrets: LabSecrets, peer: string): { privateKey: string; publicKey: string } {
  const k = secrets.wireguard[peer];
  if (!k) throw new Error(`internal: no WireGuard key for ${peer} in the secrets store`);
  return k;
}

function psk(secrets: LabSecrets, a: string, b: string): string {
  const k = secrets.wireguardPresharedKeys[pairKey(a, b)];
  if (!k) throw new Error(`internal: no preshared key for ${a} and ${b} in the secrets store`);
  return k;
}

/** The peers of `node`, in a stable order: nodes in spec order, then seats. */
export function nodePeers(lab: Lab, secrets: LabSecrets, idx: OverlayIndex, node: Node): WireguardPeer[] {
  const self = nodePeer(node.name);
  const siteLeaders = lab.overlay.topology === "site-leaders";
  const isLeader = idx.leaders.has(node.name);
  const keepalive = node.nat && lab.overlay.keepalive > 0 ? `${lab.overlay.keepalive}s` : undefined;
  const port = lab.overlay.port;
  const out: WireguardPeer[] = [];
  const addNode = (other: Node, allowedIPs: string[]) => {
    const name = nodePeer(other.name);
    const ep = other.site === node.site ? `${other.address}:${port}` : other.wireguardEndpoint;
    // Talos takes an address:port, not a DNS name (drover check reports nodes whose endpoint is a name)
    const endpoint = ep && IP_PORT.test(ep) ? ep : undefined;
    out.push({
      publicKey: key(secrets, name).publicKey,
      presharedKey: psk(secrets, self, name),
      ...(endpoint ? { endpoint } : {}),
      ...(endpoint && keepalive ? { persistentKeepaliveInterval: keepalive } : {}),
      allowedIPs,
    });
  };
  if (!siteLeaders) {
    for (const other of lab.nodes) if (other.name !== node.name) addNode(other, [`${other.overlayAddress}/32`]);
  } else {
    const leader = idx.leaderOf.get(node.site);
    for (const other of lab.nodes) {
      if (other.name === node.name) continue;
      if (other.site === node.site) {
        // a non-leader reaches everything outside its site through its leader
        addNode(other, !isLeader && other.name === leader ? [idx.subnet] : [`${other.overlayAddress}/32`]);
      } else if (isLeader && idx.leaders.has(other.name)) {
        addNode(other, (idx.bySite.get(other.site) ?? []).map((n) => `${n.overlayAddress}/32`));
      }
    }
  }
  if (isLeader) {
    for (const s of lab.seats) {
      const name = seatPeer(s.name);
      out.push({ publicKey: key(secrets, name).publicKey, presharedKey: psk(secrets, self, name), allowedIPs: [`${s.overlayAddress}/32`] });
    }
  }
  return out;
}

/** The WireguardConfig document for wg0. */
export function wireguardDocument(lab: Lab, secrets: LabSecrets, idx: OverlayIndex, node: Node): Record<string, unknown> {
  return {
    apiVersion: "v1alpha1",
    kind: "WireguardConfig",
    name: OVERLAY_LINK,
    privateKey: key(secrets, nodePeer(node.name)).privateKey,
    listenPort: lab.overlay.port,
    peers: nodePeers(lab, secrets, idx, node),
    up: true,
    mtu: lab.overlay.mtu,
    addresses: [{ address: `${node.overlayAddress}/${lab.overlay.prefix}` }],
  };
}
