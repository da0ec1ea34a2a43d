// Kubernetes-style quantities for memory and disk ("16Gi", "512Mi", "1T", "16GB") and CPU ("4", "500m").

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

export const BYTES_PATTERN = /^(\d+(?:\.\d+)?)\s?(Ki|Mi|Gi|Ti|Pi|KiB|MiB|GiB|TiB|PiB|k|K|M|G|T|P|KB|MB|GB|TB|PB|B)?$/;

/** Bytes from a quantity string; undefined when it is not one. A bare number means bytes. */
export function parseBytes(text: string): number | undefined {
  const m = BYTES_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  let unit = m[2] ?? "";
  if (unit.endsWith("iB")) unit = unit.slice(0, -1);
  else if (unit.length === 2 && unit.endsWith("B")) unit = unit.slice(0, 1);
  if (unit === "" || unit === "B") return Math.round(value);
  const f = BINARY[unit] ?? DECIMAL[unit];
  return f === undefined ? undefined : Math.round(value * f);
}

export const CPU_PATTERN = /^(\d+(?:\.\d+)?)(m)?$/;

/** CPU in millicores from "2", "0.5", "500m" or a number. */
export function parseMillicores(v: string | number): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  const m = CPU_PATTERN.exec(v.trim());
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1])) : Math.round(Number(m[1]) * 1000);
}

/** A Kubernetes quantity string for bytes: the largest binary unit that divides it exactly. */
export function formatBytes(bytes: number): string {
  for (const [u, f] of [["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${u}`;
  }
  return String(bytes);
}

export function formatMillicores(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Human-readable size, for summaries: "16 GiB". */
export function humanBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
