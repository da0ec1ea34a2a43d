// drover status: the cluster as the lab sees it. Nodes (ready, cordoned, role, arch, host and site from
// Drover's labels; nodes the spec has and the cluster lacks), apps (desired/ready replicas, URLs by
// exposure) and drift between what the spec renders and what the cluster holds.
import type { Lab } from "../lab/types.js";
import type { Client } from "./client.js";
import { liveCovers } from "./compare.js";
import { liveObjects } from "./apply.js";
import { readInventory, INVENTORY_NAME } from "./inventory.js";
import { refKey, refOf, type KubeObject, type ObjectRef } from "./objects.js";
import { readiness } from "./readiness.js";
import { keptFromPrune } from "./prune-policy.js";

export interface NodeStatus {
  readonly name: string;
  /** "Ready", "NotReady", "Unknown", or "missing" (in the spec, not in the cluster) */
  readonly state: string;
  readonly cordoned: boolean;
  readonly role: string;
  readonly arch: string;
  readonly host: string;
  readonly site: string;
  /** in the cluster but not in lab.yaml */
  readonly unknown: boolean;
}

export interface AppStatus {
  readonly name: string;
  readonly namespace: string;
  readonly kind: string;
  readonly desired: number;
  readonly ready: number;
  /** "ready", "progressing", "missing" */
  readonly state: string;
  readonly urls: readonly string[];
}

export interface Drift {
  /** rendered, not in the cluster */
  readonly missing: ObjectRef[];
  /** in the cluster with values other than the rendered ones */
  readonly changed: ObjectRef[];
  /** applied by Drover earlier, no longer rendered (an apply would prune them) */
  readonly extra: ObjectRef[];
  /** applied by Drover earlier, no longer rendered, kept because they hold data (drover apply --prune-data deletes them) */
  readonly kept: ObjectRef[];
  /** rendered, of kinds the cluster does not serve yet (their CRDs come with Flux, cert-manager…) */
  readonly unserved: ObjectRef[];
  readonly inSync: number;
}

export interface StatusReport {
  readonly server: string;
  readonly version: string;
  readonly nodes: NodeStatus[];
  readonly apps: AppStatus[];
  readonly drift: Drift;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export function nodeStatus(n: Obj, known: boolean): NodeStatus {
  const labels = n.metadata.labels ?? {};
  const ready = ((n.status?.conditions as { type: string; status: string }[] | undefined) ?? []).find((c) => c.type === "Ready");
  const role = "node-role.kubernetes.io/control-plane" in labels || "node-role.kubernetes.io/master" in labels ? "controlplane" : "worker";
  return {
    name: n.metadata.name ?? "",
    state: ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown",
    cordoned: n.spec?.unschedulable === true,
    role,
    arch: labels["kubernetes.io/arch"] ?? (n.status?.nodeInfo as { architecture?: string } | undefined)?.architecture ?? "",
    host: labels["drover.dev/host"] ?? "",
    site: labels["drover.dev/site"] ?? "",
    unknown: !known,
  };
}

/** The URLs an app is reached at: https://hostname through the ingress, address:port for load-balanced raw ports. */
export function appUrls(a: Lab["apps"][number]): string[] {
  const out: string[] = [];
  if (a.exposure.kind !== "none" && a.exposure.hostname) out.push(a.exposure.url ?? `https://${a.exposure.hostname}`);
  if (a.loadBalancerAddress) {
    for (const p of a.catalog.ports.filter((x) => x.loadBalancer)) out.push(`${p.protocol.toLowerCase()}://${a.loadBalancerAddress}:${p.servicePort ?? p.port}`);
  }
  return out;
}

export async function clusterStatus(client: Client, o: { lab?: Lab; desired?: readonly KubeObject[]; inventoryName?: string } = {}): Promise<StatusReport> {
  const [version, nodeList] = await Promise.all([client.version(), client.list<Obj>("v1", "Node")]);
  const labNodes = new Map((o.lab?.nodes ?? []).map((n) => [n.name, n]));
  const nodes: NodeStatus[] = nodeList.items.map((n) => nodeStatus(n, !o.lab || labNodes.has(n.metadata.name ?? "")));
  for (const [name, n] of labNodes) {
    if (!nodes.some((x) => x.name === name)) nodes.push({ name, state: "missing", cordoned: false, role: n.role, arch: n.arch, host: n.host, site: n.site, unknown: false });
  }
  nodes.sort((a, b) => (a.name < b.name ? -1 : 1));

  const desired = o.desired ?? [];
  // objects of kinds the server does not serve (their CRDs are not installed) are simply missing
  const served: KubeObject[] = [];
  const map = await client.discover();
  for (const d of desired) if (map.get(d.apiVersion, d.kind)) served.push(d);
  const ns = client.access.namespace;
  const withNs = served.map((d) => (map.get(d.apiVersion, d.kind)!.namespaced && !d.metadata.namespace ? { ...d, metadata: { ...d.metadata, namespace: ns } } : d));
  const live = await liveObjects(client, withNs);
  const missing: ObjectRef[] = [];
  const unserved: ObjectRef[] = desired.filter((d) => !map.get(d.apiVersion, d.kind)).map(refOf);
  const changed: ObjectRef[] = [];
  let inSync = 0;
  for (const d of withNs) {
    const cur = live.get(refKey(refOf(d)));
    if (!cur) missing.push(refOf(d));
    else if (!liveCovers(cur, d)) changed.push(refOf(d));
    else inSync++;
  }
  const { inventory } = await readInventory(client, o.inventoryName ?? INVENTORY_NAME);
  const wanted = new Set(withNs.map((d) => refKey(refOf(d))));
  for (const d of desired) wanted.add(refKey(refOf(d)));
  const dropped = inventory.list().filter((e) => !wanted.has(refKey(e))).map((e): ObjectRef => ({ apiVersion: e.apiVersion, kind: e.kind, name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) }));
  const isKept = await Promise.all(dropped.map(async (r) => {
    const cur = await client.get(r).catch(() => undefined);
    return !!cur && (await keptFromPrune(client, cur)) !== undefined;
  }));
  const extra = dropped.filter((_, i) => !isKept[i]);
  const kept = dropped.filter((_, i) => isKept[i]);

  const apps: AppStatus[] = [];
  for (const a of o.lab?.apps ?? []) {
    const w = withNs.find((d) => (d.kind === "Deployment" || d.kind === "StatefulSet") && d.metadata.name === a.name && d.metadata.namespace === a.namespace);
    const cur = w ? (live.get(refKey(refOf(w))) as Obj | undefined) : undefined;
    const desiredReplicas = Number((w as Obj | undefined)?.spec?.replicas ?? a.replicas);
    const ready = Number(cur?.status?.readyReplicas ?? 0);
    apps.push({
      name: a.name,
      namespace: a.namespace,
      kind: w?.kind ?? "Deployment",
      desired: desiredReplicas,
      ready,
      state: !cur ? "missing" : readiness(cur).ready ? "ready" : "progressing",
      urls: appUrls(a),
    });
  }
  return { server: client.server, version: version.gitVersion, nodes, apps, drift: { missing, changed, extra, kept, unserved, inSync } };
}
