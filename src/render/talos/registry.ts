// Registry mirrors (network.registryMirror): containerd on every Talos node pulls through the lab's
// Zot mirror (src/render/platform/registry.ts) on its own loopback NodePort, one Talos
// RegistryMirrorConfig per upstream, each with the path prefix Zot keeps it under. Pulls fall back to
// the upstream while the mirror is not running yet (at bootstrap), since skipFallback stays off.
import type { Lab } from "../../lab/types.js";
import { REGISTRY_MIRROR } from "../platform/registry.js";

export function registryMirrorDocuments(lab: Lab): Record<string, unknown>[] {
  if (!lab.network.registryMirror) return [];
  return Object.keys(REGISTRY_MIRROR.upstreams).map((name) => ({
    apiVersion: "v1alpha1",
    kind: "RegistryMirrorConfig",
    name,
    endpoints: [{ url: `${REGISTRY_MIRROR.endpoint}/v2/${name}`, overridePath: true }],
  }));
}
