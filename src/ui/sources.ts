// Where the dashboard's facts come from: lab.yaml (re-read when it changes), the what-if analysis,
// and the live cluster when a kubeconfig is given.
import { statSync } from "node:fs";
import type { Lab } from "../lab/types.js";
import { loadLab } from "../lab/file.js";
import { baseline, whatIf, type Baseline } from "../analyze/index.js";
import type { DashboardSources } from "./server.js";
import type { LiveView, PlanView, WhatIfView } from "./api-views.js";
import { labInput } from "../ops/cluster-input.js";
import { Client } from "../cluster/client.js";
import { diff } from "../cluster/diff.js";
import { clusterStatus } from "../cluster/status.js";

export function labSource(path: string): () => Lab {
  let cached: { mtimeMs: number; lab: Lab } | undefined;
  return () => {
    const m = statSync(path).mtimeMs;
    if (!cached || cached.mtimeMs !== m) {
      try {
        cached = { mtimeMs: m, lab: loadLab(path).lab };
      } catch (e) {
        // keep serving the last good lab while the file is being edited into shape
        if (!cached) throw e;
      }
    }
    return cached.lab;
  };
}

/** What-if for the dashboard: the baseline placement is computed once per lab version. */
export function whatIfSource(): (lab: Lab, hosts: readonly string[]) => WhatIfView {
  let cache: { lab: Lab; b: Baseline } | undefined;
  return (lab, hosts) => {
    if (cache?.lab !== lab) cache = { lab, b: baseline(lab) };
    const r = whatIf(cache.b, hosts);
    return {
      down: [...r.down],
      apps: r.apps.map((a) => ({ name: a.app, outcome: a.outcome, before: a.before, after: a.after, ...(a.reason ? { reason: a.reason } : {}) })),
      etcd: { ...r.etcd },
      api: { ...r.api },
      spofs: r.spofs.map((s) => ({ ...s })),
      notes: [
        ...(r.rescheduling.ok ? [] : [`Nothing is rescheduled: ${r.rescheduling.reason}`]),
        ...r.services.filter((s) => !["storage", "dns", "gateway", "ceph-monitor"].includes(s.kind)).map((s) => `${s.what} (${s.address}, ${s.servedBy}) is down: ${s.effect}`),
        ...r.outOfService.map((x) => `StatefulSet pods wait on ${x.node}; once it is known to be off: ${x.command}`),
      ],
    };
  };
}

/** The live cluster for the dashboard: node and app states, and the plan (what drover apply would change). */
export function clusterSources(path: string, kubeconfig: string): Pick<DashboardSources, "live" | "plan"> {
  let client: Client | undefined;
  const connect = () => (client ??= Client.fromKubeconfig({ kubeconfig }));
  return {
    live: async (lab: Lab): Promise<LiveView> => {
      try {
        const s = await clusterStatus(connect(), { lab });
        const nodes: LiveView["nodes"] = {};
        for (const n of s.nodes) if (n.state !== "missing") nodes[n.name] = n.cordoned ? "cordoned" : n.state === "Ready" ? "ready" : "notready";
        const apps: LiveView["apps"] = {};
        const c = connect();
        await Promise.all(lab.apps.map(async (a) => {
          for (const kind of ["Deployment", "StatefulSet"]) {
            const w = await c.get<{ apiVersion: string; kind: string; metadata: { name: string }; spec?: { replicas?: number }; status?: { readyReplicas?: number } }>({ apiVersion: "apps/v1", kind, name: a.name, namespace: a.namespace });
            if (w) { apps[a.name] = { desired: w.spec?.replicas ?? 1, ready: w.status?.readyReplicas ?? 0 }; return; }
          }
        }));
        return { online: true, nodes, apps };
      } catch (e) {
        return { online: false, reason: (e as Error).message, nodes: {}, apps: {} };
      }
    },
    plan: async (): Promise<PlanView> => {
      const input = await labInput(path);
      const r = await diff(connect(), input.objects, { skipUnserved: true, ...(input.identity ? { lab: input.identity } : {}) });
      return {
        online: true,
        changes: r.changes.map((c) => ({ action: c.change === "prune" ? "delete" : c.change === "adopt" ? "update" : c.change, kind: c.ref.kind, ...(c.ref.namespace ? { namespace: c.ref.namespace } : {}), name: c.ref.name, diff: c.diff })),
      };
    },
  };
}

export function sources(path: string, kubeconfig?: string): DashboardSources {
  return { lab: labSource(path), whatIf: whatIfSource(), ...(kubeconfig ? clusterSources(path, kubeconfig) : {}) };
}
