// The DNS-provider contract, capability side: what a DNS provider is, answered as data, so that spec
// rules, the schema, the Lab and help texts ask the provider instead of comparing its name. What it
// renders (external-dns's settings and credentials, cert-manager's DNS-01 solver) is its file under
// render/platform/dns/, found by name in render/platform/dns/index.ts.

export interface DnsProvider {
  /** lab.yaml's network.dns.public / network.dns.private value */
  readonly name: string;
  /** how messages name it: "Cloudflare" */
  readonly title: string;
  /** a few words for help texts */
  readonly summary: string;
  /** which of the lab's domains it can hold records for */
  readonly zones: readonly ("public" | "private")[];
  /** cert-manager can answer ACME DNS-01 challenges with it (tls.challenge: dns01) */
  readonly dns01: boolean;
  /** its settings section, network.dns.<field>, and what goes there (the provider is off without it) */
  readonly settings?: { readonly field: "rfc2136"; readonly holds: string };
  /** the catalog app of the lab that is the DNS server (its load-balancer address serves the seats' names) */
  readonly app?: string;
}
