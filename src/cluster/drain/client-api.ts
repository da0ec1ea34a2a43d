// The drain's view of the Kubernetes API, over Drover's client: pods listed by spec.nodeName, the
// Eviction subresource (policy/v1) with 429s handed back to the drain's own backoff, cordon as a merge
// patch of spec.unschedulable.
import { ApiError, type Client } from "../client.js";
import type { KubeObject } from "../objects.js";
import type { DrainApi, EvictOutcome, NodeObject } from "./api.js";
import type { Pod } from "./types.js";

const NAMESPACE_TERMINATING = "NamespaceTerminating";

function outcomeOf(e: unknown): EvictOutcome {
  if (!(e instanceof ApiError)) throw e;
  const status = e.status as { message?: string; details?: { causes?: { type?: string }[]; retryAfterSeconds?: number } } | undefined;
  const message = status?.message ?? e.message;
  if (e.code === 404) return { kind: "gone" };
  if (e.code === 429) return { kind: "too-many-requests", message, ...(status?.details?.retryAfterSeconds ? { retryAfterSeconds: status.details.retryAfterSeconds } : {}) };
  if (e.code === 403 && status?.details?.causes?.some((c) => c.type === NAMESPACE_TERMINATING)) return { kind: "namespace-terminating", message };
  return { kind: "failed", status: e.code, message };
}

export function drainApi(client: Client): DrainApi {
  const podRef = (p: Pod) => ({ apiVersion: "v1", kind: "Pod", namespace: p.metadata.namespace, name: p.metadata.name });
  return {
    endpoint: client.server,
    getNode: async (name) => (await client.get({ apiVersion: "v1", kind: "Node", name })) as unknown as NodeObject | undefined,
    setUnschedulable: async (name, unschedulable) => {
      await client.patch({ apiVersion: "v1", kind: "Node", name }, { spec: { unschedulable: unschedulable || null } }, "merge");
    },
    listPodsOnNode: async (node, labelSelector) =>
      (await client.list("v1", "Pod", { fieldSelector: `spec.nodeName=${node}`, ...(labelSelector ? { labelSelector } : {}) })).items as unknown as Pod[],
    daemonSetExists: async (namespace, name) => {
      try {
        return (await client.get({ apiVersion: "apps/v1", kind: "DaemonSet", namespace, name })) ? "found" : "not-found";
      } catch (e) {
        return { error: (e as Error).message };
      }
    },
    evict: async (pod, grace) => {
      const body = {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
        ...(grace !== undefined && grace >= 0 ? { deleteOptions: { gracePeriodSeconds: grace } } : {}),
      };
      try {
        await client.post(podRef(pod), "eviction", body, { retry429: 0 });
        return { kind: "accepted" };
      } catch (e) {
        return outcomeOf(e);
      }
    },
    deletePod: async (pod, grace) => {
      try {
        const existed = await client.delete(podRef(pod), grace !== undefined && grace >= 0 ? { gracePeriodSeconds: grace } : {});
        return existed ? { kind: "accepted" } : { kind: "gone" };
      } catch (e) {
        return outcomeOf(e);
      }
    },
    getPod: async (namespace, name) => (await client.get({ apiVersion: "v1", kind: "Pod", namespace, name })) as unknown as Pod | undefined,
  };
}

export type { KubeObject };
