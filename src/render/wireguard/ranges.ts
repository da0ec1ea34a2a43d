// An address range as the fewest CIDRs that cover it exactly (WireGuard AllowedIPs take CIDRs).
import { formatIp, parseRange } from "../../net/ip.js";

export function rangeToCidrs(text: string): string[] {
  const r = parseRange(text);
  if (!("range" in r)) throw new Error(`internal: unvalidated range ${text}`);
  const out: string[] = [];
  let first = r.range.first;
  const last = r.range.last;
  while (first <= last) {
    let bits = 32;
    // grow the block while it stays aligned and inside the range
    while (bits > 0) {
      const size = 2 ** (33 - bits);
      if (first % size !== 0 || first + size - 1 > last) break;
      bits--;
    }
    out.push(`${formatIp(first)}/${bits}`);
    first += 2 ** (32 - bits);
  }
  return out;
}
