// Comparing what Drover wants with what the cluster has, without writing: does the live object
// already hold every value of the desired one (so a server-side apply would change nothing that
// Drover owns)? Conservative: anything it cannot prove equal counts as different, which only costs
// an apply that the server turns into a no-op.
import { createHash } from "node:crypto";
import type { KubeObject } from "./objects.js";

/** A Secret's stringData folded into data (base64), as the API server stores it. */
export function asStored(o: KubeObject): KubeObject {
  if (o.kind !== "Secret" || o.apiVersion !== "v1" || !o.stringData) return o;
  const data: Record<string, string> = { ...((o.data as Record<string, string>) ?? {}) };
  for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
  const { stringData: _drop, ...rest } = o;
  return { ...rest, data } as KubeObject;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes resource.Quantity as a number ("500m" → 0.5, "1Gi" → 1073741824), or undefined. */
export function quantityValue(s: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(s);
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ""]!;
}

function sameScalar(live: unknown, want: unknown): boolean {
  if (live === want) return true;
  if (typeof live === "string" && typeof want === "string") {
    const a = quantityValue(live);
    const b = quantityValue(want);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(b) * 1e-12;
  }
  if (typeof live === "string" && typeof want === "number") return quantityValue(live) === want;
  if (typeof live === "number" && typeof want === "string") return quantityValue(want) === live;
  return false;
}

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Every value in `want` is present in `live` (maps: by key; lists: same length, element-wise). */
export function covers(live: unknown, want: unknown): boolean {
  // "", false and 0 in an omitempty field come back absent
  if (live === undefined && (want === "" || want === false || want === 0)) return true;
  if (isEmpty(want)) return isEmpty(live) || (typeof want === "object" && want !== null && typeof live === "object" && live !== null && Array.isArray(want) === Array.isArray(live));
  if (Array.isArray(want)) {
    if (!Array.isArray(live) || live.length !== want.length) return false;
    return want.every((w, i) => covers(live[i], w));
  }
  if (typeof want === "object" && want !== null) {
    if (typeof live !== "object" || live === null || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => covers(l[k], v));
  }
  return sameScalar(live, want);
}

/** Does the live object already hold the desired one? (status and server-set metadata are ignored) */
export function liveCovers(live: KubeObject, desired: KubeObject): boolean {
  const want = asStored(desired);
  const { metadata, status: _s, apiVersion: _a, kind: _k, ...body } = want;
  const { metadata: lm, ...liveBody } = live;
  const m = { ...metadata };
  delete m.resourceVersion;
  delete m.managedFields;
  return covers(lm, m) && covers(liveBody, body);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** A stable digest of a desired object (key order does not matter). */
export function objectHash(o: KubeObject): string {
  return createHash("sha256").update(JSON.stringify(canonical(o))).digest("base64url").slice(0, 22);
}
