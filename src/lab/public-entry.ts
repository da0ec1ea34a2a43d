// How the lab's public services are reached from the internet: which site serves them (the one whose
// LAN holds the public entry point's load-balancer address), what public DNS records point at (that
// site's public address: a fixed IPv4, or a DNS name kept current elsewhere, never a LAN address), and
// which router port forwards that takes (80 and 443 to the public ingress, each public TCP/UDP app port
// to its load-balancer address, the WireGuard port to the site's entry node).
import type { Lab, Site } from "./types.js";
import { cidrContains, isPrivateIpv4, parseCidr, parseIp } from "../net/ip.js";

export interface PublicTarget {
  /** "address": an A record to an IPv4; "name": a CNAME to a DNS name kept current elsewhere */
  readonly kind: "address" | "name";
  readonly value: string;
}

export interface PortForward {
  readonly site: string;
  readonly port: number;
  readonly protocol: "TCP" | "UDP";
  /** LAN address the router forwards to */
  readonly to: string | undefined;
  readonly toPort: number;
  /** what needs it */
  readonly what: string;
}

function siteOf(lab: Lab, address: string | undefined): Site | undefined {
  const ip = address ? parseIp(address) : undefined;
  if (ip === undefined) return undefined;
  return lab.sites.find((s) => {
    const c = parseCidr(s.lan);
    return "cidr" in c && cidrContains(c.cidr, ip);
  });
}

/** The DNS name Cloudflare gives a tunnel: public records are proxied CNAMEs to it. */
export const tunnelName = (id: string): string => `${id}.cfargotunnel.com`;

/** The name a site's DDNS updater keeps at its public IPv4 (sites[].dynamicAddress). */
export const ddnsName = (site: string, publicDomain: string): string => `ddns-${site}.${publicDomain}`;

/** The apps reached from the internet (public exposure). */
export const publicApps = (lab: Lab) => lab.apps.filter((a) => a.exposure.kind === "public");

/** The site that serves public traffic: the one whose LAN holds the public entry point (or the only site). */
export function publicSite(lab: Lab): Site | undefined {
  const lb = lab.ingress.publicAddress ?? publicApps(lab).map((a) => a.loadBalancerAddress).find((x) => x);
  return siteOf(lab, lb) ?? (lab.sites.length === 1 ? lab.sites[0] : undefined);
}

/** What public DNS records point at: the public site's public address, when it is a public one. */
export function publicTarget(lab: Lab): PublicTarget | undefined {
  // behind a Cloudflare Tunnel: proxied CNAMEs to the tunnel's own name
  if (lab.network.tunnel) return { kind: "name", value: tunnelName(lab.network.tunnel.id) };
  const a = publicSite(lab)?.publicAddress;
  if (!a) return undefined;
  if (parseIp(a) !== undefined) return isPrivateIpv4(a) ? undefined : { kind: "address", value: a };
  return { kind: "name", value: a };
}

/** The router port forwards the lab needs, per site: public entry points, public app ports, WireGuard. */
export function portForwards(lab: Lab): PortForward[] {
  const out: PortForward[] = [];
  const site = publicSite(lab);
  const apps = publicApps(lab);
  if (site && site.nat) {
    // (behind a tunnel, web traffic comes through cloudflared's outgoing connections: no forward)
    if (!lab.network.tunnel && (apps.some((a) => a.exposure.hostname && a.catalog.ports.some((p) => p.http)) || lab.functions.some((f) => f.webhook?.exposure === "public"))) {
      const to = lab.ingress.publicAddress;
      const http01 = lab.network.tls.challenge === "http01";
      out.push({ site: site.name, port: 80, protocol: "TCP", to, toPort: 80, what: http01 ? "HTTP (Let's Encrypt HTTP-01, redirects)" : "HTTP (redirects to HTTPS)" });
      out.push({ site: site.name, port: 443, protocol: "TCP", to, toPort: 443, what: "HTTPS (public services)" });
    }
    for (const a of apps) {
      for (const p of a.catalog.ports.filter((x) => x.loadBalancer)) {
        const port = p.servicePort ?? p.port;
        out.push({ site: site.name, port, protocol: p.protocol, to: a.loadBalancerAddress, toPort: port, what: `${a.name} (${p.name})` });
      }
    }
  }
  for (const s of lab.sites) {
    // the WireGuard port of a site reached from outside leads to its entry node
    if (!s.nat || !s.endpointHost) continue;
    const ep = lab.spec.sites.find((x) => x.name === s.name)?.endpoint ?? "";
    const port = Number(/:(\d+)$/.exec(ep)?.[1] ?? lab.overlay.port);
    const nodes = lab.nodes.filter((n) => n.site === s.name);
    const entry = lab.nodes.find((n) => n.name === lab.overlay.leaders[s.name]) ?? nodes.find((n) => !n.volatile) ?? nodes[0];
    out.push({ site: s.name, port, protocol: "UDP", to: entry?.address, toPort: lab.overlay.port, what: `WireGuard (entry node ${entry?.name ?? "none"})` });
  }
  return out;
}
