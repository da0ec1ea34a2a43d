// Comparing desired and live objects without the server, and the unified diff checked by the real
// patch(1): applying Drover's diff to the old text must give the new one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { covers, liveCovers, objectHash, quantityValue } from "./compare.js";
import { unifiedDiff } from "./unified-diff.js";
import { levels } from "./order.js";
import { tempDir } from "../testing/age-key.js";
import type { KubeObject } from "./objects.js";

test("quantities compare by value", () => {
  assert.equal(quantityValue("500m"), 0.5);
  assert.equal(quantityValue("1Gi"), 2 ** 30);
  assert.equal(quantityValue("1e3"), 1000);
  assert.equal(quantityValue("abc"), undefined);
  assert.ok(covers({ cpu: "0.5", memory: "1024Mi" }, { cpu: "500m", memory: "1Gi" }));
  assert.ok(!covers({ cpu: "1" }, { cpu: "500m" }));
});

test("the live object covers the desired one: extra live fields are fine, changed or missing values are not", () => {
  const desired: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" }, stringData: { a: "x" }, type: "Opaque" };
  const live: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n", uid: "u", resourceVersion: "5" }, data: { a: Buffer.from("x").toString("base64") }, type: "Opaque" };
  assert.ok(liveCovers(live, desired), "stringData is compared as the stored data");
  assert.ok(!liveCovers({ ...live, data: { a: "eQ==" } }, desired));
  assert.ok(!covers({ list: [1, 2, 3] }, { list: [1, 2] }), "lists must match in length");
  assert.ok(covers({ list: [{ a: 1, b: 2 }] }, { list: [{ a: 1 }] }));
  assert.ok(covers(undefined, {}), "an empty map the server drops");
  assert.equal(objectHash({ apiVersion: "v1", kind: "A", metadata: { name: "x", labels: { a: "1", b: "2" } } }), objectHash({ kind: "A", apiVersion: "v1", metadata: { labels: { b: "2", a: "1" }, name: "x" } }));
});

test("levels: CRDs, namespaces, configuration, workloads, the rest, webhooks", () => {
  const o = (apiVersion: string, kind: string): KubeObject => ({ apiVersion, kind, metadata: { name: kind } });
  const got = levels([o("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"), o("networking.k8s.io/v1", "Ingress"), o("apps/v1", "Deployment"), o("v1", "ConfigMap"), o("v1", "Namespace"), o("apiextensions.k8s.io/v1", "CustomResourceDefinition"), o("example.com/v1", "Widget")]);
  assert.deepEqual(got.map((l) => [l.level, l.objects.map((x) => x.kind)]), [
    [0, ["CustomResourceDefinition"]], [1, ["Namespace"]], [2, ["ConfigMap"]], [3, ["Deployment"]], [4, ["Ingress", "Widget"]], [5, ["ValidatingWebhookConfiguration"]],
  ]);
});

test("unified diffs apply with the real patch(1)", () => {
  const dir = tempDir();
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let t = 0; t < 150; t++) {
    const a = Array.from({ length: Math.floor(rnd() * 40) }, () => `line ${Math.floor(rnd() * 8)}`);
    const b = a.filter(() => rnd() > 0.25).flatMap((x) => (rnd() < 0.2 ? [x, `new ${Math.floor(rnd() * 5)}`] : [x]));
    if (rnd() < 0.3) b.unshift("first");
    const A = a.length ? `${a.join("\n")}\n` : "";
    const B = b.length ? `${b.join("\n")}\n` : "";
    const d = unifiedDiff(A, B, "a", "b");
    if (A === B) {
      assert.equal(d, "");
      continue;
    }
    writeFileSync(join(dir, "old"), A);
    writeFileSync(join(dir, "d.patch"), d);
    const r = spawnSync("patch", ["-s", "-o", join(dir, "new"), join(dir, "old"), join(dir, "d.patch")], { encoding: "utf8" });
    assert.equal(r.status, 0, `patch rejected:\n${d}\n${r.stdout}${r.stderr}`);
    assert.equal(readFileSync(join(dir, "new"), "utf8"), B);
  }
});
