// The app's Secret: every generated value it uses (admin passwords, database password, keys),
// read from the secrets store and flagged for SOPS encryption, so it is never written in plaintext.
import type { App } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { appSecretSpecs } from "../../catalog/secrets.js";
import { appLabels, meta } from "./labels.js";

import { appSecretName as secretName } from "./names.js";

export { secretName };

/** The app's Secret, or undefined when it needs none. Throws when the store lacks a value (ensureSecrets makes them). */
export function appSecret(a: App, secrets: LabSecrets): Record<string, unknown> | undefined {
  const specs = appSecretSpecs(a);
  const keys = Object.keys(specs).sort();
  if (!keys.length) return undefined;
  const stored = secrets.apps[a.name] ?? {};
  const stringData: Record<string, string> = {};
  for (const k of keys) {
    const v = stored[k];
    if (v === undefined) throw new Error(`internal: the secrets store has no ${a.name}/${k} (run ensureSecrets before rendering)`);
    stringData[k] = v;
  }
  return { apiVersion: "v1", kind: "Secret", metadata: meta(secretName(a), a.namespace, appLabels(a)), type: "Opaque", stringData };
}
