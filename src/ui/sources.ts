// Where the dashboard's facts come from: lab.yaml (re-read when it changes), the what-if analysis,
// and the live cluster when a kubeconfig is given.
import { statSync } from "node:fs";
import type { Lab } from "../lab/types.js";
import { loadLab } from "../cli/lab-file.js";
import { baseline, whatIf, type Baseline } from "../analyze/index.js";
import type { DashboardSources, WhatIfView } from "./server.js";

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
    };
  };
}

export function sources(path: string, _kubeconfig?: string): DashboardSources {
  return { lab: labSource(path), whatIf: whatIfSource() };
}
