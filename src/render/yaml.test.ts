// The fast emitter must write exactly what the `yaml` package writes with the shared options (the
// package is the reference), for every document: random documents built from awkward strings, and
// the documents it hands back to the package must be the only ones it cannot do. Strings the package
// writes unsafely (line and paragraph separators, NEL, BOM, controls, "<<") are the exception: both
// paths write those double-quoted and escaped (safePackageYaml is the package with that one change;
// go-yaml.test.ts reads them back with a Go YAML reader).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { doubleQuoted, emitYaml, fastYaml, safePackageYaml as packageYaml } from "./yaml.js";

// strings that sit on the edges of YAML 1.1 plain-scalar resolution and of the package's quoting rules
const AWKWARD = [
  "", " ", "a", "y", "Y", "n", "yes", "No", "ON", "off", "true", "False", "null", "Null", "~", "<<", "=", "-", "?", ":", "- a", "? a", "a:", "a: b", "a:b",
  "a #b", "a#b", "#a", "&a", "*a", "!a", "|", ">", "'a'", "\"a\"", "%a", "@a", "`a", "[a]", "{a}", "a,b", ",a", "0", "00", "017", "0o17", "0x1F", "0b101",
  "1_000", "+1", "-1", "1.5", ".5", "1e3", "1E-3", "1.", ".inf", "-.Inf", ".nan", "12:30", "1:20:30", "190:20:30.15", "2024-01-02", "2024-1-2 10:20:30",
  "2024-01-02T10:20:30Z", "1.2.3", "v1.2.3", "ghcr.io/a/b:1.2.3@sha256:0123abcd", "https://x.example.com/a?b=c#d", "a b", " a", "a ", "a\tb", "\ta",
  "---", "---x", "...", "... x", "a\nb", "a\nb\n", "a\n\nb\n\n", "\na", " lead\nx", "x\n ", "x\n\n", "a\n---\nb", "line \nnext", "é", "日本", "emoji 🎉",
  "ctl\u0001", "tab\t", "nul\u0000", "a\\b", "quote\"d", "it's", "key=value", "a/b", "app.kubernetes.io/name", "gethomepage.dev/enabled", "100Mi", "0.5",
  "500m", "*", "**/*.yaml", "a\u2028b", "a\u2029: b", "\u0085", "x\u0085y\n", "\ufeffkey", "del\u007f", "c1\u009b", "x\ny\u2028z: 1\n", "end\n\n\u2028", "\ufffe", "cr\rlf", "${VAR}", "{{ .Values.x }}", "#!/bin/sh\necho hi\n", "x".repeat(300), `${"y ".repeat(200)}end`,
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const k = r();
  if (depth > 4 || k < 0.45) {
    const s = r();
    if (s < 0.7) return pick(AWKWARD);
    if (s < 0.8) return pick([0, 1, -1, 42, 3.25, -0.5, 1e21, 2 ** 53, -0, Infinity, NaN]);
    if (s < 0.9) return pick([true, false, null]);
    return pick([[], {}, undefined]);
  }
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[pick(AWKWARD)] = randomValue(r, depth + 1);
  return o;
}

test("every awkward string as key and as value, at every depth, in maps and lists", () => {
  for (const s of AWKWARD) {
    const docs = [{ [s]: s }, { a: { b: [s, [s, { [s]: [s] }]] } }, [s], [[s, s]], { l: [{ k: s, [s]: { x: s } }] }];
    for (const d of docs) assert.equal(emitYaml(d), packageYaml(d), JSON.stringify(d));
  }
});

test("random documents: byte-identical to the package, and read back to the same data", () => {
  const r = rng(20261130);
  let fast = 0;
  for (let i = 0; i < 4000; i++) {
    const d = { apiVersion: "v1", kind: "Thing", spec: randomValue(r, 0) };
    const own = fastYaml(d);
    const ref = packageYaml(d);
    if (own !== undefined) {
      fast++;
      assert.equal(own, ref, JSON.stringify(d));
    }
    assert.equal(emitYaml(d), ref);
  }
  // the fast path must cover most documents, not hand nearly everything back
  assert.ok(fast > 2000, `fast path took only ${fast} of 4000`);
});

test("a manifest-like document takes the fast path and reads back in YAML 1.1", () => {
  const d = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", labels: { "app.kubernetes.io/name": "app" }, annotations: { "gethomepage.dev/enabled": "true", note: "on" } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: "app", image: "ghcr.io/a/b:1.2.3", args: ["--port", "8080"], env: [{ name: "TZ", value: "Etc/UTC" }], ports: [{ containerPort: 8080 }] }] } } },
    data: { "script.sh": "#!/bin/sh\necho hi\n", empty: "" },
  };
  const y = fastYaml(d);
  assert.ok(y !== undefined);
  assert.equal(y, packageYaml(d));
  assert.deepEqual(parse(y, { version: "1.1" }), d);
});

test("unsafe characters are escaped in double quotes; ordinary strings are untouched", () => {
  assert.equal(doubleQuoted("a\u2028b\u2029c\u0085d\ufeffe\u007f"), '"a\\u2028b\\u2029c\\u0085d\\uFEFFe\\u007F"');
  assert.equal(doubleQuoted("plain \"q\" \\ \n\t"), JSON.stringify("plain \"q\" \\ \n\t"));
  assert.equal(emitYaml({ env: "x\u2028INJECTED: pwned" }), 'env: "x\\u2028INJECTED: pwned"\n');
  assert.equal(emitYaml({ "<<": { a: 1 } }), '"<<":\n  a: 1\n');
  assert.throws(() => emitYaml({ k: "\ud800" }), /not valid Unicode/);
  // a document the package writes (keep-chomping block scalar) with an unsafe string in it
  const y = emitYaml({ a: "keep\n\n", b: "x\u2028y: 1" });
  assert.equal(y, 'a: |+\n  keep\n\nb: "x\\u2028y: 1"\n');
});
