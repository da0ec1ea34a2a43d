// A pull-through registry mirror (network.registryMirror): Zot syncing on demand from Docker Hub,
// GHCR, Quay and registry.k8s.io, each under its own prefix. Nodes reach it on a fixed NodePort on
// their own loopback (REGISTRY_MIRROR), so the node configs can name it before DNS or the ingress work.
import type { Lab } from "../../lab/types.js";
import { helmRelease, type Component, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";

export const REGISTRY_MIRROR = {
  nodePort: 30500,
  /** what a node's containerd mirror config points at */
  endpoint: "http://127.0.0.1:30500",
  /** upstream registry → path prefix in the mirror */
  upstreams: { "docker.io": "https://registry-1.docker.io", "ghcr.io": "https://ghcr.io", "quay.io": "https://quay.io", "registry.k8s.io": "https://registry.k8s.io" } as Readonly<Record<string, string>>,
} as const;

export function zotConfig(): Obj {
  return {
    distSpecVersion: "1.1.1",
    storage: { rootDirectory: "/var/lib/registry", dedupe: true, gc: true, gcDelay: "1h", gcInterval: "24h" },
    http: { address: "0.0.0.0", port: "5000" },
    log: { level: "info" },
    extensions: {
      sync: {
        enable: true,
        registries: Object.entries(REGISTRY_MIRROR.upstreams).map(([name, url]) => ({
          urls: [url],
          onDemand: true,
          tlsVerify: true,
          maxRetries: 3,
          retryDelay: "5m",
          content: [{ prefix: "**", destination: `/${name}` }],
        })),
      },
    },
  };
}

export function registry(lab: Lab, deps: readonly string[]): Component | undefined {
  if (!lab.network.registryMirror) return undefined;
  const ns = NAMESPACES.registry;
  return {
    name: "registry",
    namespace: ns,
    podSecurity: "restricted",
    dependsOn: deps,
    objects: [helmRelease("zot", ns, lab.versions.charts["zot"], {
      service: { type: "NodePort", nodePort: REGISTRY_MIRROR.nodePort, port: 5000 },
      persistence: true,
      pvc: { create: true, storage: "50Gi", ...(lab.defaultStorageClass ? { storageClassName: lab.defaultStorageClass } : {}) },
      mountConfig: true,
      configFiles: { "config.json": JSON.stringify(zotConfig(), null, 2) },
    })],
    charts: ["zot"],
  };
}
