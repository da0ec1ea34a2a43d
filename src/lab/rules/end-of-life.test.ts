// check lists the retired components a lab runs (ingress-nginx, retired upstream in March 2026), with
// where upstream says so and the way off; a lab on the Gateway API, and the starter of drover init, get none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../load.js";
import { EXAMPLES } from "../../testing/paths.js";
import { starterLabYaml } from "../../init/starter.js";
import { END_OF_LIFE } from "../end-of-life.js";

const starter = readFileSync(join(EXAMPLES, "starter", "lab.yaml"), "utf8");
const retired = (text: string) => loadLabText(text).diagnostics.filter((d) => /retired upstream/.test(d.message));

test("ingress-nginx, named or by default: one warning with the date, the source and the fix", () => {
  const implicit = retired(starter);
  assert.equal(implicit.length, 1);
  assert.equal(implicit[0]!.severity, "warning");
  assert.match(implicit[0]!.message, /ingress-nginx is retired upstream since March 2026.*kubernetes\.io\/blog\/2025\/11\/11\/ingress-nginx-retirement.*names none/);
  assert.match(implicit[0]!.hint!, /network\.ingress\.controller: gateway-api/);
  const named = retired(starter.replace("network:\n", "network:\n  ingress: { controller: ingress-nginx }\n"));
  assert.equal(named.length, 1);
  assert.equal(named[0]!.path, "network.ingress.controller");
  assert.doesNotMatch(named[0]!.message, /names none/);
  assert.ok(loadLabText(starter.replace("network:\n", "network:\n  ingress: { controller: ingress-nginx }\n")).lab, "a warning, not an error: existing labs keep rendering");
  assert.deepEqual(retired(starter.replace("network:\n", "network:\n  ingress: { controller: gateway-api }\n")), []);
});

test("drover init's starter runs the Gateway API and lists no retired component", () => {
  for (const distribution of ["talos", "k3s"] as const) {
    const text = starterLabYaml({ name: "home", distribution, lan: "192.168.1.0/24", arch: "amd64", domain: "home.arpa" });
    const r = loadLabText(text);
    assert.ok(r.lab, JSON.stringify(r.diagnostics));
    assert.equal(r.lab.ingress.controller, "gateway-api");
    assert.deepEqual(retired(text), []);
  }
});

test("the table: each entry has a date, an https source and a fix", () => {
  for (const e of END_OF_LIFE) {
    assert.match(e.source, /^https:\/\//);
    assert.match(e.since, /\d{4}/);
    assert.ok(e.fix.length > 20);
  }
});
