// The WireGuard overlay (wg0) of one Talos node as a Talos WireguardConfig document. The mesh itself
// (which peers, keys, allowed addresses, endpoints, keepalives) is src/render/wireguard/mesh.ts, the
// same plan the wg-quick files are rendered from; this file only maps it to Talos's fields.
// Talos differences: an endpoint must be an address:port (a DNS name is left out: the peer is
// reached once it has contacted us), and wg-quick's PostUp commands have no Talos counterpart
// (Talos nodes forward IPv4 already; LB and ingress addresses of the private services are answered by
// the nodes themselves, so seat traffic needs no masquerade on Talos).
import type { Lab, Node } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { nodePeer } from "../../lab/mesh.js";
import { nodeInterfaces, type WgInterface } from "../wireguard/mesh.js";

export const OVERLAY_LINK = "wg0";
const IP_PORT = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;

export interface WireguardPeer {
  readonly publicKey: string;
  readonly presharedKey: string;
  readonly endpoint?: string;
  readonly persistentKeepaliveInterval?: string;
  readonly allowedIPs: readonly string[];
}

/** Every node's mesh interface, computed once per render. */
export interface OverlayIndex {
  readonly interfaces: ReadonlyMap<string, WgInterface>;
}

export function overlayIndex(lab: Lab, secrets: LabSecrets): OverlayIndex {
  return { interfaces: new Map(nodeInterfaces(lab, secrets).map((i) => [i.id, i])) };
}

function iface(idx: OverlayIndex, node: Node): WgInterface {
  const i = idx.interfaces.get(nodePeer(node.name));
  if (!i) throw new Error(`internal: no WireGuard interface planned for node ${node.name}`);
  return i;
}

/** The peers of `node`, in the mesh plan's order (nodes in spec order, then seats). */
export function nodePeers(idx: OverlayIndex, node: Node): WireguardPeer[] {
  return iface(idx, node).peers.map((p) => {
    const endpoint = p.endpoint && IP_PORT.test(p.endpoint) ? p.endpoint : undefined;
    return {
      publicKey: p.publicKey,
      presharedKey: p.presharedKey,
      ...(endpoint ? { endpoint } : {}),
      ...(p.keepalive ? { persistentKeepaliveInterval: `${p.keepalive}s` } : {}),
      allowedIPs: p.allowedIps, // shared, not copied: nothing downstream mutates (patches merge into new arrays)
    };
  });
}

/** The WireguardConfig document for wg0. */
export function wireguardDocument(lab: Lab, idx: OverlayIndex, node: Node): Record<string, unknown> {
  const i = iface(idx, node);
  return {
    apiVersion: "v1alpha1",
    kind: "WireguardConfig",
    name: OVERLAY_LINK,
    privateKey: i.privateKey,
    listenPort: lab.overlay.port,
    peers: nodePeers(idx, node),
    up: true,
    mtu: lab.overlay.mtu,
    addresses: [{ address: `${node.overlayAddress}/${lab.overlay.prefix}` }],
  };
}
