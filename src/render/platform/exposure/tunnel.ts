// Public exposure through a Cloudflare Tunnel (network.tunnel), for labs behind CGNAT or a router
// without port forwards: cloudflared runs in its own namespace, dials out to Cloudflare with the
// tunnel's credentials (a stored secret, SOPS-encrypted in the tree), and sends each public host name
// to the public entry point's load-balancer address over HTTPS, verifying the certificate cert-manager
// issued for that name (originServerName). Unknown names get a 404. external-dns publishes the public
// names as proxied CNAMEs to <tunnel id>.cfargotunnel.com (src/exposure/tunnel.ts).
import type { Lab } from "../../../lab/types.js";
import { meta, secret, type Component, type Obj } from "../../flux/layout.js";
import { toYaml } from "../../tree.js";
import { imageRef } from "../../../versions/defaults.js";
import { appRoutes } from "../../apps/route.js";
import { authHost } from "../contract.js";
import type { SecretSource } from "../secrets.js";
import type { ExposureRenderer } from "./contract.js";

export const TUNNEL_NS = "cloudflared";
const CREDENTIALS = "cloudflared-credentials";
const CONFIG = "cloudflared-config";
const NONROOT = 65532;
const METRICS_PORT = 2000;

/** The public host names the tunnel carries: public app routes, public function webhooks, the public SSO portal. */
export function tunnelHostnames(lab: Lab): string[] {
  const names = new Set<string>();
  for (const r of appRoutes(lab)) if (r.entry === "public") names.add(r.hostname);
  for (const f of lab.functions) if (f.webhook?.exposure === "public" && f.webhook.hostname) names.add(f.webhook.hostname);
  if (names.size && lab.spec.identity.provider !== "none" && lab.domains.public) names.add(authHost(lab, "public"));
  return [...names].sort();
}

/** cloudflared's config file (a locally managed tunnel): its ingress rules, one per public host name. */
export function tunnelConfig(lab: Lab): Obj {
  const t = lab.network.tunnel!;
  const origin = `https://${lab.ingress.publicAddress}:443`;
  return {
    tunnel: t.id,
    "credentials-file": "/etc/cloudflared/credentials/credentials.json",
    "no-autoupdate": true,
    metrics: `0.0.0.0:${METRICS_PORT}`,
    ingress: [
      ...tunnelHostnames(lab).map((h) => ({ hostname: h, service: origin, originRequest: { originServerName: h } })),
      { service: "http_status:404" },
    ],
  };
}

export function tunnel(lab: Lab, s: SecretSource, deps: readonly string[]): Component | undefined {
  if (!lab.network.tunnel) return undefined;
  if (!lab.ingress.publicAddress && tunnelHostnames(lab).length) throw new Error("internal: a tunnel needs the public entry point's address (drover check refuses the lab)");
  const labels = { "app.kubernetes.io/name": "cloudflared", "app.kubernetes.io/instance": "cloudflared", "app.kubernetes.io/managed-by": "drover" };
  const credentials = s.external("cloudflare-tunnel-credentials", "the Cloudflare Tunnel's credentials file (the JSON cloudflared tunnel create wrote: AccountTag, TunnelSecret, TunnelID)");
  const deployment: Obj = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("cloudflared", TUNNEL_NS, labels),
    spec: {
      replicas: 2,
      selector: { matchLabels: { "app.kubernetes.io/instance": "cloudflared" } },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: NONROOT, runAsGroup: NONROOT, seccompProfile: { type: "RuntimeDefault" } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "app.kubernetes.io/instance": "cloudflared" } } }],
          containers: [{
            name: "cloudflared",
            image: imageRef(lab.versions.images.cloudflared),
            imagePullPolicy: "IfNotPresent",
            args: ["tunnel", "--config", "/etc/cloudflared/config/config.yaml", "run"],
            ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
            readinessProbe: { httpGet: { path: "/ready", port: "metrics" }, periodSeconds: 10, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: "/ready", port: "metrics" }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            volumeMounts: [
              { name: "config", mountPath: "/etc/cloudflared/config", readOnly: true },
              { name: "credentials", mountPath: "/etc/cloudflared/credentials", readOnly: true },
            ],
          }],
          volumes: [
            { name: "config", configMap: { name: CONFIG } },
            { name: "credentials", secret: { secretName: CREDENTIALS } },
          ],
        },
      },
    },
  };
  return {
    name: "cloudflared",
    namespace: TUNNEL_NS,
    podSecurity: "restricted",
    dependsOn: deps,
    objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: meta(CONFIG, TUNNEL_NS, labels), data: { "config.yaml": toYaml(tunnelConfig(lab)) } }, deployment],
    secrets: [secret(CREDENTIALS, TUNNEL_NS, { "credentials.json": credentials })],
    charts: [],
  };
}

export const tunnelExposure: ExposureRenderer = { name: "tunnel", component: tunnel };
