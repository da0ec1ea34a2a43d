// What an upgrade reads from the cluster: each Node's readiness, cordon and the versions it reports
// (status.nodeInfo: kubeletVersion, osImage — "Talos (v1.12.6)"), the API server's version, and the
// PodDisruptionBudgets that are not satisfied right now (currentHealthy < desiredHealthy), and the
// Cilium release (its DaemonSet's image).
import type { Client } from "./client.js";
import type { KubeObject } from "./objects.js";

export interface NodeVersion {
  readonly name: string;
  readonly ready: boolean;
  readonly unschedulable: boolean;
  readonly kubeletVersion: string | undefined;
  readonly osImage: string | undefined;
}

type NodeObj = KubeObject & {
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string; osImage?: string } };
};

const nodeVersion = (n: NodeObj): NodeVersion => ({
  name: n.metadata.name ?? "",
  ready: n.status?.conditions?.find((c) => c.type === "Ready")?.status === "True",
  unschedulable: n.spec?.unschedulable === true,
  kubeletVersion: n.status?.nodeInfo?.kubeletVersion,
  osImage: n.status?.nodeInfo?.osImage,
});

export async function nodeVersions(client: Client): Promise<NodeVersion[]> {
  return ((await client.list<NodeObj>("v1", "Node")).items).map(nodeVersion);
}

export async function nodeVersionOf(client: Client, name: string): Promise<NodeVersion | undefined> {
  const n = await client.get<NodeObj>({ apiVersion: "v1", kind: "Node", name });
  return n ? nodeVersion(n) : undefined;
}

/** kube-apiserver's gitVersion, e.g. "v1.35.4" */
export async function apiServerVersion(client: Client): Promise<string> {
  return (await client.version()).gitVersion;
}

/**
 * The Cilium release the cluster runs: the tag of the cilium-agent image of the kube-system/cilium
 * DaemonSet ("quay.io/cilium/cilium:v1.19.4@sha256:…" → "1.19.4"); undefined without Cilium.
 */
export async function ciliumVersion(client: Client): Promise<string | undefined> {
  const ds = await client.get<KubeObject & { spec?: { template?: { spec?: { containers?: { name: string; image?: string }[] } } } }>({ apiVersion: "apps/v1", kind: "DaemonSet", name: "cilium", namespace: "kube-system" });
  const cs = ds?.spec?.template?.spec?.containers ?? [];
  const image = (cs.find((c) => c.name === "cilium-agent") ?? cs[0])?.image;
  return /:v?(\d+\.\d+\.\d+[^@]*)(?:@|$)/.exec(image ?? "")?.[1];
}

export interface BudgetShortfall {
  /** namespace/name */
  readonly budget: string;
  readonly currentHealthy: number;
  readonly desiredHealthy: number;
}

type PdbObj = KubeObject & { metadata: { namespace?: string; generation?: number }; status?: { currentHealthy?: number; desiredHealthy?: number; observedGeneration?: number } };

/** PodDisruptionBudgets with fewer healthy pods than they require (every namespace). */
export async function budgetShortfalls(client: Client): Promise<BudgetShortfall[]> {
  const items = (await client.list<PdbObj>("policy/v1", "PodDisruptionBudget")).items;
  return items
    .filter((p) => p.status?.desiredHealthy !== undefined && (p.status.currentHealthy ?? 0) < p.status.desiredHealthy)
    .map((p) => ({ budget: `${p.metadata.namespace}/${p.metadata.name}`, currentHealthy: p.status!.currentHealthy ?? 0, desiredHealthy: p.status!.desiredHealthy! }));
}
