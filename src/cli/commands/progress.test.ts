// Progress of apply and upgrade, as render's: on a terminal's stderr one line rewritten in place (and,
// for upgrade, a line per finished stage kept above it); nothing at all with --json or when stderr is
// a pipe — the result alone. Fed the events the real apply and roll emit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { makeOutput } from "../output.js";
import { progressPrinter } from "./apply.js";
import { upgradeProgress } from "./upgrade.js";
import type { ApplyProgress } from "../../cluster/apply.js";
import type { RollEvent } from "../../ops/upgrade/roll.js";
import type { NodeStep } from "../../ops/upgrade/plan.js";
import { runCli } from "../../testing/cli-harness.js";
import { EXAMPLES } from "../../testing/paths.js";
import { join } from "node:path";

const sink = (tty: boolean) => {
  const s = Object.assign(new Writable({ write: (c, _e, cb) => ((s.text += String(c)), cb()) }), { text: "", isTTY: tty, columns: 60 });
  return s;
};
const streams = (tty: boolean) => ({ out: sink(tty), err: sink(tty) });
/** what a terminal shows at the end: each \r\x1b[K clears the line being written */
const screen = (raw: string) => raw.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.split("\r\x1b[K").at(-1)!).join("\n");

const APPLY: ApplyProgress[] = [
  { phase: "lock", holder: "alice@laptop", since: "2026-12-07T12:00:00Z" },
  { phase: "lock", holder: "alice@laptop", since: "2026-12-07T12:00:00Z" },
  { phase: "apply", level: 0, done: 1, total: 2, ref: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "helmreleases.helm.toolkit.fluxcd.io" } },
  { phase: "crds", pending: 1 },
  { phase: "apply", level: 3, done: 7, total: 9, ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "dashboard", name: "homepage" } },
  { phase: "prune", done: 1, total: 1 },
  { phase: "wait", ready: 1, total: 2, pending: [{ ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "dashboard", name: "homepage" }, message: "1/2 replicas available" }] },
];

test("apply progress: one line rewritten in place on a terminal, fitted to its width; only the lock wait is said when piped; nothing with --json", () => {
  const tty = streams(true);
  const p = progressPrinter(makeOutput(false, tty));
  for (const e of APPLY) p.update(e);
  p.done();
  const raw = tty.err.text;
  assert.ok(raw.includes("\r\x1b[Kapplying workloads: 7/9 Deployment dashboard/homepage…"), raw);
  assert.ok(raw.includes("\r\x1b[Kwaiting for 1 CustomResourceDefinition to be established…"));
  assert.ok(raw.includes("\r\x1b[Kpruning: 1/1…"));
  for (const line of raw.split("\r\x1b[K").filter((l) => !l.endsWith("\n"))) assert.ok(line.length <= 59, `fits a 60-column terminal: ${JSON.stringify(line)}`);
  assert.ok(raw.includes("\r\x1b[Kapplying custom resource definitions: 1/2 CustomResourceDe…\r"), "a longer line is cut, with an ellipsis");
  assert.equal(screen(raw), "waiting for another apply to finish (alice@laptop, since 2026-12-07T12:00:00Z)\n", "the lock wait stays, once; the progress line is cleared at the end");
  assert.equal(tty.out.text, "");

  const piped = streams(false);
  const q = progressPrinter(makeOutput(false, piped));
  for (const e of APPLY) q.update(e);
  q.done();
  assert.equal(piped.err.text, "waiting for another apply to finish (alice@laptop, since 2026-12-07T12:00:00Z)\n");
  const json = streams(true);
  const j = progressPrinter(makeOutput(true, json));
  for (const e of APPLY) j.update(e);
  j.done();
  assert.equal(json.err.text + json.out.text, "");
});

const step = (node: string): NodeStep => ({ kind: "talos", node, role: "worker", domain: "home", from: "v1.11.5", to: "v1.12.6", drain: true, check: { ok: true, kept: [], restarts: [] } as unknown as NodeStep["check"], command: [] });
const ROLL: RollEvent[] = [
  { type: "step", index: 0, total: 2, step: step("w1") },
  { type: "drain", node: "w1", event: { type: "cordoned", node: "w1", already: false } },
  { type: "drain", node: "w1", event: { type: "evicted", pod: "app-1" } },
  { type: "drain", node: "w1", event: { type: "evicted", pod: "app-2" } },
  { type: "upgrading", node: "w1" },
  { type: "ready", node: "w1", version: "v1.12.6" },
  { type: "uncordoned", node: "w1" },
  { type: "healthy", node: "w1", waitedMs: 10 },
  { type: "step", index: 1, total: 2, step: step("w2") },
  { type: "upgrading", node: "w2" },
];

test("upgrade progress: finished stages stay, what runs now is one line below them; nothing piped or with --json", () => {
  const tty = streams(true);
  const on = upgradeProgress(makeOutput(false, tty));
  for (const e of ROLL) on(e);
  const raw = tty.err.text;
  assert.ok(raw.includes("\r\x1b[K[1/2] w1: draining, 2 pods evicted (last: app-2)…"), raw);
  assert.equal(
    screen(raw),
    ["[1/2] w1: talos v1.11.5 → v1.12.6", "  w1 drained: 2 pods evicted", "  w1 Ready at v1.12.6", "  w1 uncordoned", "[2/2] w2: talos v1.11.5 → v1.12.6", "[2/2] w2: upgrading w2, then waiting for it to be Ready…"].join("\n"),
  );
  for (const [json, tty2] of [[false, false], [true, true]] as const) {
    const s = streams(tty2);
    const f = upgradeProgress(makeOutput(json, s));
    for (const e of ROLL) f(e);
    assert.equal(s.err.text + s.out.text, "", `json ${json}, terminal ${tty2}`);
  }
});

test("upgrade --plan piped: no progress characters in its output", async () => {
  process.exitCode = undefined;
  const r = await runCli(["upgrade", "--plan", "--from-talos", "1.11.5", "--from-kubernetes", "1.34.3", join(EXAMPLES, "talos-mixed", "lab.yaml")]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.doesNotMatch(r.err + r.out, /\r|\x1b\[K/);
});
