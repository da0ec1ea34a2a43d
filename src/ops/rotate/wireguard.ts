// Rotating the mesh's WireGuard keys: every node gets a new key pair, every node-to-node pair a new
// preshared key. Seats keep theirs (their devices hold them); they need a new config only when the
// hub's public key changed, which it did.
//
// Rollout order, "reachable first": nodes that others can reach (public address, no NAT, the site's
// forwarded port) take their new config first, then the nodes behind NAT. A node behind NAT can only be
// reached after it has sent a handshake itself; when it switches last, every reachable peer already
// knows its new key, so its first keepalive re-establishes the tunnels at once. The other way round
// the reachable nodes would wait for the NATed nodes' next handshake retry (every 5 s).
import type { Lab } from "../../lab/types.js";
import type { LabSecrets, WireguardKeyPair } from "../../secrets/types.js";
import { generatePresharedKey, generateWireguardKeyPair } from "../../secrets/wireguard.js";
import { nodePeer, seatHub } from "../../secrets/peers.js";
import { publicEndpoint } from "../../render/wireguard/mesh.js";
import type { Rotation, RotationStep } from "./types.js";
import type { FileTree } from "../../render/tree.js";
import { join, relative } from "node:path";

export interface WireguardGenerators {
  readonly keyPair: () => WireguardKeyPair;
  readonly presharedKey: () => string;
}

/** Nodes in rollout order: reachable ones first, then those behind NAT, each group in spec order. */
export function rolloutOrder(lab: Lab): string[] {
  const reachable = lab.nodes.filter((n) => publicEndpoint(lab, n) !== undefined || !n.nat);
  const rest = lab.nodes.filter((n) => !reachable.includes(n));
  return [...reachable, ...rest].map((n) => n.name);
}

const rel = (outDir: string, p: string) => relative(process.cwd(), join(outDir, p)) || p;

/** One step per node in rollout order: install the node's new overlay config and apply it in place. */
export function wireguardRollout(lab: Lab, tree: FileTree, outDir: string, order: readonly string[] = rolloutOrder(lab)): RotationStep[] {
  const tc = [...tree.keys()].find((p) => p.endsWith("talosconfig"));
  return order.map((name) => {
    const n = lab.node(name);
    if (lab.distribution === "talos") {
      return {
        title: `${name}${n.nat ? " (behind NAT)" : ""}: apply its machine config (the WireguardConfig wg0 changes in place)`,
        commands: [`talosctl ${tc ? `--talosconfig ${rel(outDir, tc)} ` : ""}--nodes ${n.address} apply-config --file ${rel(outDir, `talos/${name}.yaml`)}`],
      };
    }
    return {
      title: `${name}${n.nat ? " (behind NAT)" : ""}: install wg0.conf and apply it without dropping the interface`,
      commands: [
        `scp ${rel(outDir, `wireguard/${name}/wg0.conf`)} root@${n.address}:/etc/wireguard/wg0.conf`,
        `ssh root@${n.address} "chmod 600 /etc/wireguard/wg0.conf && wg syncconf wg0 <(wg-quick strip wg0)"`,
      ],
    };
  });
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
  const psks = { ...secrets.wireguardPresharedKeys };
  for (const pair of Object.keys(psks).sort()) {
    const [a, b] = pair.split("|") as [string, string];
    if (!nodes.has(a) || !nodes.has(b)) continue;
    psks[pair] = presharedKey();
    changed.push(`preshared key ${pair}`);
  }
  return { secrets: { ...secrets, wireguard, wireguardPresharedKeys: psks }, changed };
}

export function wireguardRotation(gen: Partial<WireguardGenerators> = {}): Rotation {
  return {
    name: "wireguard",
    description: "new WireGuard keys for every node, new preshared keys between nodes; rolled out reachable nodes first",
    async rotate({ lab, store }) {
      const { secrets, changed } = rotateWireguardSecrets(store.secrets, lab, gen);
      return { store: { ...store, secrets }, changed: summarize(changed) };
    },
    rollout({ lab, tree, outDir }) {
      const steps = wireguardRollout(lab, tree, outDir);
      const hub = lab.seats.length ? seatHub(lab) : undefined;
      if (hub) {
        steps.push({
          title: `the seat hub ${hub.name} has a new key: every seat imports its config again`,
          commands: lab.seats.map((s) => `drover seat show ${s.name}`),
        });
      }
      return steps;
    },
  };
}

/** "4 node keys", "6 preshared keys between nodes" (never the values) */
function summarize(changed: readonly string[]): string[] {
  const keys = changed.filter((c) => c.startsWith("wireguard key")).length;
  const psks = changed.length - keys;
  return [`${keys} node WireGuard key pair${keys === 1 ? "" : "s"} (${changed.filter((c) => c.startsWith("wireguard key")).map((c) => c.slice("wireguard key node/".length)).join(", ")})`, `${psks} preshared key${psks === 1 ? "" : "s"} between nodes`];
}

export const wireguardKeyRotation = wireguardRotation();
