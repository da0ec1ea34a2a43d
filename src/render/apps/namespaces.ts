// The namespaces the apps and functions live in, with what each needs of its Namespace object: the
// most permissive Pod Security level of the pods in it, and whether it holds app data (a volume). The
// Namespace objects themselves belong to the platform's `namespaces` Flux Kustomization
// (src/render/flux/namespaces.ts), one owner for every namespace, whichever layers use it.
import type { Lab } from "../../lab/types.js";
import { podPlan } from "../../lab/pods.js";
import { podSecurityLevel } from "./security-level.js";
import { mostPermissive, type PodSecurityLevel } from "./folder.js";
import { FUNCTIONS_NAMESPACE } from "../functions/index.js";

export interface NamespaceNeed {
  readonly name: string;
  readonly podSecurity: PodSecurityLevel;
  /** an app keeps data here (a PersistentVolumeClaim): the namespace is never pruned with the app */
  readonly holdsData: boolean;
}

/** Whether an app keeps data in PersistentVolumeClaims (its volumes, or a database it brings). */
export const holdsData = (a: Lab["apps"][number]): boolean => a.volumes.length > 0 || a.catalog.dependencies.includes("postgres");

export function appNamespaceNeeds(lab: Lab): NamespaceNeed[] {
  const archs = new Set(lab.nodes.map((n) => n.arch));
  const by = new Map<string, { levels: PodSecurityLevel[]; data: boolean }>();
  const add = (ns: string, level: PodSecurityLevel, data: boolean) => {
    const e = by.get(ns) ?? { levels: [], data: false };
    e.levels.push(level);
    e.data ||= data;
    by.set(ns, e);
  };
  for (const a of lab.apps) add(a.namespace, podSecurityLevel(a, podPlan(lab, a, archs).serialDevice !== undefined), holdsData(a));
  if (lab.functions.length) add(FUNCTIONS_NAMESPACE, "restricted", false);
  return [...by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, e]) => ({ name, podSecurity: mostPermissive(e.levels), holdsData: e.data }));
}
