// What the dashboard's API answers with (JSON), written once for the server (server.ts, sources.ts)
// and the browser bundle (web/api.ts). Types only: nothing of the server reaches the bundle.

export interface WhatIfView {
  down: string[];
  apps: { name: string; outcome: "unaffected" | "degraded" | "restarted" | "down"; before: number; after: number; reason?: string }[];
  etcd: { members: number; remaining: number; quorum: number; ok: boolean };
  api: { ok: boolean; reason?: string };
  spofs: { component: string; reason: string }[];
  /** what else the operator should know: no rescheduling without quorum, services lost, out-of-service commands */
  notes: string[];
}

export interface PlanView {
  online: boolean;
  reason?: string;
  changes: { action: "create" | "update" | "delete" | "unchanged"; kind: string; namespace?: string; name: string; diff?: string }[];
}

export interface LiveView {
  online: boolean;
  reason?: string;
  nodes: Record<string, "ready" | "notready" | "cordoned">;
  apps: Record<string, { desired: number; ready: number }>;
}
