// Public exposure that works: each exposure mode's own problems (src/exposure/), public DNS records must
// point at the site's public address (never a LAN address), and Let's Encrypt's HTTP-01 challenge needs
// port 80 of that address to reach the lab.
import { DNS01_NAMES, dnsProvider } from "../../dns/index.js";
import { EXPOSURE_MODES } from "../../exposure/index.js";
import { orList } from "../../net/words.js";
import type { Rule } from "./rule.js";
import { error, warning } from "./rule.js";
import { cidrContains, isPrivateIpv4, parseCidr, parseIp, parseRange } from "../../net/ip.js";

type Spec = Parameters<Rule>[0];

function inLan(lan: string, ip: number | undefined): boolean {
  const c = parseCidr(lan);
  return ip !== undefined && "cidr" in c && cidrContains(c.cidr, ip);
}

/** The site whose LAN holds the public entry point (its address, else the pool's), or the only site. */
function publicSiteIndex(spec: Spec): number {
  const pool = spec.network.loadBalancer?.pool;
  const r = pool ? parseRange(pool) : undefined;
  const ip = spec.network.ingress.public.address !== undefined ? parseIp(spec.network.ingress.public.address) : r && "range" in r ? r.range.first : undefined;
  const i = spec.sites.findIndex((s) => inLan(s.lan, ip));
  return i >= 0 ? i : spec.sites.length === 1 ? 0 : -1;
}

const endpointHost = (ep: string | undefined): string | undefined => (ep ? /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(ep)?.[1] : undefined);

export const publicExposure: Rule = function* (spec) {
  // each exposure mode's own problems (a tunnel's settings, a DDNS site's), then every site's address
  const modes = Object.values(EXPOSURE_MODES);
  for (const m of modes) for (const p of m.check(spec)) yield error(p.at, p.message, p.fix);
  for (const [i, s] of spec.sites.entries()) {
    for (const m of modes) for (const p of m.checkSite(spec, i)) yield error(p.at, p.message, p.fix);
    if (s.publicAddress && isPrivateIpv4(s.publicAddress)) {
      yield error(["sites", i, "publicAddress"], `${s.publicAddress} is a private address: the internet cannot reach it, and public DNS records must not point at it`, "set the router's public IPv4 (what https://ifconfig.me shows), or a DNS name your router's dynamic DNS keeps current");
    }
  }
  const hasPublic = spec.apps.some((a) => a.exposure === "public") || spec.functions.some((f) => f.webhook?.exposure === "public");
  if (!hasPublic || !spec.cluster.domains.public) return;
  const i = publicSiteIndex(spec);
  if (i < 0) return;
  const site = spec.sites[i]!;
  const address = site.publicAddress ?? endpointHost(site.endpoint);
  const usable = address !== undefined && !isPrivateIpv4(address);
  const provider = spec.network.dns.public;
  if (!usable && provider !== "none") {
    yield warning(["sites", i], `public services are published to ${provider} under ${spec.cluster.domains.public}, but site ${site.name} has no public address: external-dns would publish the load balancer's LAN address`, `set sites[${i}].publicAddress: the router's public IPv4, or a DNS name your router's dynamic DNS keeps current`);
  }
  if (site.nat && !site.portForwarding) {
    yield warning(["sites", i, "portForwarding"], `site ${site.name} serves public services but its router forwards no ports: nothing from the internet reaches them`, "serve them from a site that is not behind NAT (a cloud node), or forward the ports drover check lists");
  }
  if (spec.network.tls.challenge === "http01" && site.nat && (!site.portForwarding || !usable)) {
    const why = !site.portForwarding ? "its router forwards no ports" : "it has no public address";
    yield warning(["network", "tls", "challenge"], `Let's Encrypt's HTTP-01 challenge cannot reach port 80 of site ${site.name} (${why}): public certificates would never be issued`,
      dnsProvider(provider)?.dns01 ? `use challenge: dns01: ${provider} (network.dns.public) answers it with no port forward` : `forward port 80 to the public ingress and set sites[].publicAddress, or set network.dns.public (${orList(DNS01_NAMES)}) and use challenge: dns01`);
  }
};
