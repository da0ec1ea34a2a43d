// How the lab's public services are reached from the internet: which site serves them (the one whose
// LAN holds the public entry point's load-balancer address), by which exposure mode (src/exposure/:
// direct, DDNS, Cloudflare Tunnel), what public DNS records point at (the mode's answer: the site's
// public address, never a LAN address, or the tunnel's name), and which router port forwards that
// takes (80 and 443 to the public ingress when the mode needs them, each public TCP/UDP app port to its
// load-balancer address, the WireGuard port to the site's entry node).
import type { Lab, Site } from "./types.js";
import { cidrContains, parseCidr, parseIp } from "../net/ip.js";
import { exposureMode, type ExposureMode, type PublicTarget } from "../exposure/index.js";

export type { PublicTarget } from "../exposure/index.js";

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

/** The apps reached from the internet (public exposure). */
export const publicApps = (lab: Lab) => lab.apps.filter((a) => a.exposure.kind === "public");

/** The site that serves public traffic: the one whose LAN holds the public entry point (or the only site). */
export function publicSite(lab: Lab): Site | undefined {
  const lb = lab.ingress.publicAddress ?? publicApps(lab).map((a) => a.loadBalancerAddress).find((x) => x);
  return siteOf(lab, lb) ?? (lab.sites.length === 1 ? lab.sites[0] : undefined);
}

/** How the public site is reached: a tunnel (lab-wide), else the site's DDNS name, else direct port forwards. */
export function publicExposure(lab: Lab, site: Site | undefined = publicSite(lab)): ExposureMode {
  return exposureMode({ tunnel: lab.network.tunnel !== undefined, dynamicAddress: site?.ddnsName !== undefined });
}

/** What public DNS records point at: the exposure mode's answer (the public site's public address, the tunnel's name). */
export function publicTarget(lab: Lab): PublicTarget | undefined {
  const site = publicSite(lab);
  return publicExposure(lab, site).target({ tunnelId: lab.network.tunnel?.id, siteAddress: site?.publicAddress });
}

/** The router port forwards the lab needs, per site: public entry points, public app ports, WireGuard. */
export function portForwards(lab: Lab): PortForward[] {
  const out: PortForward[] = [];
  const site = publicSite(lab);
  const apps = publicApps(lab);
  if (site && site.nat) {
    // (behind a tunnel, web traffic comes through cloudflared's outgoing connections: no forward)
    if (publicExposure(lab, site).webForwards && (apps.some((a) => a.exposure.hostname && a.catalog.ports.some((p) => p.http)) || lab.functions.some((f) => f.webhook?.exposure === "public"))) {
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
