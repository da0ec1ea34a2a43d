// DDNS (sites[].dynamicAddress): a site whose public IPv4 changes; an updater keeps
// ddns-<site>.<public domain> at it through Cloudflare's API, public records are CNAMEs to that name,
// and the router forwards ports as for a direct site.
import type { ExposureMode } from "./contract.js";
import { addressTarget } from "./direct.js";

/** The name a site's DDNS updater keeps at its public IPv4 (sites[].dynamicAddress). */
export const ddnsName = (site: string, publicDomain: string): string => `ddns-${site}.${publicDomain}`;

export const ddns: ExposureMode = {
  name: "ddns",
  title: "DDNS",
  summary: "port forwards to a changing public IPv4, kept in a DNS name by an updater",
  uses: (lab) => lab.dynamicAddress,
  // the site's address is its DDNS name (lab/resolve.ts)
  target: (at) => addressTarget(at.siteAddress),
  webForwards: true,
  http01: true,
  proxied: false,
  publicDns: "cloudflare",
  credentials: ["cloudflare-api-token"],
  carries: "all",
  check: () => [],
  *checkSite(spec, i) {
    const s = spec.sites[i]!;
    if (!s.dynamicAddress) return;
    const at = ["sites", i, "dynamicAddress"];
    if (s.name.length > 58) yield { at: ["sites", i, "name"], message: `the DDNS name ddns-${s.name} is longer than a DNS label (63)`, fix: "shorten the site name to at most 58 characters" };
    if (s.publicAddress) yield { at, message: "a site with a dynamic address has no fixed publicAddress: the DDNS updater keeps a name current instead", fix: "remove publicAddress (or dynamicAddress, if the address is fixed)" };
    if (!spec.cluster.domains.public) yield { at, message: "the DDNS name lives in the public domain, and cluster.domains.public is not set", fix: "set cluster.domains.public (the zone your DNS provider serves), or remove dynamicAddress" };
    else if (spec.network.dns.public !== ddns.publicDns) yield { at, message: `the DDNS updater updates Cloudflare, and network.dns.public is ${spec.network.dns.public}`, fix: "set network.dns.public: cloudflare (and store its token: drover secrets set cloudflare-api-token), or let your router's dynamic DNS keep a name current and set publicAddress to that name" };
  },
};
