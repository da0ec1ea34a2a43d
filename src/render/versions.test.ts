// The effective versions.yaml and renovate.json: every example's file, copied beside its lab.yaml,
// renders the same tree byte for byte (the file is the format the loader reads); Renovate's regex
// managers find every annotated entry with its current value; an override changes exactly the
// objects that use it; every pin in the table is used by some render.
import { seed004Lab } from "../testing/seed004-lab.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../lab/load.js";
import { renderLab } from "./index.js";
import { ensureSecrets } from "../secrets/generate.js";
import { generateTalosSecrets } from "../secrets/talos.js";
import { EXAMPLES } from "../testing/paths.js";
import { catalog } from "../catalog/index.js";
import { DEFAULT_IMAGES, IMAGE_NAMES, imageRef, type ImageName } from "../versions/defaults.js";
import { loadVersions } from "../spec/versions.js";
import type { LabSecrets } from "../secrets/types.js";
import type { Lab } from "../lab/types.js";

function example(name: string): { text: string; load: (text: string, versions?: string) => ReturnType<typeof loadLabText> } {
  const dir = join(EXAMPLES, name);
  const sources = new Map<string, string>();
  if (existsSync(join(dir, "functions"))) for (const f of readdirSync(join(dir, "functions"))) sources.set(`functions/${f}`, readFileSync(join(dir, "functions", f), "utf8"));
  return {
    text: readFileSync(join(dir, "lab.yaml"), "utf8"),
    load: (text, versions) => loadLabText(text, "lab.yaml", { functionSources: () => ({ sources }), ...(versions !== undefined ? { versions: { text: versions, file: "versions.yaml" } } : {}) }),
  };
}

const names = readdirSync(EXAMPLES).filter((e) => existsSync(join(EXAMPLES, e, "lab.yaml"))).sort();
const secretsOf = (lab: Lab): LabSecrets => {
  let n = 0;
  return ensureSecrets(lab, undefined, { talos: generateTalosSecrets, appSecret: (k) => `${k}-${++n}` }).secrets;
};
const contents = (t: ReturnType<typeof renderLab>) => new Map([...t].map(([p, f]) => [p, f.content]));

for (const name of names) {
  test(`${name}: versions.yaml copied beside lab.yaml renders the same tree; Renovate's managers find every entry`, () => {
    const ex = example(name);
    const lab = ex.load(ex.text).lab!;
    const secrets = secretsOf(lab);
    const first = renderLab(lab, secrets);
    const file = first.get("versions.yaml")!.content;
    const config = JSON.parse(first.get("renovate.json")!.content) as { customManagers: { matchStrings: string[]; managerFilePatterns: string[] }[] };

    // the cluster versions move from lab.yaml to versions.yaml (both set is refused)
    const stripped = ex.text.replace(/^ {2}(kubernetesVersion|talosVersion|k3sVersion): .*\n/gm, "");
    const r = ex.load(stripped, file);
    assert.deepEqual(r.diagnostics.filter((d) => d.file === "versions.yaml"), []);
    assert.ok(r.lab, JSON.stringify(r.diagnostics.slice(0, 3)));
    assert.deepEqual(contents(renderLab(r.lab, secrets)), contents(first));
    const conflict = ex.load(ex.text, file);
    assert.equal(conflict.lab, undefined, "kubernetes in both files is refused");

    // Renovate: every annotation is matched by exactly one manager, with the value written under it
    const found = new Map<string, { depName: string; currentValue: string; datasource: string }>();
    for (const m of config.customManagers) {
      assert.ok(m.managerFilePatterns.some((p) => new RegExp(p.slice(1, -1)).test("versions.yaml")));
      for (const s of m.matchStrings) {
        for (const x of file.matchAll(new RegExp(s, "g"))) {
          const key = x.index!;
          assert.ok(!found.has(String(key)), "two managers match one entry");
          found.set(String(key), x.groups as never);
        }
      }
    }
    const annotations = file.split("\n").filter((l) => l.trimStart().startsWith("# renovate:"));
    assert.equal(found.size, annotations.length, "each annotated entry is found once");
    const overrides = loadVersions(file).overrides!;
    for (const g of found.values()) {
      if (g.datasource === "docker" && !g.depName.includes("/charts/") && !g.depName.endsWith("gateway-helm")) {
        const pin = Object.values(overrides.images).find((i) => i!.repository === g.depName);
        assert.ok(pin, g.depName);
        assert.equal(g.currentValue, pin.tag);
      } else assert.match(g.currentValue, /^v?\d+\.\d+\.\d+/);
    }
  });
}

test("an override changes exactly the objects that use it", () => {
  const ex = example("multi-site");
  const base = ex.load(ex.text).lab!;
  const secrets = secretsOf(base);
  const before = renderLab(base, secrets);
  const after = renderLab(ex.load(ex.text, 'charts:\n  cilium: "1.20.3"\nimages:\n  vaultwarden: "vaultwarden/server:1.35.0"\n  postgres: "registry.lan:5000/postgres:17.8"\n').lab!, secrets);
  const changed = [...after.keys()].filter((p) => before.get(p)?.content !== after.get(p)!.content).sort();
  assert.ok(changed.includes("versions.yaml"));
  const cilium = changed.filter((p) => after.get(p)!.content.includes("1.20.3"));
  assert.ok(cilium.some((p) => p.includes("cilium")), changed.join(", "));
  assert.ok(changed.some((p) => /vaultwarden/.test(p) && after.get(p)!.content.includes("image: vaultwarden/server:1.35.0")));
  assert.ok(changed.some((p) => after.get(p)!.content.includes("image: registry.lan:5000/postgres:17.8")));
  for (const p of changed) {
    if (p === "versions.yaml" || p.endsWith("README.md")) continue;
    const c = after.get(p)!.content;
    // the image or its tag (the app.kubernetes.io/version label) is in every changed file
    assert.ok(c.includes("1.20.3") || c.includes("1.35.0") || c.includes("17.8"), `${p} changed without an overridden pin in it`);
  }
});

test("the table: each catalog app's image is its entry; every image is rendered by some lab", () => {
  for (const a of catalog) assert.equal(a.image, DEFAULT_IMAGES[a.name as ImageName], a.name);
  const rendered = new Set<string>();
  for (const name of names) {
    const ex = example(name);
    const lab = ex.load(ex.text).lab!;
    for (const f of renderLab(lab, secretsOf(lab)).values()) rendered.add(f.content);
  }
  // the Cloudflare Tunnel (cloudflared): seed 004's lab behind CGNAT, as render/platform/tunnel.test.ts has it
  const tunnel = loadLabText(seed004Lab({ challenge: "dns01", portForwarding: false }).replace("network:\n", "network:\n  tunnel: { provider: cloudflare, id: 6ff42ae2-765d-4adf-8112-31c55c1551ef }\n")).lab!;
  for (const f of renderLab(tunnel, secretsOf(tunnel)).values()) rendered.add(f.content);
  const all = [...rendered].join("\n");
  // images of apps no example runs are checked through the catalog; the rest must appear in some example
  const apps = new Set(catalog.map((a) => a.name));
  for (const n of IMAGE_NAMES.filter((i) => !apps.has(i))) {
    if (n === "immich-postgres" || n === "function-bash" || n === "velero-plugin-for-aws" || n === "authelia") continue; // no example uses them
    assert.ok(all.includes(imageRef(DEFAULT_IMAGES[n])), `${n} is rendered by no example`);
  }
});
