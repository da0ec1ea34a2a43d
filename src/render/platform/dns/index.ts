// The DNS providers external-dns and cert-manager write to, found by name (network.dns.public /
// network.dns.private). Adding one: its capabilities in src/dns/, its file here, an entry in each table.
import type { DnsProviderName } from "../../../dns/index.js";
import type { DnsRenderer } from "./contract.js";
import { cloudflareDns } from "./cloudflare.js";
import { piholeDns } from "./pihole.js";
import { rfc2136Dns } from "./rfc2136.js";

export type { DnsRenderer, ExternalDnsSettings } from "./contract.js";

export const DNS_RENDERERS: Readonly<Record<DnsProviderName, DnsRenderer>> = {
  pihole: piholeDns,
  cloudflare: cloudflareDns,
  rfc2136: rfc2136Dns,
};
