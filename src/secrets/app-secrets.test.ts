import { test } from "node:test";
import assert from "node:assert/strict";
import { ensureSecrets } from "./generate.js";
import { appSecretSpecs } from "../catalog/secrets.js";
import { appsLab, exampleLab } from "../testing/apps-lab.js";
import { generateTalosSecrets } from "./talos.js";

test("ensureSecrets makes every app's secrets once (catalog keys, its Postgres password, its restic password) and never changes them", () => {
  const lab = appsLab();
  const first = ensureSecrets(lab, undefined, { talos: generateTalosSecrets });
  for (const a of lab.apps) {
    for (const [key, kind] of Object.entries(appSecretSpecs(a))) {
      const v = first.secrets.apps[a.name]?.[key];
      assert.ok(v, `${a.name}/${key}`);
      if (kind === "password") assert.match(v, /^[A-Za-z0-9]{32}$/);
      if (kind === "hex") assert.match(v, /^[0-9a-f]{64}$/);
      assert.ok(first.added.includes(`app secret ${a.name}/${key}`));
    }
  }
  assert.ok(first.secrets.apps["paperless-ngx"]!["postgres-password"] && first.secrets.apps["paperless-ngx"]!["restic-password"]);
  assert.equal(first.secrets.apps.atuin!["restic-password"], undefined, "atuin is not backed up");
  const again = ensureSecrets(lab, first.secrets, { talos: generateTalosSecrets });
  assert.deepEqual(again.added, []);
  assert.deepEqual(again.secrets.apps, first.secrets.apps);
  // a smaller lab keeps the values of apps it no longer has (they come back unchanged)
  const small = ensureSecrets(exampleLab(), first.secrets, { talos: generateTalosSecrets });
  assert.deepEqual(small.secrets.apps.atuin, first.secrets.apps.atuin);
  assert.equal(small.secrets.apps.grafana!["admin-password"], first.secrets.apps.grafana!["admin-password"]);
  assert.deepEqual(Object.keys(small.secrets.apps), [...Object.keys(small.secrets.apps)].sort(), "stable order");
});
