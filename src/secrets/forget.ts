// Forgetting a peer's WireGuard material when its node leaves the lab for good: its key pair and every
// preshared key it shares. (A node that comes back later gets new keys: the old ones left with it.)
import type { LabSecrets } from "./types.js";
import { editPresharedKeys } from "./preshared-keys.js";

export function forgetPeer(secrets: LabSecrets, peer: string): { secrets: LabSecrets; removed: string[] } {
  const removed: string[] = [];
  const wireguard = Object.fromEntries(Object.entries(secrets.wireguard).filter(([p]) => (p === peer ? (removed.push(`wireguard key ${p}`), false) : true)));
  const edit = editPresharedKeys(secrets.wireguardPresharedKeys);
  for (const pair of edit.dropPeer(peer)) removed.push(`preshared key ${pair}`);
  const psks = edit.done();
  return { secrets: { ...secrets, wireguard, wireguardPresharedKeys: psks }, removed };
}
