// Where the dashboard's facts come from: lab.yaml (re-read when it changes), the what-if analysis,
// and the live cluster when a kubeconfig is given.
import { statSync } from "node:fs";
import type { Lab } from "../lab/types.js";
import { loadLab } from "../cli/lab-file.js";
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

export function whatIfView(_lab: Lab, _hosts: readonly string[]): WhatIfView {
  throw new Error("what-if analysis is wired in at merge");
}

export function sources(path: string, _kubeconfig?: string): DashboardSources {
  return { lab: labSource(path), whatIf: whatIfView };
}
