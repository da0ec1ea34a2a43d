// The app's route: an Ingress (or, with the Gateway API, an HTTPRoute) on the public or private entry point, TLS from the matching issuer,
// the SSO gate (forward-auth) unless the app signs users in itself, and the homepage annotations.
// `appRoutes` lists every route with its allowed groups, for the identity provider's access rules.
import type { App, Lab } from "../../lab/types.js";
import { appLabels, meta } from "./labels.js";
import { platformNames } from "./platform.js";
import { serviceName } from "./names.js";
import { gatewayForwardAuth, ingressFor, publicDnsTarget } from "../platform/contract.js";

export interface AppRoute {
  readonly app: string;
  readonly namespace: string;
  readonly hostname: string;
  readonly entry: "public" | "private";
  /** forward-auth at the ingress */
  readonly gated: boolean;
  /** allowed groups (empty: any signed-in user); meaningful when gated */
  readonly groups: readonly string[];
  readonly twoFactor: boolean;
}

export function appRoute(a: App): AppRoute | undefined {
  const http = a.catalog.ports.find((p) => p.http);
  if (a.exposure.kind === "none" || !a.exposure.hostname || !http) return undefined;
  const gated = a.groups !== undefined && (a.catalog.sso ?? "forward-auth") === "forward-auth";
  return { app: a.name, namespace: a.namespace, hostname: a.exposure.hostname, entry: a.exposure.kind, gated, groups: a.groups ?? [], twoFactor: gated && a.twoFactor };
}

/** Every app route of the lab, in app order (the platform turns these into identity-provider access rules). */
export function appRoutes(lab: Lab): AppRoute[] {
  return lab.apps.map(appRoute).filter((r): r is AppRoute => r !== undefined);
}

const title = (s: string): string => s.split("-").map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w)).join(" ");

export function homepageAnnotations(a: App): Record<string, string> {
  return {
    "gethomepage.dev/enabled": "true",
    "gethomepage.dev/name": a.name === a.catalog.name ? a.catalog.title : `${a.catalog.title} (${a.name})`,
    "gethomepage.dev/group": title(a.namespace),
    "gethomepage.dev/icon": a.catalog.icon,
    "gethomepage.dev/description": a.catalog.description,
    "gethomepage.dev/href": a.exposure.url!,
    "gethomepage.dev/pod-selector": `app.kubernetes.io/instance=${a.name}`,
  };
}

/** The app's route objects for the lab's ingress controller: an Ingress, or an HTTPRoute (+ its SSO policy). */
export function routeObjects(lab: Lab, a: App): Record<string, unknown>[] {
  if (lab.ingress.controller !== "gateway-api") return [ingress(lab, a)].filter((o): o is Record<string, unknown> => o !== undefined);
  return httpRoute(lab, a);
}

/**
 * Gateway API: an HTTPRoute on the entry point's Gateway (whose HTTPS listener for this host name
 * holds the certificate, issued by cert-manager's gateway-shim), and the Envoy SecurityPolicy that
 * puts the SSO gate in front of it when the app is gated.
 */
export function httpRoute(lab: Lab, a: App): Record<string, unknown>[] {
  const r = appRoute(a);
  if (!r) return [];
  const http = a.catalog.ports.find((p) => p.http)!;
  const binding = ingressFor(lab, r.entry);
  const annotations: Record<string, string> = {
    ...homepageAnnotations(a),
    ...(r.gated ? { "drover.dev/allowed-groups": r.groups.join(",") || "*" } : {}),
  };
  const route = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: meta(a.name, a.namespace, appLabels(a), annotations),
    spec: {
      parentRefs: [{ name: binding.gateway.name, namespace: binding.gateway.namespace }],
      hostnames: [r.hostname],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: serviceName(a), port: http.servicePort ?? http.port }] }],
    },
  };
  const policy = r.gated ? gatewayForwardAuth(lab, { name: a.name, namespace: a.namespace }) : undefined;
  return policy ? [route, { ...policy }] : [route];
}

export function ingress(lab: Lab, a: App): Record<string, unknown> | undefined {
  const r = appRoute(a);
  if (!r) return undefined;
  const http = a.catalog.ports.find((p) => p.http)!;
  const annotations: Record<string, string> = {
    "cert-manager.io/cluster-issuer": platformNames.clusterIssuer[r.entry],
    ...homepageAnnotations(a),
    ...(r.gated ? { ...platformNames.forwardAuth(lab, r.entry), "drover.dev/allowed-groups": r.groups.join(",") || "*" } : {}),
    // uploads (photos, documents, files) are not capped by the proxy
    "nginx.ingress.kubernetes.io/proxy-body-size": "0",
    ...publicDnsTarget(lab, r.entry),
  };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta(a.name, a.namespace, appLabels(a), annotations),
    spec: {
      ingressClassName: platformNames.ingressClass[r.entry],
      tls: [{ hosts: [r.hostname], secretName: `${a.name}-tls` }],
      rules: [{ host: r.hostname, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: serviceName(a), port: { name: http.name } } } }] } }],
    },
  };
}
