// Rotating the mesh's WireGuard keys: every node gets a new key pair, every node-to-node pair a new
// preshared key. Seats keep theirs (their devices hold them); they need a new config only when the
// hub's public key changed, which it did.
//
// Rollout order, "reachable first": nodes that others reach directly (public address, site without
// NAT) take their new config first, then the entries of NATed sites (reached through a forwarded port,
// but only by peers that cannot be reached themselves), then the nodes behind NAT. A node behind NAT
// is reached only after it has sent a handshake itself; when it switches after its peers, they already
// know its new key, so its first keepalive re-establishes the tunnels at once. The other way round they
// would wait for its next handshake retry (every 5 s).
import type { Lab } from "../../lab/types.js";
import type { LabSecrets, WireguardKeyPair } from "../../secrets/types.js";
import { generatePresharedKey, generateWireguardKeyPair } from "../../secrets/wireguard.js";
import { nodePeer, publicEndpoint, seatHub } from "../../lab/mesh.js";
import { editPresharedKeys, presharedKeyEntries } from "../../secrets/preshared-keys.js";
import { distributionOf } from "../../render/distributions.js";
import type { Rotation, RolloutStep, RotationResult } from "./types.js";

export interface WireguardGenerators {
  readonly keyPair: () => WireguardKeyPair;
  readonly presharedKey: () => string;
}

/** Nodes in rollout order, each tier in spec order: directly reachable, NATed sites' entries, the rest. */
export function rolloutOrder(lab: Lab): string[] {
  const tier = (n: Lab["nodes"][number]) => (n.wireguardEndpoint || !n.nat ? 0 : publicEndpoint(lab, n) ? 1 : 2);
  return [0, 1, 2].flatMap((t) => lab.nodes.filter((n) => tier(n) === t)).map((n) => n.name);
}

/**
 * One step per node in rollout order. Talos: re-apply the node's machine config (its WireguardConfig
 * wg0 changes in place, no reboot). k3s/Debian: install wg0.conf and apply it with `wg syncconf`
 * (and the idempotent PostUp commands), which keeps the interface and unchanged sessions up.
 */
export function wireguardRollout(lab: Lab, order: readonly string[] = rolloutOrder(lab)): RolloutStep[] {
  return order.map((node) => distributionOf(lab).wireguardRollout(lab, node));
}

export function rotateWireguardSecrets(secrets: LabSecrets, lab: Lab, gen: Partial<WireguardGenerators> = {}): { secrets: LabSecrets; changed: string[] } {
  const keyPair = gen.keyPair ?? generateWireguardKeyPair;
  const presharedKey = gen.presharedKey ?? generatePresharedKey;
  const changed: string[] = [];
  const wireguard = { ...secrets.wireguard };
  const nodes = new Set(lab.nodes.map((n) => nodePeer(n.name)));
  for (const peer of Object.keys(wireguard).sort()) {
    if (!nodes.has(peer)) continue;
    wireguard[peer] = keyPair();
    changed.push(`wireguard key ${peer}`);
  }
  const psks = editPresharedKeys(secrets.wireguardPresharedKeys);
  for (const [a, b] of presharedKeyEntries(secrets.wireguardPresharedKeys)) {
    if (!nodes.has(a) || !nodes.has(b)) continue;
    psks.set(a, b, presharedKey());
    changed.push(`preshared key ${a}|${b}`);
  }
  return { secrets: { ...secrets, wireguard, wireguardPresharedKeys: psks.done() }, changed };
}

export function wireguardRotation(gen: Partial<WireguardGenerators> = {}): Rotation {
  return {
    kind: "wireguard",
    description: "new WireGuard keys for every node and new preshared keys between nodes; rolled out reachable nodes first",
    rotate(store, lab): RotationResult {
      const { secrets, changed } = rotateWireguardSecrets(store.secrets, lab, gen);
      const notes: string[] = [];
      const hub = lab.seats.length ? seatHub(lab) : undefined;
      if (hub) notes.push(`the seat hub ${hub.name} has a new key: re-import every seat's config (drover seat show <name>): ${lab.seats.map((s) => s.name).join(", ")}`);
      return { store: { ...store, secrets }, changed, rollout: wireguardRollout(lab), notes };
    },
  };
}
