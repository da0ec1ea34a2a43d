// Deterministic, stable address allocation: each key hashes to a preferred slot of the subnet and
// probes upward on collision, keys taken in sorted order. Adding or removing one key leaves every
// other key where it was unless it collided with it — peers keep their addresses as the lab changes.
import { createHash } from "node:crypto";
import { cidrSize, type Cidr } from "../net/ip.js";

export function allocate(subnet: Cidr, keys: readonly string[], taken: ReadonlySet<number> = new Set()): Map<string, number> {
  const usable = cidrSize(subnet) - 2; // no network, no broadcast
  const out = new Map<string, number>();
  if (usable <= 0) return out;
  const used = new Set(taken);
  for (const key of [...keys].sort()) {
    const h = createHash("sha256").update(key).digest().readUInt32BE(0);
    let slot = h % usable;
    for (let i = 0; i < usable; i++) {
      const ip = subnet.base + 1 + ((slot + i) % usable);
      if (!used.has(ip)) {
        used.add(ip);
        out.set(key, ip);
        break;
      }
    }
  }
  return out;
}
