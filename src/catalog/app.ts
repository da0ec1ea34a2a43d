// What the catalog knows about an app: everything Drover needs to run it well, and to reason
// about where it can run (arch, devices, state) without the user saying so.
//
// Environment values may use placeholders, filled in at render time:
//   {{url}} https://<hostname>   {{host}} <hostname>   {{name}} instance name   {{namespace}}
//   {{postgres.host}} {{postgres.port}} {{postgres.database}} {{postgres.user}}   (dependency: postgres)
//   {{redis.host}} {{redis.port}}                                                 (dependency: redis)
// Secret values never go into `env`: `secretEnv` maps a variable to a key of the app's generated
// Secret; other values can embed it with Kubernetes' $(VAR) expansion (variables are rendered
// secret ones first).

import type { ImageName, ImagePin } from "../versions/defaults.js";

export type Arch = "amd64" | "arm64";

export interface CatalogPort {
  readonly name: string;
  /** the port the container listens on */
  readonly port: number;
  readonly protocol: "TCP" | "UDP";
  /** served over HTTP(S) through the ingress (the first http port is the app's web UI) */
  readonly http?: boolean;
  /** a raw TCP/UDP port that should get its own load-balancer address (DNS, git over SSH) */
  readonly loadBalancer?: boolean;
  /** the port the Service offers, when it differs from the container's (e.g. SSH 22 → 2222) */
  readonly servicePort?: number;
}

export interface CatalogVolume {
  readonly name: string;
  readonly path: string;
  /** default size */
  readonly size: string;
}

/** A generated secret value: password (32 letters and digits), hex (32 bytes), base64 (32 bytes), uuid. */
export type SecretKind = "password" | "hex" | "base64" | "uuid";

/** The two backing services apps commonly need; each app gets its own instance (see render/apps/dependencies.ts). */
export type Dependency = "postgres" | "redis";

export interface CatalogApp {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** homepage icon reference, e.g. "vaultwarden.png" (dashboard-icons) */
  readonly icon: string;
  /** default namespace */
  readonly category: string;
  /** the default image (versions/defaults.ts, by app name); a lab may override it in versions.yaml */
  readonly image: ImagePin;
  readonly archs: readonly Arch[];
  readonly ports: readonly CatalogPort[];
  /** persistent state; empty means stateless */
  readonly volumes: readonly CatalogVolume[];
  /**
   * Stateless apps may scale; stateful ones run exactly one replica, unless their replicas are
   * independent: each keeps its own copy of the volumes (a StatefulSet's claim templates) and serves on
   * its own (Pi-hole: the same settings from the environment, its records from external-dns), so more
   * replicas on other hosts make the app highly available.
   */
  readonly replicas: { readonly default: number; readonly scalable: boolean; readonly independent?: boolean };
  readonly dependencies: readonly Dependency[];
  /** GPU: optional (used when placement.gpu > 0) or required; serial: a USB serial device (3D printer, Zigbee stick) */
  readonly devices?: { readonly gpu?: "optional" | "required"; readonly serial?: "optional" | "required" };
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** memory limit as a multiple of the request (default 2) */
  readonly memoryLimitFactor?: number;
  readonly exposure: "public" | "private" | "none";
  /** it reaches the internet (feeds, metadata, model downloads, upstream DNS): egress beyond the cluster is allowed */
  readonly internet?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** env var → key of the app's generated Secret */
  readonly secretEnv?: Readonly<Record<string, string>>;
  /** secret values generated once into the secrets store (secrets.apps[instance][key]) */
  readonly secrets?: Readonly<Record<string, SecretKind>>;
  /** HTTP readiness/liveness path on the first http port; absent: a TCP check on the first port */
  readonly healthPath?: string;
  /** the image runs as this non-root user (runAsNonRoot); absent: the image needs to start as root */
  readonly runAsUser?: number;
  /** group owning the volumes (defaults to runAsUser) */
  readonly fsGroup?: number;
  /** capabilities a root image needs back after dropping ALL (e.g. CHOWN, SETUID, NET_BIND_SERVICE) */
  readonly capabilities?: readonly string[];
  /** container command/args, when the image's default is not the server */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /**
   * How the SSO gate applies: "forward-auth" (default: the ingress asks the identity provider before
   * every request) or "native" (the app signs users in itself because native clients — mobile apps,
   * CLIs, git, WebDAV, webhooks — cannot pass a browser login; the ingress does not gate it).
   */
  readonly sso?: "forward-auth" | "native";
  /** the versions-table image of a dependency when the app needs a special build (e.g. Immich's Postgres with vector extensions) */
  readonly dependencyImages?: { readonly postgres?: ImageName };
  /** read access to cluster objects (homepage's service discovery): rendered as a ClusterRole */
  readonly clusterRead?: readonly { readonly apiGroups: readonly string[]; readonly resources: readonly string[] }[];
  /** extra config files mounted read-only from a ConfigMap: absolute path → content */
  readonly files?: Readonly<Record<string, string>>;
}

export { imageRef } from "../versions/defaults.js";
