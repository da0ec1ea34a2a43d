// cert-manager and the two ClusterIssuers of the contract: `letsencrypt` (ACME, HTTP-01 through the
// public entry point or DNS-01 with the public DNS provider) and `internal-ca` (a CA issuer signing with
// the lab's internal CA, made once by Drover and kept in the secrets store — src/secrets/internal-ca.ts —
// rendered as the SOPS-encrypted TLS Secret cert-manager/internal-ca; private names never leave the lab).
// The Secret and the ClusterIssuer keep the names of the in-cluster CA they replace (a self-signed
// ClusterIssuer `selfsigned` and a Certificate cert-manager/internal-ca, pruned by Flux on upgrade), so
// the issuer every private certificate names stays the same.
import type { Lab } from "../../lab/types.js";
import { helmRelease, meta, secret, type Component, type Obj } from "../flux/layout.js";
import { CLUSTER_ISSUER, INGRESS_CLASS, NAMESPACES } from "./contract.js";
import type { SecretSource } from "./secrets.js";
import type { LabSecrets } from "../../secrets/types.js";
import { dnsProvider, type DnsProviderName } from "../../dns/index.js";
import { DNS_RENDERERS } from "./dns/index.js";

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
  const provider = dnsProvider(lab.network.dns.public);
  const dns01 = tls.challenge === "dns01" && provider?.dns01 ? DNS_RENDERERS[provider.name as DnsProviderName].dns01?.(lab, s) : undefined;
  if (dns01) {
    secrets.push(secret(dns01.secret.name, NS, dns01.secret.data));
    return dns01.solver;
  }
  return { http01: { ingress: { ingressClassName: INGRESS_CLASS.public } } };
}

/** The internal CA's TLS Secret (certificate and key; ca.crt names the CA itself, a self-signed root). */
export function internalCaSecret(secrets: LabSecrets): Obj {
  const ca = secrets.internalCa;
  if (!ca) throw new Error("internal: the secrets store has no internal CA (ensureSecrets makes it)");
  return { apiVersion: "v1", kind: "Secret", metadata: meta(INTERNAL_CA_SECRET, NS), type: "kubernetes.io/tls", stringData: { "tls.crt": ca.crt, "tls.key": ca.key, "ca.crt": ca.crt } };
}

export function certManager(lab: Lab, secrets: LabSecrets, s: SecretSource, deps: readonly string[]): Component {
  const configSecrets: Obj[] = [internalCaSecret(secrets)];
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
