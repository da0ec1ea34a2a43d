// The `namespaces` Flux Kustomization (infrastructure/namespaces/): every namespace the tree uses,
// whichever layers put things in it (a platform component, apps, functions), so each Namespace has
// exactly one owner. Were a namespace listed by two Kustomizations (the monitoring component and the
// apps that live in `monitoring`), the one that stops listing it would prune it, and everything in it.
// A namespace takes the most permissive Pod Security level of what runs in it; one that holds app
// data is never pruned (flux/keep.ts): deleting a namespace deletes its volumes' claims.
import { KEEP } from "./keep.js";
import { MANAGED_BY, objectMeta } from "../meta.js";

type Obj = Record<string, unknown>;
type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export interface NamespaceUse {
  readonly name: string;
  readonly podSecurity: PodSecurityLevel;
  readonly holdsData: boolean;
}

/** Namespaces that exist before Flux does (the cluster's and Flux's own): never rendered. */
export const PREEXISTING: ReadonlySet<string> = new Set(["kube-system", "flux-system", "default", "kube-public", "kube-node-lease"]);

const ORDER: Record<PodSecurityLevel, number> = { restricted: 0, baseline: 1, privileged: 2 };

/** The Namespace objects, sorted by name, one per namespace named by any of the uses. */
export function namespaceObjects(uses: readonly NamespaceUse[]): Obj[] {
  const by = new Map<string, { level: PodSecurityLevel; data: boolean }>();
  for (const u of uses) {
    if (PREEXISTING.has(u.name)) continue;
    const e = by.get(u.name);
    by.set(u.name, { level: e && ORDER[e.level] > ORDER[u.podSecurity] ? e.level : u.podSecurity, data: (e?.data ?? false) || u.holdsData });
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, e]) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: objectMeta(name, undefined, {
      ...MANAGED_BY,
      "pod-security.kubernetes.io/enforce": e.level,
      "pod-security.kubernetes.io/audit": e.level,
      "pod-security.kubernetes.io/warn": e.level,
    }, e.data ? KEEP : undefined),
  }));
}
