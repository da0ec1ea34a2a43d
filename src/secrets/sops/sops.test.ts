import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { ageKeygen, sops, tempDir } from "../../testing/age-key.js";
import { UserError } from "../../errors.js";
import { decrypt, encrypt, KUBERNETES_SECRET_RULES, parseDocument, SopsFloat } from "./index.js";
import type { SopsMap, SopsValue } from "./index.js";
import { decryptText } from "./file.js";
import { formatFloat } from "./value.js";

/** Order-sensitive, type-preserving view of a document for comparisons. */
function canon(v: SopsValue): unknown {
  if (v instanceof Map) return ["map", [...v].map(([k, x]) => [k, canon(x)])];
  if (Array.isArray(v)) return ["list", v.map(canon)];
  if (v instanceof SopsFloat) return ["float", v.value];
  return v;
}

const STORE = `talos:
    clusterId: 7Yd0sB0oHbYbI1Q4dBvKpQ==
    certs:
        os:
            crt: |
                -----BEGIN CERTIFICATE-----
                MIIBPzCB8qADAgECAhEA
                -----END CERTIFICATE-----
wireguard:
    node/cp-1:
        privateKey: aGVsbG8=
        publicKey: d29ybGQ=
ports:
    - 6443
    - 50000
ratio: 0.75
whole: 2.0
enabled: true
off: false
nothing: null
empty: ""
comment_unencrypted: stays readable
"10": numeric key first in a JS object, but not here
`;

const SECRET = `apiVersion: v1
kind: Secret
metadata:
    name: grafana-admin
    namespace: monitoring
type: Opaque
stringData:
    admin-user: admin
    admin-password: "s3cr3t: with colon"
data:
    token: c2VjcmV0LXRva2Vu
`;

test("sops -d decrypts a store file and a Kubernetes Secret that drover encrypted", async () => {
  const k = ageKeygen();
  for (const [name, text, rules] of [["store.sops.yaml", STORE, undefined], ["secret.sops.yaml", SECRET, KUBERNETES_SECRET_RULES]] as const) {
    const plain = parseDocument(text);
    const enc = await encrypt(plain, [k.recipient], rules ? { rules } : {});
    const file = join(k.dir, name);
    writeFileSync(file, enc);
    const r = sops(["-d", file], k.file);
    assert.equal(r.status, 0, `${name}: ${r.stderr}\n${enc}`);
    // sops prints the float 2.0 as 2, so compare values, not YAML number styles
    assert.deepEqual(canonJson(parseDocument(r.stdout)), canonJson(plain), name);
    assert.match(enc, /whole: ENC\[AES256_GCM,data:[^\n]+,type:float\]|kind: Secret/);
    if (rules) {
      assert.match(enc, /encrypted_regex: \^\(data\|stringData\)\$/);
      assert.match(enc, /name: grafana-admin/, "metadata stays in the clear");
      assert.doesNotMatch(enc, /s3cr3t|c2VjcmV0LXRva2Vu/);
    } else {
      assert.match(enc, /unencrypted_suffix: _unencrypted/);
      assert.match(enc, /comment_unencrypted: stays readable/);
    }
  }
});

test("drover decrypts and verifies what sops -e wrote: types, nesting, lists, comments, JSON", async () => {
  const k = ageKeygen();
  const yaml = `# top comment
a: hello
n: 42
neg: -7
f: 1.5
big: 1e3
whole: 2.0
b: true
z: null
e: ""
nested:
    # inner comment
    list:
        - x
        - 2
        - k: v
          deeper: [1, 2.5, false]
key_unencrypted: plain
multi: |
    line one
    line two
`;
  const file = join(k.dir, "in.yaml");
  writeFileSync(file, yaml);
  const r = sops(["-e", "--age", k.recipient, file], k.file);
  assert.equal(r.status, 0, r.stderr);
  const { doc } = await decrypt(r.stdout, [k.identity]);
  assert.deepEqual(canon(doc), canon(parseDocument(yaml)));
  assert.deepEqual(canon(doc.get("whole")!), ["float", 2]);
  assert.equal(doc.get("big") instanceof SopsFloat, true);

  const kube = join(k.dir, "secret.yaml");
  writeFileSync(kube, SECRET);
  const rk = sops(["-e", "--age", k.recipient, "--encrypted-regex", "^(data|stringData)$", kube], k.file);
  assert.equal(rk.status, 0, rk.stderr);
  assert.deepEqual(canon((await decrypt(rk.stdout, [k.identity])).doc), canon(parseDocument(SECRET)));

  const json = join(k.dir, "in.json");
  writeFileSync(json, JSON.stringify({ a: "x", n: 3, f: 0.25, l: [true, { q: "w" }], o: { p: null } }));
  const rj = sops(["-e", "--age", k.recipient, json], k.file);
  assert.equal(rj.status, 0, rj.stderr);
  const dj = (await decrypt(rj.stdout, [k.identity])).doc;
  assert.deepEqual(canon(dj), canon(parseDocument(JSON.stringify({ a: "x", n: 3, f: 0.25, l: [true, { q: "w" }], o: { p: null } }), true)));
  assert.deepEqual(canon(dj.get("n")!), ["float", 3], "sops reads every JSON number as a float");
});

