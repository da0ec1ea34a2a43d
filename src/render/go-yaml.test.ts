// Round trip through real Go YAML readers (issue 12 item 2): thousands of random documents, with
// strings full of what YAML readers treat as breaks or indicators (LS, PS, NEL, CR, BOM, C0 and C1
// controls, ": ", "#", "<<", "- ", quotes, numbers and booleans in YAML 1.1 spelling), written by
// both of Drover's YAML emitters (render/yaml.ts for manifests, k3s config and cloud-init;
// render/talos/yaml.ts for machine configs), and read back in one process run by
// sigs.k8s.io/yaml (kubectl, kustomize, Flux, helm) and go.yaml.in/yaml/v3 (k3s): both must see
// exactly the value written. DROVER_PROPERTY_RUNS and DROVER_PROPERTY_SEED as in the other property tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { emitYaml } from "./yaml.js";
import { emitYaml as emitTalosYaml } from "./talos/yaml.js";
import { goYamlRead } from "../testing/go-yaml.js";

const RUNS = Number(process.env.DROVER_PROPERTY_RUNS ?? 1000) * 3;
const SEED = Number(process.env.DROVER_PROPERTY_SEED ?? 20261207);

// characters and pieces that sit on YAML's edges
const EDGY = [
  "\u2028", "\u2029", "\u0085", "\r", "\r\n", "\n", "\t", "\ufeff", "\u0000", "\u0001", "\u001b", "\u007f", "\u0080", "\u009f", "\u00a0", "\ufffe", "\uffff",
  ": ", ":", " #", "#", "- ", "-", "? ", "[", "]", "{", "}", ",", "&a", "*a", "!!str ", "!", "|", ">", "'", "\"", "\\", "%", "@", "`", "<<", "---", "...",
  " ", "  ", "y", "n", "yes", "No", "on", "OFF", "true", "null", "~", "0x1F", "0o17", "017", "1_000", "1e3", ".5", "+1", "-0", ".inf", ".NaN", "12:30:00",
  "2024-01-02", "INJECTED: pwned", "\u2028INJECTED: pwned", "\nwrite-kubeconfig-mode: \"0644\"", "é", "日本", "🎉", "\u{10FFFF}",
];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
);
const text = fc.array(piece, { maxLength: 6 }).map((xs) => xs.join(""));

const scalar = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)) },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("value"), { maxLength: 4 }),
  map: fc.dictionary(text, tie("value"), { maxKeys: 4 }),
}));

const documents = (): Record<string, unknown>[] =>
  fc.sample(fc.dictionary(text, value, { minKeys: 1, maxKeys: 5 }), { numRuns: RUNS, seed: SEED }).map((d) => ({ apiVersion: "v1", kind: "ConfigMap", data: d }));

function roundTrip(name: string, emit: (d: unknown) => string): void {
  const docs = documents();
  const texts = docs.map((d) => emit(d));
  const reads = goYamlRead(texts);
  let failures = 0;
  const shown: string[] = [];
  for (let i = 0; i < docs.length; i++) {
    const want = JSON.parse(JSON.stringify(docs[i]));
    for (const reader of ["k8s", "v3"] as const) {
      const got = reads[i]![reader];
      let ok = got.error === undefined;
      if (ok) {
        try {
          assert.deepStrictEqual(got.value, want);
        } catch {
          ok = false;
        }
      }
      if (!ok) {
        failures++;
        if (shown.length < 3) shown.push(`${reader} read ${JSON.stringify(got)}\n  from ${JSON.stringify(texts[i])}\n  written for ${JSON.stringify(docs[i])}`);
      }
    }
  }
  assert.equal(failures, 0, `${name}: ${failures} of ${docs.length * 2} readings differ from the value written (seed ${SEED}):\n${shown.join("\n")}`);
}

test(`manifest/k3s/cloud-init YAML emitter: ${RUNS} random documents read back exactly by sigs.k8s.io/yaml and yaml.v3`, { timeout: 600_000 }, () => {
  roundTrip("render/yaml.ts", emitYaml);
});

test(`Talos machine-config YAML emitter: ${RUNS} random documents read back exactly by sigs.k8s.io/yaml and yaml.v3`, { timeout: 600_000 }, () => {
  roundTrip("render/talos/yaml.ts", emitTalosYaml);
});

test("the reader is live: an unescaped line separator adds a key for Go, and the emitter's text does not", () => {
  const [raw, safe] = goYamlRead(["k: x\u2028y: 1\n", emitYaml({ k: "x\u2028y: 1" })]);
  assert.notDeepEqual(raw!.k8s.value, { k: "x\u2028y: 1" });
  assert.deepEqual(safe!.k8s.value, { k: "x\u2028y: 1" });
  assert.deepEqual(safe!.v3.value, { k: "x\u2028y: 1" });
});
