// A node's host network as Talos 1.12 network documents: its hostname, resolvers, the LAN link
// (found by MAC through a LinkAliasConfig) with a static address and default route, and on control
// planes the shared API endpoint as a Layer2VIPConfig on that link.
import type { Node } from "../../lab/types.js";

export const LAN_LINK = "net0";

/** The CEL selector of a node's LAN link: its MAC when known, else the only physical Ethernet link. */
export function linkSelector(mac: string | undefined): string {
  return mac ? `mac(link.permanent_addr) == "${mac}"` : `link.type == 1 && link.kind == "" && link.bus_path != ""`;
}

/** `vip`: the shared API address when this node carries it (a control plane on the VIP's LAN). */
export function networkDocuments(node: Node, mac: string | undefined, vip: string | undefined): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [
    { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: node.name },
  ];
  if (node.dns.length) docs.push({ apiVersion: "v1alpha1", kind: "ResolverConfig", nameservers: node.dns.map((address) => ({ address })) });
  docs.push({ apiVersion: "v1alpha1", kind: "LinkAliasConfig", name: LAN_LINK, selector: { match: linkSelector(mac) } });
  docs.push({
    apiVersion: "v1alpha1",
    kind: "LinkConfig",
    name: LAN_LINK,
    up: true,
    addresses: [{ address: `${node.address}/${node.prefix}` }],
    ...(node.gateway ? { routes: [{ gateway: node.gateway }] } : {}),
  });
  if (vip) docs.push({ apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: vip, link: LAN_LINK });
  return docs;
}