test("a tampered value, a tampered MAC or a wrong key is refused with a UserError naming the file", async () => {
  const k = ageKeygen();
  const file = join(k.dir, "in.yaml");
  writeFileSync(file, "db:\n    password: hunter2\n    user: admin\n");
  const r = sops(["-e", "--age", k.recipient, file], k.file);
  assert.equal(r.status, 0, r.stderr);
  const enc = r.stdout;
  const name = "lab/secrets.sops.yaml";

  // swap two ciphertexts: each authenticates only under its own path
  const values = [...enc.matchAll(/(password|user): (ENC\[[^\n]+\])/g)].map((m) => m[2]!);
  const swapped = enc.replace(values[0]!, "@@").replace(values[1]!, values[0]!).replace("@@", values[1]!);
  await assert.rejects(decryptText(swapped, name, [k.identity]), (e: unknown) => e instanceof UserError && e.message.startsWith(`${name}: value at db.`) && /authenticate/.test(e.message));

  // flip a byte of the data
  const flipped = enc.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_m, p: string, c: string) => p + (c === "A" ? "B" : "A"));
  await assert.rejects(decryptText(flipped, name, [k.identity]), (e: unknown) => e instanceof UserError && e.message.includes(name) && /db\.password/.test(e.message));

  // a consistent re-encryption of one value under the right key is caught by the MAC: simulate by changing lastmodified
  const moved = enc.replace(/lastmodified: "([^"]+)"/, 'lastmodified: "2001-01-01T00:00:00Z"');
  await assert.rejects(decryptText(moved, name, [k.identity]), (e: unknown) => e instanceof UserError && e.message.startsWith(name) && /sops\.mac/.test(e.message));

  const badMac = enc.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, p: string, c: string) => p + (c === "A" ? "B" : "A"));
  await assert.rejects(decryptText(badMac, name, [k.identity]), (e: unknown) => e instanceof UserError && e.message.startsWith(name) && /sops\.mac/.test(e.message));

  const other = ageKeygen();
  await assert.rejects(decryptText(enc, name, [other.identity]), (e: unknown) => e instanceof UserError && e.message.startsWith(name) && e.message.includes(k.recipient) && /none of your age keys/.test(e.message));

  await assert.rejects(decryptText("a: 1\n", name, [k.identity]), (e: unknown) => e instanceof UserError && /not a SOPS-encrypted file/.test(e.message));
});

test("a value re-encrypted consistently but changed is caught by the MAC", async () => {
  // drover encrypts {a: 1, b: 2}; then we replace b's ciphertext with one of a different value
  // under the same key and path (made by encrypting another document with the same data key)
  const k = ageKeygen();
  const one = await decrypt(await encrypt(parseDocument("a: x\nb: y\n"), [k.recipient]), [k.identity]);
  const { encryptWith } = await import("./index.js");
  const first = encryptWith(parseDocument("a: x\nb: y\n"), one.envelope);
  const second = encryptWith(parseDocument("a: x\nb: z\n"), one.envelope);
  const bFrom = (t: string) => /\nb: (ENC\[[^\n]+\])/.exec(t)![1]!;
  const forged = first.replace(bFrom(first), bFrom(second));
  await assert.rejects(decryptText(forged, "f.yaml", [k.identity]), (e: unknown) => e instanceof UserError && /MAC does not match/.test(e.message));
});

