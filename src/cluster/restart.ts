// Rolling the workloads that use a Secret, the way `kubectl rollout restart` does: the pod template
// gets the annotation kubectl.kubernetes.io/restartedAt, so the Deployment or StatefulSet replaces its
// pods by its own update strategy (and its PodDisruptionBudget), and they read the new values.
import type { Client } from "./client.js";
import type { KubeObject } from "./objects.js";

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

interface PodSpecLike {
  volumes?: { secret?: { secretName?: string }; projected?: { sources?: { secret?: { name?: string } }[] } }[];
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
}
interface ContainerLike {
  env?: { valueFrom?: { secretKeyRef?: { name?: string } } }[];
  envFrom?: { secretRef?: { name?: string } }[];
}
type Workload = KubeObject & { metadata: { name?: string; namespace?: string }; spec?: { template?: { spec?: PodSpecLike } } };

/** Whether a pod spec mounts the Secret or reads it into its environment. */
export function podUsesSecret(spec: PodSpecLike | undefined, name: string): boolean {
  if (!spec) return false;
  if (spec.volumes?.some((v) => v.secret?.secretName === name || v.projected?.sources?.some((s) => s.secret?.name === name))) return true;
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].some((c) =>
    c.env?.some((e) => e.valueFrom?.secretKeyRef?.name === name) || c.envFrom?.some((e) => e.secretRef?.name === name));
}

/** Restarts every Deployment and StatefulSet of the namespace that uses one of the Secrets; returns "Kind namespace/name". */
export async function restartSecretUsers(client: Client, namespace: string, secrets: readonly string[], now: Date = new Date()): Promise<string[]> {
  const restarted: string[] = [];
  for (const [apiVersion, kind] of [["apps/v1", "Deployment"], ["apps/v1", "StatefulSet"]] as const) {
    const items = (await client.list<Workload>(apiVersion, kind, { namespace })).items;
    for (const w of items) {
      if (!secrets.some((s) => podUsesSecret(w.spec?.template?.spec, s))) continue;
      await client.patch({ apiVersion, kind, namespace, name: w.metadata.name! }, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now.toISOString() } } } } }, "merge");
      restarted.push(`${kind} ${namespace}/${w.metadata.name}`);
    }
  }
  return restarted.sort();
}
