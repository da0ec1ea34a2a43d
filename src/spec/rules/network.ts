import type { Rule } from "./rule.js";
import { error, warning } from "./rule.js";
import type { Finding, Path } from "../diagnostic.js";
import { hostKind } from "../../net/host.js";
import { capabilitiesOf } from "../../distributions/index.js";
import { cidrContains, formatIp, parseCidr, parseIp, parseRange, rangesOverlap, cidrLast, type Cidr } from "../../net/ip.js";

interface Block { path: Path; what: string; first: number; last: number; text: string }

const cidrOf = (text: string): Cidr | undefined => { const r = parseCidr(text); return "cidr" in r ? r.cidr : undefined; };

/** LANs, pod and service CIDRs, the overlay and the load-balancer pool never overlap. */
export const noOverlappingNetworks: Rule = function* (spec) {
  const blocks: Block[] = [];
  const add = (path: Path, what: string, text: string | undefined) => {
    if (!text) return;
    const c = cidrOf(text);
    if (c) blocks.push({ path, what, first: c.base, last: cidrLast(c), text });
  };
  for (const [i, s] of spec.sites.entries()) add(["sites", i, "lan"], `the LAN of site ${s.name}`, s.lan);
  add(["cluster", "podCIDR"], "the pod CIDR", spec.cluster.podCIDR);
  add(["cluster", "serviceCIDR"], "the service CIDR", spec.cluster.serviceCIDR);
  add(["network", "overlay", "subnet"], "the WireGuard overlay", spec.network.overlay.subnet);
  // a sweep in address order (n log n; 2,000 sites on one LAN made the pairwise check quadratic): each
  // block that overlaps one before it is reported once, at whichever of the two comes later in lab.yaml
  const order = blocks.map((_, i) => i).sort((x, y) => blocks[x]!.first - blocks[y]!.first || x - y);
  let reach = -1; // the block reaching furthest so far
  const overlaps: [number, number][] = [];
  for (const i of order) {
    const a = blocks[i]!;
    if (reach >= 0 && blocks[reach]!.last >= a.first) overlaps.push(i > reach ? [i, reach] : [reach, i]);
    if (reach < 0 || a.last > blocks[reach]!.last) reach = i;
  }
  overlaps.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [i, j] of overlaps) {
    const a = blocks[i]!, b = blocks[j]!;
    yield error(a.path, `${a.text} overlaps ${b.what} (${b.text})`, "every network of the lab needs its own address range; pick a range that is free");
  }
  const lb = spec.network.loadBalancer;
  if (lb) {
    const r = parseRange(lb.pool);
    if ("range" in r) {
      for (const b of blocks) {
        if (b.what.startsWith("the LAN")) continue; // the pool normally sits inside a LAN
        if (rangesOverlap(r.range.first, r.range.last, b.first, b.last)) yield error(["network", "loadBalancer", "pool"], `${lb.pool} overlaps ${b.what} (${b.text})`, "take the pool from a LAN range that no DHCP server or node uses");
      }
      const inLan = spec.sites.some((s) => { const c = cidrOf(s.lan); return c && cidrContains(c, r.range.first) && cidrContains(c, r.range.last); });
      if (!inLan) yield warning(["network", "loadBalancer", "pool"], `${lb.pool} is not inside any site's LAN`, "L2 announcements only reach a LAN; use addresses from the LAN the clients are on");
      // the API virtual IP, hosts and guest VMs must not sit inside the pool either
      const vip = parseIp(spec.cluster.endpoint.address);
      if (vip !== undefined && spec.cluster.endpoint.vip !== false && vip >= r.range.first && vip <= r.range.last) yield error(["cluster", "endpoint", "address"], `the virtual IP ${spec.cluster.endpoint.address} is inside the load-balancer pool ${lb.pool}`, "the pool hands its addresses to services; pick a VIP outside it");
      for (const [hi, h] of spec.hosts.entries()) {
        const hip = h.address ? parseIp(h.address) : undefined;
        if (hip !== undefined && hip >= r.range.first && hip <= r.range.last) yield error(["hosts", hi, "address"], `${h.address} is inside the load-balancer pool ${lb.pool}`, "move the host's address out of the pool, or shrink the pool");
        for (const [gi, g] of h.guests.entries()) {
          const gip = g.address ? parseIp(g.address) : undefined;
          if (gip !== undefined && gip >= r.range.first && gip <= r.range.last) yield error(["hosts", hi, "guests", gi, "address"], `${g.address} is inside the load-balancer pool ${lb.pool}`, "move the guest's address out of the pool, or shrink the pool");
        }
      }
      // nodes must not sit inside the pool
      for (const [i, n] of spec.nodes.entries()) {
        const ip = parseIp(n.address);
        if (ip !== undefined && ip >= r.range.first && ip <= r.range.last) yield error(["nodes", i, "address"], `${n.address} is inside the load-balancer pool ${lb.pool}`, "move the node out of the pool, or shrink the pool");
      }
      for (const key of ["public", "private"] as const) {
        const addr = spec.network.ingress[key].address;
        const ip = addr ? parseIp(addr) : undefined;
        if (ip !== undefined && (ip < r.range.first || ip > r.range.last)) yield error(["network", "ingress", key, "address"], `${addr} is outside the load-balancer pool ${lb.pool}`, "ingress addresses are handed out from the pool; pick one inside it");
      }
    }
  }
};

