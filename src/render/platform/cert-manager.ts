// cert-manager and the two ClusterIssuers of the contract: `letsencrypt` (ACME, HTTP-01 through the
// public entry point or DNS-01 with the public DNS provider) and `internal-ca` (a CA made in the
// cluster by a self-signed bootstrap issuer; private names never leave the lab).
import type { Lab } from "../../lab/types.js";
import { helmRelease, meta, secret, type Component, type Obj } from "../flux/layout.js";
import { CLUSTER_ISSUER, INGRESS_CLASS, NAMESPACES } from "./contract.js";
import type { SecretSource } from "./secrets.js";

const NS = NAMESPACES.certManager;
export const INTERNAL_CA_SECRET = "internal-ca";

export function certManagerValues(lab: Lab): Obj {
  return {
    // Gateway API: certificates for the Gateways' listeners (gateway-shim)
    ...(lab.ingress.controller === "gateway-api" ? { config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true } } : {}),
    crds: { enabled: true, keep: true },
    replicaCount: 1,
    // DNS-01: check propagation against public resolvers, not the lab's split-horizon DNS
    dns01RecursiveNameservers: "1.1.1.1:53,9.9.9.9:53",
    dns01RecursiveNameserversOnly: true,
    prometheus: { enabled: true, servicemonitor: { enabled: false } },
  };
}

function acmeSolver(lab: Lab, s: SecretSource, secrets: Obj[]): Obj {
  const tls = lab.network.tls;
  const provider = lab.network.dns.public;
  if (tls.challenge === "dns01" && provider === "cloudflare") {
    secrets.push(secret("cloudflare-api-token", NS, { "api-token": s.external("cloudflare-api-token", "Cloudflare API token (Zone:DNS:Edit) for DNS-01 and external-dns") }));
    return { dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-api-token", key: "api-token" } } } };
  }
  if (tls.challenge === "dns01" && provider === "rfc2136" && lab.network.dns.rfc2136) {
    const r = lab.network.dns.rfc2136;
    secrets.push(secret("rfc2136-tsig", NS, { secret: s.external("rfc2136-tsig-secret", `TSIG secret of key ${r.keyName} on ${r.server}`) }));
    return { dns01: { rfc2136: { nameserver: r.server, tsigKeyName: r.keyName, tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "rfc2136-tsig", key: "secret" } } } };
  }
  return { http01: { ingress: { ingressClassName: INGRESS_CLASS.public } } };
}

export function certManager(lab: Lab, s: SecretSource, deps: readonly string[]): Component {
  const configSecrets: Obj[] = [];
  const solver = acmeSolver(lab, s, configSecrets);
  const staging = lab.network.tls.staging;
  const config: Obj[] = [
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: meta(CLUSTER_ISSUER.public),
      spec: {
        acme: {
          server: staging ? "https://acme-staging-v02.api.letsencrypt.org/directory" : "https://acme-v02.api.letsencrypt.org/directory",
          ...(lab.network.tls.email ? { email: lab.network.tls.email } : {}),
          privateKeySecretRef: { name: "letsencrypt-account" },
          solvers: [{ ...(lab.domains.public ? { selector: { dnsZones: [lab.domains.public] } } : {}), ...solver }],
        },
      },
    },
    { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: meta("selfsigned"), spec: { selfSigned: {} } },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: meta("internal-ca", NS),
      spec: {
        isCA: true,
        commonName: `${lab.name} internal CA`,
        secretName: INTERNAL_CA_SECRET,
        duration: "87600h0m0s",
        renewBefore: "720h0m0s",
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
        issuerRef: { name: "selfsigned", kind: "ClusterIssuer", group: "cert-manager.io" },
      },
    },
    { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: meta(CLUSTER_ISSUER.private), spec: { ca: { secretName: INTERNAL_CA_SECRET } } },
  ];
  return {
    name: "cert-manager",
    namespace: NS,
    podSecurity: "restricted",
    dependsOn: deps,
    objects: [helmRelease("cert-manager", NS, lab.versions.charts["cert-manager"], certManagerValues(lab))],
    config,
    configSecrets,
    charts: ["cert-manager"],
  };
}
