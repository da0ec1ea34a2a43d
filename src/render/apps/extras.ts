// Smaller objects some apps need: a ConfigMap of config files, and read access to cluster objects.
import type { App } from "../../lab/types.js";
import { appLabels, meta } from "./labels.js";
import { filesConfigMapName } from "./names.js";
import { fileKey } from "./workload.js";

export function filesConfigMap(a: App): Record<string, unknown> | undefined {
  const files = a.catalog.files;
  if (!files || !Object.keys(files).length) return undefined;
  const data: Record<string, string> = {};
  for (const p of Object.keys(files).sort()) data[fileKey(p)] = files[p]!;
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(filesConfigMapName(a), a.namespace, appLabels(a)), data };
}

export const clusterRoleName = (a: App): string => `drover:${a.namespace}:${a.name}`;

export function clusterReadAccess(a: App): Record<string, unknown>[] {
  const rules = a.catalog.clusterRead;
  if (!rules) return [];
  const labels = appLabels(a);
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(a.name, a.namespace, labels) },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: clusterRoleName(a), labels }, rules: rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: ["get", "list", "watch"] })) },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: clusterRoleName(a), labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRoleName(a) },
      subjects: [{ kind: "ServiceAccount", name: a.name, namespace: a.namespace }],
    },
  ];
}
