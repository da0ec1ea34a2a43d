// Fetching the dashboard API; the token travels in an HttpOnly cookie set on first visit.
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${res.status}`);
  return body as T;
}

export interface Summary { name: string; distribution: string; kubernetesVersion: string; domains: { public?: string; private: string }; counts: Record<string, number> }
export interface Tile { name: string; title: string; icon: string; group: string; description: string; url?: string; exposure: "public" | "private" | "none"; groups: string[] | null; replicas: number; health: string }
export interface Services { online: boolean; reason?: string; services: Tile[] }
export interface TNode { name: string; role: string; kind: string; arch: string; cpu: number; memory: string; address: string; overlayAddress: string; status: string }
export interface THost { name: string; arch: string; cpu: number; memory: string; power: string; hypervisor: string; gpus: number; nodes: TNode[] }
export interface Topology {
  online: boolean; reason?: string; endpoint: string;
  sites: { name: string; kind: string; lan: string; nat: boolean; hosts: THost[] }[];
  seats: { name: string; owner: string | null; device: string; overlayAddress: string }[];
  mesh: { topology: string; subnet: string; edges: { a: string; b: string; relay?: boolean }[] };
}
export type { WhatIfView as WhatIf, PlanView as Plan } from "../api-views.js";