/** Node addresses sit in their site's LAN (cloud nodes excepted), gateways too. */
export const addressesInSite: Rule = function* (spec) {
  const siteOf = new Map(spec.sites.map((s, i) => [s.name, { s, i, c: cidrOf(s.lan) }]));
  const hostSite = new Map(spec.hosts.map((h) => [h.name, h.site]));
  for (const [i, s] of spec.sites.entries()) {
    const c = cidrOf(s.lan);
    if (!c) continue;
    if (s.gateway) { const g = parseIp(s.gateway); if (g !== undefined && !cidrContains(c, g)) yield error(["sites", i, "gateway"], `gateway ${s.gateway} is outside the site's LAN ${s.lan}`, "the gateway must be an address of the LAN"); }
  }
  for (const [i, n] of spec.nodes.entries()) {
    const site = siteOf.get(hostSite.get(n.host) ?? "");
    if (!site?.c) continue;
    const ip = parseIp(n.address);
    if (ip === undefined) continue;
    if (!cidrContains(site.c, ip)) {
      yield error(["nodes", i, "address"], `${n.address} is outside the LAN ${site.s.lan} of site ${site.s.name} (node ${n.name} is on host ${n.host})`, `use an address in ${site.s.lan}, or move the host to the right site`);
    } else if (ip === site.c.base || ip === cidrLast(site.c)) {
      yield error(["nodes", i, "address"], `${n.address} is the ${ip === site.c.base ? "network" : "broadcast"} address of ${site.s.lan}`, "pick a host address inside the LAN");
    } else if (site.s.gateway === n.address) {
      yield error(["nodes", i, "address"], `${n.address} is the gateway of site ${site.s.name}`, "pick a free address");
    }
  }
  for (const [hi, h] of spec.hosts.entries()) {
    const site = siteOf.get(h.site);
    if (!site?.c) continue;
    const check = (addr: string | undefined, path: Path, what: string) => {
      const ip = addr ? parseIp(addr) : undefined;
      if (ip !== undefined && !cidrContains(site.c!, ip)) yield_.push(error(path, `${addr} is outside the LAN ${site.s.lan} of site ${site.s.name} (${what})`, `use an address in ${site.s.lan}, or move the host to the right site`));
    };
    const yield_: Finding[] = [];
    if (spec.sites[site.i]!.kind !== "cloud") check(h.address, ["hosts", hi, "address"], `host ${h.name} is there`);
    for (const [gi, g] of h.guests.entries()) check(g.address, ["hosts", hi, "guests", gi, "address"], `guest ${g.name} runs on host ${h.name}`);
    yield* yield_;
  }
  const overlay = cidrOf(spec.network.overlay.subnet);
  if (overlay) {
    for (const [i, s] of spec.network.seats.entries()) {
      const ip = s.address ? parseIp(s.address) : undefined;
      if (ip !== undefined && !cidrContains(overlay, ip)) yield error(["network", "seats", i, "address"], `${s.address} is outside the overlay ${spec.network.overlay.subnet}`, "seat addresses come from network.overlay.subnet; leave it out to have one allocated");
    }
    const needed = spec.nodes.length + spec.network.seats.length;
    const size = cidrLast(overlay) - overlay.base - 1;
    if (needed > size) yield error(["network", "overlay", "subnet"], `${spec.network.overlay.subnet} has room for ${size} peers but the lab has ${needed} nodes and seats`, `use a larger subnet such as ${formatIp(overlay.base)}/${Math.max(8, 32 - Math.ceil(Math.log2(needed + 2)))}`);
  }
};

