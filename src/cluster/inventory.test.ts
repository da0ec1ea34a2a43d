// The inventory's text: entries round-trip, format-1 lines are read as unresolved, and every line that
// is not an entry is refused with its line number (no cluster needed; the cluster-side behaviour is in
// ownership.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Inventory, InventoryError, checkLab } from "./inventory.js";

test("entries round-trip; format-1 lines stay unresolved; pending entries keep their time", () => {
  const text = [
    '["apps/v1","Deployment","media","jellyfin","AbCdEfGhIjKlMnOpQrStUv","created"]',
    '["v1","ConfigMap","media","old","",""]'.replace(',""]', "]"),
    '["v1","Namespace","","media","","adopted"]',
    '["v1","Secret","media","db","","pending","2026-12-07T06:00:00.000Z"]',
  ].join("\n") + "\n";
  const inv = Inventory.parse(text);
  assert.equal(inv.size, 4);
  assert.equal(inv.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "media", name: "old" })?.origin, undefined);
  assert.equal(inv.get({ apiVersion: "v1", kind: "Secret", namespace: "media", name: "db" })?.since, "2026-12-07T06:00:00.000Z");
  assert.equal(Inventory.parse(inv.text()).text(), inv.text());
  assert.equal(inv.text().split("\n").filter((l) => l.includes('"old"'))[0], '["v1","ConfigMap","media","old",""]');
});

test("a line that is not an entry is refused with its number and what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["{", /line 2 of data\.objects is not JSON/],
    ['["v1","Namespace","","x"]', /is not a list of 5 to 7 strings/],
    ['["v1","Namespace","","x","",1]', /is not a list of 5 to 7 strings/],
    ['["v 1","Namespace","","x",""]', /has apiVersion "v 1", which is not group\/version/],
    ['["v1","namespace","","x",""]', /has kind "namespace", which is not a Kubernetes kind/],
    ['["v1","ConfigMap","Bad_NS","x",""]', /has namespace "Bad_NS"/],
    ['["v1","Namespace","","..",""]', /has name "\.\.", which is not an object name/],
    ['["v1","Namespace","","a/b",""]', /has name "a\/b"/],
    ['["v1","Namespace","","x","h a s h"]', /has digest "h a s h"/],
    ['["v1","Namespace","","x","","mine"]', /has origin "mine"; it must be created, adopted or pending/],
    ['["v1","Namespace","","x","","pending","yesterday"]', /has time "yesterday"/],
    ['["v1","Namespace","","ok","","created"]', /lists an object listed on an earlier line/],
  ];
  for (const [line, what] of cases) {
    assert.throws(() => Inventory.parse(`["v1","Namespace","","ok","","created"]\n${line}\n`, "drover-system/inv"), (e: unknown) => {
      assert.ok(e instanceof InventoryError);
      assert.match(e.message, /^the inventory ConfigMap drover-system\/inv is not valid: line 2 of data\.objects /);
      assert.match(e.message, what);
      assert.match(e.hint ?? "", /Nothing was written or pruned/);
      return true;
    }, line);
  }
});

test("another lab is refused naming both; a lab's first apply on an unnamed inventory is not", () => {
  const a = { cluster: "attic", uid: "11111111-1111-4111-8111-111111111111" };
  const b = { cluster: "garage", uid: "22222222-2222-4222-8222-222222222222" };
  assert.doesNotThrow(() => checkLab("https://k", undefined, a));
  assert.doesNotThrow(() => checkLab("https://k", a, { ...a, cluster: "renamed" }));
  assert.throws(() => checkLab("https://k", a, b), /: the cluster at https:\/\/k belongs to lab "attic" \(lab UID 1{8}-1111-4111-8111-1{12}\), not to this lab "garage" \(lab UID 2{8}-.*\); nothing was written$/);
  assert.throws(() => checkLab("https://k", a, undefined), /manifests given with -f carry no lab identity/);
});
