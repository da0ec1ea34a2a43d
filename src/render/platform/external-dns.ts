// external-dns: records for the routes and load-balanced services, one instance per domain (per server
// for a provider whose servers keep their own records): the private domain in network.dns.private's
// provider, the public one in network.dns.public's, each provider's settings from its own file
// (render/platform/dns/). Each instance only publishes its entry point's routes (by ingress class or Gateway).
import type { Lab } from "../../lab/types.js";
import { helmRelease, secret, type Component, type Obj } from "../flux/layout.js";
import { INGRESS_CLASS, NAMESPACES, type Entry } from "./contract.js";
import type { SecretSource } from "./secrets.js";
import type { LabSecrets } from "../../secrets/types.js";
import { dnsProvider, type DnsProviderName } from "../../dns/index.js";
import { DNS_RENDERERS, type DnsRenderer } from "./dns/index.js";
import { EXPOSURE_MODES } from "../../exposure/index.js";
import { EXPOSURE_RENDERERS } from "./exposure/index.js";

const NS = NAMESPACES.externalDns;

export function externalDnsValues(lab: Lab, e: Entry, provider: DnsRenderer, domain: string, secretName: string, opts: { release?: string; server?: string } = {}): Obj {
  const gateway = lab.ingress.controller === "gateway-api";
  const own = provider.externalDns(lab, e, secretName, opts.server);
  const args = [...(gateway ? [`--gateway-name=${INGRESS_CLASS[e]}`, `--gateway-namespace=${NAMESPACES.ingress}`] : [`--ingress-class=${INGRESS_CLASS[e]}`]), ...own.args];
  return {
    fullnameOverride: opts.release ?? `external-dns-${e}`,
    provider: { name: provider.name },
    sources: gateway ? ["service", "gateway-httproute"] : ["service", "ingress"],
    domainFilters: [domain],
    policy: "sync",
    registry: own.registry,
    ...(own.registry === "txt" ? { txtOwnerId: `${lab.name}-${e}` } : {}),
    interval: "1m",
    env: [...own.env],
    extraArgs: args,
  };
}

/** The provider a domain's records go to, when the lab names one and gave it its settings. */
function providerFor(lab: Lab, name: string): DnsRenderer | undefined {
  const p = dnsProvider(name);
  if (!p || (p.settings && !lab.network.dns[p.settings.field])) return undefined;
  return DNS_RENDERERS[p.name as DnsProviderName];
}

export function externalDns(lab: Lab, store: LabSecrets, s: SecretSource, deps: readonly string[]): Component | undefined {
  const objects: Obj[] = [];
  const secrets: Obj[] = [];
  const dns = lab.network.dns;
  const add = (e: Entry, provider: DnsRenderer, domain: string): void => {
    const name = `external-dns-${e}`;
    secrets.push(secret(name, NS, provider.credentials(lab, store, s)));
    // one instance per server keeping its own records (Pi-hole replicas), all with the one Secret
    provider.instances(lab).forEach((server, i) => {
      const release = i === 0 ? name : `${name}-${i}`;
      objects.push(helmRelease(release, NS, lab.versions.charts["external-dns"], externalDnsValues(lab, e, provider, domain, name, { ...(i === 0 ? {} : { release }), ...(server ? { server } : {}) })));
    });
  };
  const publicProvider = providerFor(lab, dns.public);
  if (publicProvider && lab.domains.public) add("public", publicProvider, lab.domains.public);
  // what an exposure mode keeps with the public provider's credentials (a DDNS site's updater, Cloudflare's token)
  for (const r of Object.values(EXPOSURE_RENDERERS)) {
    if (r.externalDns && EXPOSURE_MODES[r.name].publicDns === dns.public && lab.domains.public) objects.push(...r.externalDns(lab, "external-dns-public"));
  }
  const privateProvider = providerFor(lab, dns.private);
  if (privateProvider) add("private", privateProvider, lab.domains.private);
  if (!objects.length) return undefined;
  return { name: "external-dns", namespace: NS, podSecurity: "restricted", dependsOn: deps, objects, secrets, charts: ["external-dns"] };
}
