// dns/: what each DNS provider is (its capabilities, as data), found by name; its rendering is render/platform/dns/.
import type { DnsProvider } from "./contract.js";
import { pihole } from "./pihole.js";
import { cloudflare } from "./cloudflare.js";
import { rfc2136 } from "./rfc2136.js";

export type { DnsProvider } from "./contract.js";

/** Every DNS provider, by lab.yaml name. Adding one: its file here, its render/platform/dns/ file and its entry in each table. */
export const DNS_PROVIDERS = { pihole, cloudflare, rfc2136 } as const satisfies Record<string, DnsProvider>;

export type DnsProviderName = keyof typeof DNS_PROVIDERS;

const namesFor = (zone: "public" | "private") => Object.values(DNS_PROVIDERS).filter((p) => (p.zones as readonly string[]).includes(zone)).map((p) => p.name as DnsProviderName);

/** What network.dns.public / network.dns.private may name (the schema's enums), then "none". */
type Names = [DnsProviderName | "none", ...(DnsProviderName | "none")[]];
export const PUBLIC_DNS_NAMES = [...namesFor("public"), "none"] as unknown as Names;
export const PRIVATE_DNS_NAMES = [...namesFor("private"), "none"] as unknown as Names;

export function dnsProvider(name: string): DnsProvider | undefined {
  return (DNS_PROVIDERS as Record<string, DnsProvider>)[name];
}


/** The public providers cert-manager answers DNS-01 with. */
export const DNS01_NAMES = Object.values(DNS_PROVIDERS).filter((p) => p.dns01 && (p.zones as readonly string[]).includes("public")).map((p) => p.name);
