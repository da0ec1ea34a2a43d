// The names the platform layer provides and apps refer to: ingress classes, certificate issuers,
// the ingress controller's namespace, the forward-auth endpoint, the backup engine's objects.
// Kept in one place so that the platform's contract (src/render/platform/contract.ts) is the only
// thing to follow when it changes.
import type { Lab } from "../../lab/types.js";

export type Entry = "public" | "private";

export interface PlatformNames {
  /** IngressClass per entry point */
  readonly ingressClass: Record<Entry, string>;
  /** cert-manager ClusterIssuer per entry point */
  readonly clusterIssuer: Record<Entry, string>;
  /** namespace the ingress controller pods run in (NetworkPolicy source) */
  readonly ingressNamespace: string;
  /** namespace of the monitoring stack (scrapes app metrics) */
  readonly monitoringNamespace: string;
  /** Ingress annotations that put the SSO gate in front of a route */
  forwardAuth(lab: Lab): Readonly<Record<string, string>>;
}

export const platformNames: PlatformNames = {
  ingressClass: { public: "public", private: "private" },
  clusterIssuer: { public: "letsencrypt", private: "internal-ca" },
  ingressNamespace: "ingress-nginx",
  monitoringNamespace: "monitoring",
  forwardAuth(lab) {
    const authHost = `auth.${lab.domains.private}`;
    return {
      "nginx.ingress.kubernetes.io/auth-url": "http://authelia.identity.svc.cluster.local/api/authz/auth-request",
      "nginx.ingress.kubernetes.io/auth-method": "GET",
      "nginx.ingress.kubernetes.io/auth-signin": `https://${authHost}?rm=$request_method`,
      "nginx.ingress.kubernetes.io/auth-response-headers": "Remote-User,Remote-Name,Remote-Groups,Remote-Email",
    };
  },
};