/** The API endpoint: a VIP must be a free address on the control planes' LAN. */
export const apiEndpoint: Rule = function* (spec) {
  const ep = spec.cluster.endpoint;
  const ip = parseIp(ep.address);
  if (ip === undefined) {
    if (ep.vip) yield error(["cluster", "endpoint", "address"], `a virtual IP must be an IPv4 address, not ${ep.address}`, "set vip: false to use a DNS name that points at the control planes");
    else if (!/^[a-z0-9.-]+$/.test(ep.address)) yield error(["cluster", "endpoint", "address"], `${ep.address} is neither an IPv4 address nor a DNS name`);
    return;
  }
  if (spec.nodes.some((n) => n.address === ep.address) && ep.vip !== false) {
    yield error(["cluster", "endpoint", "address"], `the virtual IP ${ep.address} is also a node's address`, "a VIP must be a free address; or set vip: false to use that node's address directly");
  }
  const hostSite = new Map(spec.hosts.map((h) => [h.name, h.site]));
  const cpSites = new Set(spec.nodes.filter((n) => n.role === "controlplane").map((n) => hostSite.get(n.host)).filter((x): x is string => x !== undefined && spec.sites.some((s) => s.name === x)));
  if (ep.vip !== false) {
    const lans = spec.sites.filter((s) => cpSites.has(s.name));
    const inside = lans.some((s) => { const c = cidrOf(s.lan); return c && cidrContains(c, ip); });
    if (lans.length && !inside) yield error(["cluster", "endpoint", "address"], `the virtual IP ${ep.address} is not in the LAN of the control planes (${lans.map((s) => s.lan).join(", ")})`, "a VIP is announced on the LAN; pick a free address there");
    if (cpSites.size > 1) yield warning(["cluster", "endpoint", "address"], `control planes sit on ${cpSites.size} sites but a virtual IP lives on one LAN`, "use a DNS name for the endpoint (vip: false), or keep the control planes on one site");
  }
};

/** Sites reached from outside need a way in. */
export const siteReachability: Rule = function* (spec) {
  if (spec.sites.length < 2) return;
  const reachable = spec.sites.filter((s) => s.endpoint || !s.nat);
  if (reachable.length === 0) {
    yield error(["sites"], "no site can be reached from the others: every site is behind NAT and none has an endpoint", "give at least one site (or a cloud node) a public endpoint so the WireGuard mesh can form");
  }
};

/** Some distributions take a node's public address as an IP only (k3s: node-external-ip; Talos: IPv4 WireGuard peers). */
export const publicAddresses: Rule = function* (spec) {
  const ip = capabilitiesOf(spec.cluster.distribution).publicAddressIp;
  if (!ip) return;
  for (const [i, n] of spec.nodes.entries()) {
    if (!n.publicAddress) continue;
    if (ip.family === "ipv4") {
      if (parseIp(n.publicAddress) === undefined) yield error(["nodes", i, "publicAddress"], `${n.publicAddress} is not an IPv4 address; ${ip.why}`, "use the node's public IPv4 address");
    } else if (hostKind(n.publicAddress) === "dns") yield error(["nodes", i, "publicAddress"], `${n.publicAddress} is a DNS name; ${ip.why}`, "use the node's public IPv4 or IPv6 address");
  }
};

export function* allNetwork(spec: Parameters<Rule>[0]): Generator<Finding> {
  yield* noOverlappingNetworks(spec);
  yield* addressesInSite(spec);
  yield* apiEndpoint(spec);
  yield* siteReachability(spec);
  yield* publicAddresses(spec);
}
