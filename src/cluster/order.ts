// The order objects are applied in: CRDs (then wait until Established), namespaces, the objects that
// workloads refer to (accounts, RBAC, config, storage, services), workloads, then everything else;
// admission webhooks last so that they never block the objects applied before their service is up.
// Objects in one level do not depend on each other, so a level is applied in parallel.
import type { KubeObject, ObjectRef } from "./objects.js";
import { groupOf } from "./objects.js";

export const LEVEL_NAMES = ["custom resource definitions", "namespaces", "configuration", "workloads", "other objects", "admission webhooks"] as const;

const CONFIG = new Set([
  "/ServiceAccount", "/Secret", "/ConfigMap", "/PersistentVolume", "/PersistentVolumeClaim", "/Service", "/LimitRange", "/ResourceQuota", "/Endpoints",
  "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding", "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/RoleBinding",
  "storage.k8s.io/StorageClass", "scheduling.k8s.io/PriorityClass", "node.k8s.io/RuntimeClass", "networking.k8s.io/IngressClass",
  "discovery.k8s.io/EndpointSlice",
]);
const WORKLOADS = new Set(["/Pod", "/ReplicationController", "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "batch/Job", "batch/CronJob"]);
const LAST = new Set(["admissionregistration.k8s.io/MutatingWebhookConfiguration", "admissionregistration.k8s.io/ValidatingWebhookConfiguration", "admissionregistration.k8s.io/ValidatingAdmissionPolicy", "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding", "apiregistration.k8s.io/APIService"]);

export function levelOf(o: ObjectRef | KubeObject): number {
  const gk = `${groupOf(o.apiVersion)}/${o.kind}`;
  if (gk === "apiextensions.k8s.io/CustomResourceDefinition") return 0;
  if (gk === "/Namespace") return 1;
  if (CONFIG.has(gk)) return 2;
  if (WORKLOADS.has(gk)) return 3;
  if (LAST.has(gk)) return 5;
  return 4;
}

/** Objects grouped by level, in level order (empty levels omitted). */
export function levels<T extends ObjectRef | KubeObject>(objs: readonly T[]): { level: number; objects: T[] }[] {
  const by = new Map<number, T[]>();
  for (const o of objs) {
    const l = levelOf(o);
    const list = by.get(l) ?? [];
    list.push(o);
    by.set(l, list);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([level, objects]) => ({ level, objects }));
}
