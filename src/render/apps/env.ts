// An app's environment: catalog defaults, the spec's overrides, placeholders filled in, secret values
// referenced from the app's Secret (never inlined).
import type { App } from "../../lab/types.js";
import { dependencyEndpoint } from "./dependencies.js";
import { secretName } from "./secret.js";
import { serviceName } from "./names.js";

export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/** The values placeholders stand for. */
export function placeholders(a: App): Record<string, string> {
  const v: Record<string, string> = { name: a.name, namespace: a.namespace, host: a.exposure.hostname ?? `${serviceName(a)}.${a.namespace}.svc.cluster.local`, url: a.exposure.url ?? `http://${serviceName(a)}.${a.namespace}.svc.cluster.local` };
  for (const d of a.catalog.dependencies) {
    const e = dependencyEndpoint(a, d);
    v[`${d}.host`] = e.host;
    v[`${d}.port`] = String(e.port);
    if (e.database) v[`${d}.database`] = e.database;
    if (e.user) v[`${d}.user`] = e.user;
  }
  return v;
}

export function fill(text: string, values: Readonly<Record<string, string>>, where: string): string {
  return text.replace(/\{\{\s*([a-z.]+)\s*\}\}/g, (_, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`internal: ${where} uses {{${k}}}, which this app does not provide`);
    return v;
  });
}

/** Secret-backed variables first (so plain values can expand them with $(VAR)), then plain ones, each group in name order. */
export function appEnv(a: App): EnvVar[] {
  const values = placeholders(a);
  const out: EnvVar[] = [];
  const secretEnv = a.catalog.secretEnv ?? {};
  for (const name of Object.keys(secretEnv).sort()) out.push({ name, valueFrom: { secretKeyRef: { name: secretName(a), key: secretEnv[name]! } } });
  const plain: Record<string, string> = { ...(a.catalog.env ?? {}), ...a.env };
  for (const name of Object.keys(plain).sort()) {
    if (name in secretEnv) continue;
    out.push({ name, value: fill(plain[name]!, values, `${a.catalog.name} env ${name}`) });
  }
  return out;
}
