// A LAN address for a new node: the first free one after the site's highest node address (then from
// the bottom of the LAN), never the network or broadcast address, the gateway, a DNS server, a host's
// or node's address, the API endpoint, the ingress addresses, or anything in the load-balancer pool.
import type { LabSpec } from "../spec/schema.js";
import { cidrContains, cidrLast, formatIp, parseCidr, parseIp, parseRange } from "../net/ip.js";

/** Addresses a new node must not take (as integers). */
export function takenAddresses(spec: LabSpec): { taken: Set<number>; ranges: [number, number][] } {
  const taken = new Set<number>();
  const add = (a: string | undefined) => {
    const ip = a ? parseIp(a) : undefined;
    if (ip !== undefined) taken.add(ip);
  };
  for (const s of spec.sites) {
    add(s.gateway);
    s.dns.forEach(add);
  }
  spec.hosts.forEach((h) => add(h.address));
  spec.nodes.forEach((n) => add(n.address));
  add(spec.cluster.endpoint.address);
  add(spec.network.ingress.public.address);
  add(spec.network.ingress.private.address);
  const ranges: [number, number][] = [];
  if (spec.network.loadBalancer) {
    const r = parseRange(spec.network.loadBalancer.pool);
    if ("range" in r) ranges.push([r.range.first, r.range.last]);
  }
  return { taken, ranges };
}

export function freeNodeAddress(spec: LabSpec, site: string): string | undefined {
  const s = spec.sites.find((x) => x.name === site);
  if (!s) return undefined;
  const parsed = parseCidr(s.lan);
  if (!("cidr" in parsed)) return undefined;
  const lan = parsed.cidr;
  const first = lan.base + 1;
  const last = cidrLast(lan) - 1;
  if (last < first) return undefined;
  const { taken, ranges } = takenAddresses(spec);
  const free = (ip: number) => !taken.has(ip) && !ranges.some(([a, b]) => ip >= a && ip <= b);
  const inSite = spec.nodes.map((n) => parseIp(n.address)).filter((ip): ip is number => ip !== undefined && cidrContains(lan, ip));
  const low = Math.min(last, first + (last - first >= 20 ? 9 : 0)); // leave .1–.9 to routers and friends
  const start = inSite.length ? Math.max(...inSite) + 1 : low;
  for (let ip = start; ip <= last; ip++) if (free(ip)) return formatIp(ip);
  for (let ip = low; ip < Math.min(start, last + 1); ip++) if (free(ip)) return formatIp(ip);
  for (let ip = first; ip < low; ip++) if (free(ip)) return formatIp(ip);
  return undefined;
}
