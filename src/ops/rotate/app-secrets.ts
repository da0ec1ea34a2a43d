// drover keys rotate app-secrets --app <app> [--secret <name>…]: new values for an app's generated
// secrets (the keys of its Secret, src/catalog/secrets.ts), then — with a cluster — the app's Secret is
// applied and every Deployment and StatefulSet using it restarted (cluster/restart.ts), so the pods read
// the new values. Refused, with the reason: values a running service keeps on its own side, where a new
// value in the Secret alone would lock the app out — its Postgres password (Postgres reads
// POSTGRES_PASSWORD only when it initialises its data) and its restic repository password (the
// repository's key is wrapped with it: `restic key add` first).
import { appSecretSpecs } from "../../catalog/secrets.js";
import { randomSecret } from "../../secrets/generate.js";
import { UserError } from "../../errors.js";
import type { Rotation } from "./types.js";
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import type { Client } from "../../cluster/client.js";
import type { KubeObject } from "../../cluster/objects.js";
import { restartSecretUsers } from "../../cluster/restart.js";
import { appSecret, secretName } from "../../render/apps/secret.js";

/** What may not be rotated by replacing the value, and why. */
export const KEPT_BY_THE_SERVICE: Readonly<Record<string, string>> = {
  "postgres-password": "Postgres keeps the password in its data (POSTGRES_PASSWORD is read only when the data is first made): change it there first (ALTER USER … PASSWORD), then in the store",
  "restic-password": "the restic repository's key is encrypted with it: add the new one with `restic key add` and remove the old with `restic key remove` first",
};

export function appSecretsRotation(): Rotation {
  return {
    kind: "app-secrets",
    description: "new values for an app's generated secrets (--app, --secret); with a cluster, its Secret is applied and the workloads using it restarted",
    rotate(store, lab, options = {}) {
      const { app, secrets: names } = options;
      if (!app) throw new UserError("keys rotate app-secrets needs --app <name>", `apps with generated secrets: ${lab.apps.filter((a) => Object.keys(appSecretSpecs(a)).length).map((a) => a.name).join(", ") || "none"}`, 2);
      const a = lab.apps.find((x) => x.name === app);
      if (!a) throw new UserError(`no app named ${app}`, `the apps are ${lab.apps.map((x) => x.name).join(", ")}`);
      const specs = appSecretSpecs(a);
      const wanted = names?.length ? [...names] : Object.keys(specs).filter((k) => !(k in KEPT_BY_THE_SERVICE));
      for (const n of wanted) {
        if (!(n in specs)) throw new UserError(`${app} has no generated secret named ${n}`, `its secrets: ${Object.keys(specs).sort().join(", ") || "none"}`);
        if (n in KEPT_BY_THE_SERVICE) throw new UserError(`not rotating ${app}/${n}: ${KEPT_BY_THE_SERVICE[n]}`, "rotate the other secrets with --secret, or leave this one out");
      }
      if (!wanted.length) throw new UserError(`${app} has no secret that can be rotated by replacing it`, Object.keys(specs).map((k) => `${k}: ${KEPT_BY_THE_SERVICE[k] ?? ""}`).join("; "));
      const current = store.secrets.apps[app] ?? {};
      const next = { ...current };
      for (const n of wanted.sort()) next[n] = randomSecret(specs[n]!);
      return {
        store: { ...store, secrets: { ...store.secrets, apps: { ...store.secrets.apps, [app]: next } } },
        changed: wanted.map((n) => `app secret ${app}/${n}`),
        rollout: [],
        notes: [`the app's Secret in the rendered tree changed: drover apply (or push for Flux), then restart what uses it — drover keys rotate app-secrets --app ${app} --kubeconfig … does both`],
      };
    },
  };
}

/**
 * With a cluster: the app's Secret with the new values (server-side apply, Drover's field manager, as
 * drover apply writes it), then a restart of every Deployment and StatefulSet of its namespace that
 * uses it. Returns the workloads restarted.
 */
export async function rollAppSecret(client: Client, lab: Lab, secrets: LabSecrets, app: string, now: Date = new Date()): Promise<{ secret: string; restarted: string[] }> {
  const a = lab.app(app);
  const obj = appSecret(a, secrets);
  if (!obj) throw new UserError(`${app} has no Secret`, "nothing to roll");
  await client.apply(obj as unknown as KubeObject, { force: true });
  return { secret: `${a.namespace}/${secretName(a)}`, restarted: await restartSecretUsers(client, a.namespace, [secretName(a)], now) };
}
