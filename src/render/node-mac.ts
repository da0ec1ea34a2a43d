// The MAC address of a node's first network interface: the one in the spec, or for VMs one derived
// from the lab and node names (locally administered, stable across renders), so that the Proxmox VM
// definition and the Talos link selector agree without the user picking MACs.
import { createHash } from "node:crypto";
import type { Lab, Node } from "../lab/types.js";

export function nodeMac(lab: Lab, node: Node): string | undefined {
  if (node.mac) return node.mac;
  if (node.kind !== "vm") return undefined;
  const h = createHash("sha256").update(`${lab.name}/${node.name}`).digest();
  // 02:xx:… : locally administered, unicast
  const bytes = [0x02, h[0]!, h[1]!, h[2]!, h[3]!, h[4]!];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
