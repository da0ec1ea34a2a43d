// external-dns: records for the routes and load-balanced services, one instance per provider: the
// private domain in Pi-hole (or an RFC 2136 server), the public domain in Cloudflare (or RFC 2136).
// Each instance only publishes its entry point's routes (by ingress class or Gateway).
import { parseHostPort } from "../../net/host.js";
import type { Lab } from "../../lab/types.js";
import { helmRelease, secret, type Component, type Obj } from "../flux/layout.js";
import { INGRESS_CLASS, NAMESPACES, type Entry } from "./contract.js";
import type { SecretSource } from "./secrets.js";
import type { LabSecrets } from "../../secrets/types.js";
import { replicaServiceName, serviceName } from "../apps/names.js";
import { ddnsObjects } from "./ddns.js";

const NS = NAMESPACES.externalDns;

/**
 * The Pi-hole API(s) external-dns writes the private records to: the app's Service, or each replica
 * of a highly available Pi-hole by its own name (every instance must know every record).
 */
function piholeServers(lab: Lab): string[] {
  const p = lab.apps.find((a) => a.catalog.name === "pihole");
  if (!p) return ["http://pihole.dns.svc.cluster.local"];
  const http = p.catalog.ports.find((x) => x.http)!;
  const port = http.servicePort ?? http.port;
  if (!p.independentReplicas) return [`http://${serviceName(p)}.${p.namespace}.svc.cluster.local:${port}`];
  return Array.from({ length: p.replicas }, (_, i) => `http://${p.name}-${i}.${replicaServiceName(p)}.${p.namespace}.svc.cluster.local:${port}`);
}

export function externalDnsValues(lab: Lab, e: Entry, provider: "cloudflare" | "pihole" | "rfc2136", domain: string, secretName: string, opts: { release?: string; piholeServer?: string } = {}): Obj {
  const gateway = lab.ingress.controller === "gateway-api";
  const args: string[] = [];
  const env: Obj[] = [];
  if (gateway) args.push(`--gateway-name=${INGRESS_CLASS[e]}`, `--gateway-namespace=${NAMESPACES.ingress}`);
  else args.push(`--ingress-class=${INGRESS_CLASS[e]}`);
  if (provider === "pihole") {
    args.push(`--pihole-server=${opts.piholeServer ?? piholeServers(lab)[0]!}`, "--pihole-api-version=6");
    env.push({ name: "EXTERNAL_DNS_PIHOLE_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: "password" } } });
  } else if (provider === "cloudflare") {
    args.push("--cloudflare-dns-records-per-page=5000");
    // behind a Cloudflare Tunnel the public names are CNAMEs to the tunnel, which only work proxied
    if (e === "public" && lab.network.tunnel) args.push("--cloudflare-proxied");
    env.push({ name: "CF_API_TOKEN", valueFrom: { secretKeyRef: { name: secretName, key: "api-token" } } });
  } else {
    const r = lab.network.dns.rfc2136!;
    const server = parseHostPort(r.server);
    if ("error" in server) throw new Error(`internal: network.dns.rfc2136.server ${r.server} is not host[:port] (drover check refuses it)`);
    args.push(`--rfc2136-host=${server.host}`, `--rfc2136-port=${server.port ?? 53}`, `--rfc2136-zone=${r.zone}`, `--rfc2136-tsig-keyname=${r.keyName}`, "--rfc2136-tsig-secret-alg=hmac-sha256", "--rfc2136-tsig-axfr");
    env.push({ name: "EXTERNAL_DNS_RFC2136_TSIG_SECRET", valueFrom: { secretKeyRef: { name: secretName, key: "secret" } } });
  }
  return {
    fullnameOverride: opts.release ?? `external-dns-${e}`,
    provider: { name: provider },
    sources: gateway ? ["service", "gateway-httproute"] : ["service", "ingress"],
    domainFilters: [domain],
    policy: "sync",
    registry: provider === "pihole" ? "noop" : "txt",
    ...(provider === "pihole" ? {} : { txtOwnerId: `${lab.name}-${e}` }),
    interval: "1m",
    env,
    extraArgs: args,
  };
}

/** The in-lab Pi-hole's generated admin password, or the external one. */
function piholePassword(lab: Lab, secrets: LabSecrets, s: SecretSource): string {
  const p = lab.apps.find((a) => a.catalog.name === "pihole");
  const v = p ? secrets.apps[p.name]?.["admin-password"] : undefined;
  return v ?? s.external("pihole-password", "Pi-hole web/API password for external-dns");
}

export function externalDns(lab: Lab, store: LabSecrets, s: SecretSource, deps: readonly string[]): Component | undefined {
  const objects: Obj[] = [];
  const secrets: Obj[] = [];
  const dns = lab.network.dns;
  const add = (e: Entry, provider: "cloudflare" | "pihole" | "rfc2136", domain: string): void => {
    const name = `external-dns-${e}`;
    const data: Record<string, string> = provider === "cloudflare" ? { "api-token": s.external("cloudflare-api-token", "Cloudflare API token (Zone:DNS:Edit) for DNS-01 and external-dns") }
      : provider === "pihole" ? { password: piholePassword(lab, store, s) }
      : { secret: s.external("rfc2136-tsig-secret", `TSIG secret of key ${dns.rfc2136?.keyName ?? ""}`) };
    secrets.push(secret(name, NS, data));
    if (provider !== "pihole") {
      objects.push(helmRelease(name, NS, lab.versions.charts["external-dns"], externalDnsValues(lab, e, provider, domain, name)));
      return;
    }
    // one instance per Pi-hole (the API keeps records per instance), all with the one password
    piholeServers(lab).forEach((server, i) => {
      const release = i === 0 ? name : `${name}-${i}`;
      objects.push(helmRelease(release, NS, lab.versions.charts["external-dns"], externalDnsValues(lab, e, provider, domain, name, { release, piholeServer: server })));
    });
  };
  if (dns.public !== "none" && lab.domains.public && !(dns.public === "rfc2136" && !dns.rfc2136)) add("public", dns.public, lab.domains.public);
  // a site with a changing public IPv4: the DDNS updater, with the public instance's Cloudflare token
  if (dns.public === "cloudflare" && lab.domains.public) objects.push(...ddnsObjects(lab, "external-dns-public"));
  if (dns.private !== "none" && !(dns.private === "rfc2136" && !dns.rfc2136)) add("private", dns.private, lab.domains.private);
  if (!objects.length) return undefined;
  return { name: "external-dns", namespace: NS, podSecurity: "restricted", dependsOn: deps, objects, secrets, charts: ["external-dns"] };
}
