// Cloudflare Tunnel (network.tunnel), for labs behind CGNAT or a router without port forwards:
// cloudflared dials out, public records are proxied CNAMEs to <tunnel id>.cfargotunnel.com, no router
// forwards 80/443, HTTP-01 cannot reach the lab, and only HTTP(S) to the public entry point is carried.
import type { ExposureMode } from "./contract.js";

/** The DNS name Cloudflare gives a tunnel: public records are proxied CNAMEs to it. */
export const tunnelName = (id: string): string => `${id}.cfargotunnel.com`;

export const tunnel: ExposureMode = {
  name: "tunnel",
  title: "Cloudflare Tunnel",
  summary: "cloudflared dials out to Cloudflare: no port forwards (CGNAT)",
  uses: (lab) => lab.tunnel,
  target: (at) => (at.tunnelId ? { kind: "name", value: tunnelName(at.tunnelId) } : undefined),
  webForwards: false,
  http01: false,
  proxied: true,
  publicDns: "cloudflare",
  credentials: ["cloudflare-tunnel-credentials", "cloudflare-api-token"],
  carries: "https",
  *check(spec) {
    if (!spec.network.tunnel) return;
    const at = ["network", "tunnel"];
    if (!spec.cluster.domains.public) yield { at, message: "a tunnel carries the public domain's services, and cluster.domains.public is not set", fix: "set cluster.domains.public (a zone on your Cloudflare account), or remove network.tunnel" };
    else if (spec.network.dns.public !== tunnel.publicDns) yield { at, message: `the tunnel's DNS records are proxied CNAMEs in Cloudflare, and network.dns.public is ${spec.network.dns.public}`, fix: "set network.dns.public: cloudflare (its token: drover secrets set cloudflare-api-token)" };
    if (!tunnel.http01 && spec.network.tls.challenge !== "dns01") yield { at: ["network", "tls", "challenge"], message: "behind a tunnel Let's Encrypt's HTTP-01 challenge cannot reach the lab's port 80", fix: "set network.tls.challenge: dns01 (Cloudflare answers it with the same token)" };
    for (const [i, s] of spec.sites.entries()) if (s.dynamicAddress) yield { at: ["sites", i, "dynamicAddress"], message: "a lab behind a tunnel publishes no address: the tunnel's name replaces the DDNS name", fix: "remove dynamicAddress (or the tunnel)" };
  },
  checkSite: () => [],
  reach: {
    at: ["network", "tunnel"],
    noEntryAddress: { message: "the tunnel sends public names to the public entry point, and it has no load-balancer address", fix: "set network.loadBalancer.pool (or network.ingress.public.address)" },
    rawPort: (app, port) => ({
      message: `${app}'s ${port} is not reached through the Cloudflare Tunnel: a tunnel carries HTTP(S) to this lab, not raw ports`,
      fix: "reach it over the WireGuard mesh (seats), or through cloudflared access on the client (a TCP route in Cloudflare), or set the app's exposure to private",
    }),
  },
};
