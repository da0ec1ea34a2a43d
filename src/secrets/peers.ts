// Which WireGuard peers talk to each other, hence which pairs need a preshared key.
// full-mesh: every node with every node, every seat with every node.
// site-leaders: nodes of a site with each other, leaders with each other, seats with every leader.
import type { Lab } from "../lab/types.js";
import { pairKey } from "./types.js";

export const nodePeer = (name: string): string => `node/${name}`;
export const seatPeer = (name: string): string => `seat/${name}`;

/** Every peer ("node/<name>", "seat/<name>") in the lab, nodes first, each group in spec order. */
export function wireguardPeers(lab: Lab): string[] {
  return [...lab.nodes.map((n) => nodePeer(n.name)), ...lab.seats.map((s) => seatPeer(s.name))];
}

/** Peer pairs (pairKey form, "a|b" sorted), sorted, without duplicates. */
export function wireguardPeerPairs(lab: Lab): string[] {
  const pairs = new Set<string>();
  const add = (a: string, b: string) => void (a !== b && pairs.add(pairKey(a, b)));
  const nodes = lab.nodes.map((n) => n.name);
  const siteLeaders = lab.overlay.topology === "site-leaders";
  const leaders = siteLeaders ? [...new Set(Object.values(lab.overlay.leaders))] : nodes;
  for (let i = 0; i < lab.nodes.length; i++) {
    for (let j = i + 1; j < lab.nodes.length; j++) {
      const a = lab.nodes[i]!;
      const b = lab.nodes[j]!;
      if (!siteLeaders || a.site === b.site) add(nodePeer(a.name), nodePeer(b.name));
    }
  }
  for (let i = 0; i < leaders.length; i++) for (let j = i + 1; j < leaders.length; j++) add(nodePeer(leaders[i]!), nodePeer(leaders[j]!));
  for (const s of lab.seats) for (const l of leaders) add(seatPeer(s.name), nodePeer(l));
  return [...pairs].sort();
}