test("formatFloat matches Go's strconv.FormatFloat(v, 'f', -1, 64)", () => {
  assert.equal(formatFloat(1e21), "1000000000000000000000");
  assert.equal(formatFloat(1.5e-7), "0.00000015");
  assert.equal(formatFloat(608863452348.1149), "608863452348.1149");
  assert.equal(formatFloat(-2.5), "-2.5");
  assert.equal(formatFloat(Infinity), "+Inf");
});

const key = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/).filter((s) => s !== "sops");
const scalar: fc.Arbitrary<SopsValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<SopsValue> = fc.letrec<{ v: SopsValue }>((tie) => ({
  v: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("v"), { maxLength: 4 }), fc.uniqueArray(fc.tuple(key, tie("v")), { maxLength: 4, selector: (t) => t[0] }).map((es) => new Map(es))),
})).v;
const docArb = fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 5, selector: (t) => t[0] }).map((es) => new Map(es) as SopsMap);

test("property: encrypt then decrypt gives back any nested document", async () => {
  const k = ageKeygen();
  const { newEnvelope, encryptWith } = await import("./index.js");
  const env = await newEnvelope([k.recipient]);
  const { decryptDocument } = await import("./document.js");
  await fc.assert(
    fc.asyncProperty(docArb, fc.constantFrom("yaml" as const, "json" as const), fc.boolean(), async (doc, format, det) => {
      const text = encryptWith(doc, env, { format, iv: det ? "deterministic" : "random" });
      const back = decryptDocument(parseDocument(text, format === "json"), env.dataKey);
      assert.deepEqual(canon(back), canon(doc), text);
    }),
    { numRuns: 200 },
  );
});

function canonJson(v: SopsValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, canonJson(x)]));
  if (Array.isArray(v)) return v.map(canonJson);
  return v instanceof SopsFloat ? v.value : v;
}

test("property: the real sops decrypts random documents drover encrypted", async () => {
  const k = ageKeygen();
  const dir = tempDir();
  await fc.assert(
    fc.asyncProperty(docArb, async (doc) => {
      const file = join(dir, "p.sops.yaml");
      writeFileSync(file, await encrypt(doc, [k.recipient]));
      const r = sops(["-d", "--output-type", "json", file], k.file);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), canonJson(doc));
    }),
    { numRuns: 25 },
  );
});

test("a repeated mapping key is an error with its line and column", () => {
  assert.throws(() => parseDocument("a: 1\nb:\n  c: 2\n  c: 3\n"), (e: Error & { line?: number; column?: number }) => /"c" is repeated/.test(e.message) && e.line === 4 && e.column === 3);
  assert.throws(() => parseDocument('{"a": 1, "a": 2}', true), /"a" is repeated/);
});

test("a large store reads back the same through the line reader, lists, literals and odd keys included", async () => {
  const k = await ageKeygen();
  const psks: SopsMap = new Map();
  for (let i = 0; i < 3000; i++) psks.set(`node/n${i}|node/n${i + 1}`, `key-${i}`);
  const doc: SopsMap = new Map<string, SopsValue>([
    ["version", 1],
    ["wireguardPresharedKeys", psks],
    ["apps", new Map<string, SopsValue>([["a-1", new Map<string, SopsValue>([["password", "p"], ["empty", ""]])], ["True", new Map([["x", "y"]])]])],
    ["odd", new Map<string, SopsValue>([["list", ["a", new Map([["b", "c"]])]], ["n", 3], ["f", 0.5], ["nil", null], ["text", "line 1\nline 2\n"]])],
  ]);
  const text = await encrypt(doc, [k.recipient]);
  assert.ok(text.length > 65536);
  assert.deepEqual(canon((await decrypt(text, [k.identity])).doc), canon(doc));
  // a repeated key inside the bulk is still an error with its line
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith("    node/n5|"));
  lines.splice(at + 1, 0, lines[at]!);
  assert.throws(() => parseDocument(lines.join("\n")), (e: Error & { line?: number }) => /is repeated/.test(e.message) && e.line === at + 2);
});
