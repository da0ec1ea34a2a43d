// network.dns.private: pihole names a DNS server the lab must run (issue 17, bug 4).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../load.js";
import { EXAMPLES } from "../../testing/paths.js";

test("private DNS in Pi-hole without a Pi-hole app is an error at network.dns.private", () => {
  const text = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");
  assert.ok(loadLabText(text, "lab.yaml").lab, "the example runs its Pi-hole");
  const without = text.replace(/^  - \{ name: pihole\b.*\n/m, "");
  assert.notEqual(without, text);
  const r = loadLabText(without, "lab.yaml");
  assert.equal(r.spec, undefined);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0]!.path, "network.dns.private");
  assert.match(errors[0]!.message, /runs no Pi-hole app/);
  assert.equal(errors[0]!.line, without.split("\n").findIndex((l) => /^    private: pihole/.test(l)) + 1);
  // a disabled Pi-hole runs nowhere either; another private DNS setting needs none
  assert.equal(loadLabText(without.replace(/^apps:\n/m, "apps:\n  - { name: pihole, enabled: false }\n"), "lab.yaml").spec, undefined);
  assert.ok(loadLabText(without.replace("    private: pihole", "    private: none"), "lab.yaml").lab);
});
