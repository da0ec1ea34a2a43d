// The contract between the platform layer and the apps: the names the platform provides (ingress
// classes, Gateways, certificate issuers, namespaces, the SSO gate) and apps refer to. The single source
// of truth: src/render/apps imports these, src/render/platform renders the objects behind them.
import type { Lab } from "../../lab/types.js";
import { publicTarget } from "../../lab/public-entry.js";

export type Entry = "public" | "private";

/** Namespaces of the platform components (each component's folder creates its own). */
export const NAMESPACES = {
  flux: "flux-system",
  /** the ingress controllers or the Envoy Gateway proxies: the NetworkPolicy source for web traffic */
  ingress: "ingress",
  certManager: "cert-manager",
  externalDns: "external-dns",
  loadBalancer: "metallb-system",
  storage: "storage",
  objectStore: "object-store",
  monitoring: "monitoring",
  identity: "identity",
  backup: "volsync-system",
  velero: "velero",
  registry: "registry",
  /** NVIDIA's device plugin */
  gpu: "nvidia-device-plugin",
  kubeSystem: "kube-system",
} as const;

/** external-dns's annotations (its default prefix since v0.22: the external-dns.alpha. prefix is ignored). */
export const EXTERNAL_DNS_HOSTNAME = "external-dns.kubernetes.io/hostname";
export const EXTERNAL_DNS_TARGET = "external-dns.kubernetes.io/target";

/**
 * What external-dns publishes for an object of the public entry point: the public site's public address
 * (an IPv4, or a DNS name for a CNAME), never the load balancer's LAN address. Nothing when the lab
 * does not know it (drover check warns) or for the private entry point (LAN addresses are right there).
 */
export function publicDnsTarget(lab: Lab, entry: Entry): Readonly<Record<string, string>> {
  const t = entry === "public" ? publicTarget(lab) : undefined;
  return t ? { [EXTERNAL_DNS_TARGET]: t.value } : {};
}

/** IngressClass (ingress-nginx) or Gateway (Gateway API) per entry point. */
export const INGRESS_CLASS: Readonly<Record<Entry, string>> = { public: "public", private: "private" };

/** cert-manager ClusterIssuer per entry point: Let's Encrypt for public names, the lab's own CA for private ones. */
export const CLUSTER_ISSUER: Readonly<Record<Entry, string>> = { public: "letsencrypt", private: "internal-ca" };

/** The SSO portal's host name on an entry point's domain (Authelia, or oauth2-proxy in front of Keycloak). */
export const authHost = (lab: Lab, entry: Entry = "private"): string => `auth.${entry === "public" && lab.domains.public ? lab.domains.public : lab.domains.private}`;

/** How an app route attaches to an entry point. */
export interface IngressBinding {
  readonly kind: "ingress" | "gateway";
  /** IngressClass name (ingress-nginx) */
  readonly className: string;
  /** cert-manager ClusterIssuer for the route's certificate */
  readonly issuer: string;
  /** Gateway API parentRef (gateway-api) */
  readonly gateway: { readonly name: string; readonly namespace: string };
}

export function ingressFor(lab: Lab, entry: Entry): IngressBinding {
  return {
    kind: lab.ingress.controller === "gateway-api" ? "gateway" : "ingress",
    className: INGRESS_CLASS[entry],
    issuer: CLUSTER_ISSUER[entry],
    gateway: { name: INGRESS_CLASS[entry], namespace: NAMESPACES.ingress },
  };
}

/** The forward-auth endpoint the ingress asks before serving a gated route. */
export function forwardAuthUrl(lab: Lab): string | undefined {
  switch (lab.identity.provider) {
    case "authelia":
      return `http://authelia.${NAMESPACES.identity}.svc.cluster.local/api/authz/auth-request`;
    case "keycloak":
      return `http://oauth2-proxy.${NAMESPACES.identity}.svc.cluster.local/oauth2/auth`;
    case "none":
      return undefined;
  }
}

/**
 * Ingress annotations (ingress-nginx) that put the SSO gate in front of a route. Sign-in goes to the
 * portal on the route's own domain (the session cookie is per domain); Keycloak's gate covers both.
 */
export function forwardAuth(lab: Lab, entry: Entry = "private"): Readonly<Record<string, string>> {
  const url = forwardAuthUrl(lab);
  if (!url) return {};
  if (lab.identity.provider === "keycloak") {
    return {
      "nginx.ingress.kubernetes.io/auth-url": url,
      "nginx.ingress.kubernetes.io/auth-signin": `https://${authHost(lab)}/oauth2/start?rd=$scheme://$host$escaped_request_uri`,
      "nginx.ingress.kubernetes.io/auth-response-headers": "X-Auth-Request-User,X-Auth-Request-Email,X-Auth-Request-Groups",
    };
  }
  return {
    "nginx.ingress.kubernetes.io/auth-url": url,
    "nginx.ingress.kubernetes.io/auth-method": "GET",
    "nginx.ingress.kubernetes.io/auth-signin": `https://${authHost(lab, entry)}?rm=$request_method`,
    "nginx.ingress.kubernetes.io/auth-response-headers": "Remote-User,Remote-Name,Remote-Groups,Remote-Email",
  };
}

/**
 * Gateway API: the Envoy Gateway SecurityPolicy that puts the SSO gate in front of an app's HTTPRoute
 * (ext-authz to Authelia, or to oauth2-proxy for Keycloak). The identity component grants the
 * cross-namespace reference (ReferenceGrant) for every namespace with a gated route.
 */
export function gatewayForwardAuth(lab: Lab, route: { readonly name: string; readonly namespace: string }): Readonly<Record<string, unknown>> | undefined {
  if (lab.identity.provider === "none") return undefined;
  const authelia = lab.identity.provider === "authelia";
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "SecurityPolicy",
    metadata: { name: `${route.name}-sso`, namespace: route.namespace, labels: { "app.kubernetes.io/managed-by": "drover" } },
    spec: {
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: route.name }],
      extAuth: {
        http: {
          backendRefs: [{ name: authelia ? "authelia" : "oauth2-proxy", namespace: NAMESPACES.identity, port: 80 }],
          path: authelia ? "/api/authz/ext-authz/" : "/oauth2/auth",
          headersToBackend: authelia ? ["Remote-User", "Remote-Groups", "Remote-Email", "Remote-Name"] : ["X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Groups"],
        },
      },
    },
  };
}

/** The annotation on an app's route that names its allowed groups ("*": any signed-in user). */
export const ALLOWED_GROUPS_ANNOTATION = "drover.dev/allowed-groups";

export interface PlatformNames {
  readonly ingressClass: Readonly<Record<Entry, string>>;
  readonly clusterIssuer: Readonly<Record<Entry, string>>;
  /** namespace the ingress controller pods run in (NetworkPolicy source) */
  readonly ingressNamespace: string;
  /** namespace of the monitoring stack (scrapes app metrics) */
  readonly monitoringNamespace: string;
  forwardAuth(lab: Lab, entry?: Entry): Readonly<Record<string, string>>;
}

/** The contract as one object (what src/render/apps reads). */
export const platformNames: PlatformNames = {
  ingressClass: INGRESS_CLASS,
  clusterIssuer: CLUSTER_ISSUER,
  ingressNamespace: NAMESPACES.ingress,
  monitoringNamespace: NAMESPACES.monitoring,
  forwardAuth,
};
