// The two entry points of the contract, `public` and `private`, each on its own load-balancer address:
// two ingress-nginx controllers (IngressClasses public/private), or Envoy Gateway with one Gateway per
// entry point (Gateway API), with a listener and a cert-manager certificate per app host name.
import type { Lab } from "../../lab/types.js";
import { appRoutes } from "../apps/route.js";
import { helmRelease, meta, type Component, type Obj } from "../flux/layout.js";
import { CLUSTER_ISSUER, INGRESS_CLASS, NAMESPACES, publicDnsTarget, type Entry } from "./contract.js";
import { addressAnnotations } from "./network.js";

const NS = NAMESPACES.ingress;
const ENTRIES: readonly Entry[] = ["public", "private"];

const entryAddress = (lab: Lab, e: Entry): string | undefined => (e === "public" ? lab.ingress.publicAddress : lab.ingress.privateAddress);

export function ingressNginxValues(lab: Lab, e: Entry): Obj {
  const address = entryAddress(lab, e);
  const workers = lab.nodes.filter((n) => n.role === "worker").length;
  return {
    fullnameOverride: `ingress-nginx-${e}`,
    controller: {
      replicaCount: workers >= 2 ? 2 : 1,
      ingressClass: INGRESS_CLASS[e],
      ingressClassResource: { name: INGRESS_CLASS[e], enabled: true, default: false, controllerValue: `k8s.io/ingress-nginx-${e}` },
      electionID: `ingress-nginx-${e}-leader`,
      allowSnippetAnnotations: false,
      config: { "use-forwarded-headers": "false", "enable-real-ip": "false", "ssl-redirect": "true", "proxy-body-size": "64m" },
      service: {
        type: "LoadBalancer",
        externalTrafficPolicy: "Local",
        ...(address ? { annotations: addressAnnotations(lab, address) } : {}),
      },
      metrics: { enabled: true },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "app.kubernetes.io/instance": `ingress-nginx-${e}`, "app.kubernetes.io/component": "controller" } } }],
    },
  };
}

export function envoyGatewayConfig(lab: Lab): Obj[] {
  const routes = appRoutes(lab);
  const out: Obj[] = [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: meta("envoy"), spec: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" } }];
  for (const e of ENTRIES) {
    const address = entryAddress(lab, e);
    out.push({
      apiVersion: "gateway.envoyproxy.io/v1alpha1",
      kind: "EnvoyProxy",
      metadata: meta(`proxy-${e}`, NS),
      spec: {
        provider: {
          type: "Kubernetes",
          kubernetes: { envoyService: { type: "LoadBalancer", externalTrafficPolicy: "Local", ...(address ? { annotations: addressAnnotations(lab, address) } : {}) } },
        },
      },
    });
    const hosts = [...new Set(routes.filter((r) => r.entry === e).map((r) => r.hostname))].sort();
    out.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: meta(INGRESS_CLASS[e], NS, undefined, { "cert-manager.io/cluster-issuer": CLUSTER_ISSUER[e], ...publicDnsTarget(lab, e) }),
      spec: {
        gatewayClassName: "envoy",
        infrastructure: { parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: `proxy-${e}` } },
        listeners: [
          { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } },
          ...hosts.map((h) => ({
            name: `https-${h.replace(/\./g, "-")}`.slice(0, 63).replace(/-+$/, ""),
            protocol: "HTTPS",
            port: 443,
            hostname: h,
            tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: `${h.replace(/\./g, "-")}-tls` }] },
            allowedRoutes: { namespaces: { from: "All" } },
          })),
        ],
      },
    });
  }
  return out;
}

export function ingressComponent(lab: Lab, deps: readonly string[]): Component {
  if (lab.ingress.controller === "gateway-api") {
    return {
      name: "ingress",
      namespace: NS,
      podSecurity: "baseline",
      dependsOn: deps,
      objects: [helmRelease("envoy-gateway", NS, lab.versions.charts["envoy-gateway"], { deployment: { replicas: 1 } })],
      config: envoyGatewayConfig(lab),
      charts: ["envoy-gateway"],
    };
  }
  return {
    name: "ingress",
    namespace: NS,
    podSecurity: "baseline",
    dependsOn: deps,
    objects: ENTRIES.map((e) => helmRelease(`ingress-nginx-${e}`, NS, lab.versions.charts["ingress-nginx"], ingressNginxValues(lab, e))),
    charts: ["ingress-nginx"],
  };
}
