// The fast manifest reader gives exactly what the full YAML parser (YAML 1.1, as Kubernetes reads it)
// gives, or gives up: checked on every manifest Drover renders and on tricky documents.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { readManifestYaml } from "./manifest-yaml.js";
import { appsLabYaml, loadTestLab, FUNCTION_SOURCES } from "../testing/apps-lab.js";
import { ensureSecrets } from "../secrets/generate.js";
import { sortedPaths, toYaml } from "../render/index.js";
import { renderClusterLayer } from "../ops/cluster-input.js";

const full = (text: string): unknown => {
  const docs = parseAllDocuments(text, { version: "1.1" });
  assert.equal(docs.length, 1);
  return docs[0]!.toJS();
};

function check(text: string): "fast" | "gave up" {
  const fast = readManifestYaml(text);
  if (fast === undefined) return "gave up";
  assert.deepEqual(fast, full(text), `fast reader differs on:\n${text}`);
  return "fast";
}

test("every rendered manifest of a lab running every catalog app reads the same, and fast", async () => {
  const lab = loadTestLab(appsLabYaml(), { functionSources: FUNCTION_SOURCES });
  const { secrets } = ensureSecrets(lab, undefined);
  const t = await renderClusterLayer(lab, secrets);
  let fast = 0;
  let total = 0;
  for (const p of sortedPaths(t)) {
    if (!/\.ya?ml$/.test(p)) continue;
    for (const seg of t.get(p)!.content.split(/^---[ \t]*$/m)) {
      if (!seg.trim()) continue;
      total++;
      if (check(seg) === "fast") fast++;
    }
  }
  assert.ok(total > 100, `${total} documents`);
  assert.ok(fast / total > 0.8, `only ${fast}/${total} documents read by the fast path`);
});

test("tricky documents: same value or a give-up, never a different value", () => {
  const cases = [
    "a: yes\n", "a: on\n", "a: 0755\n", "a: 1e3\n", "a: 12:30:00\n", "a: 2024-01-01\n", "a: .inf\n", "a: 1_000\n",
    "a: 100m\nb: 64Mi\nc: '1'\nd: \"2\"\ne: -1\nf: 1.5\ng: ~\nh:\ni: true\n",
    "a: |\n  line 1\n\n  line 3\nb: x\n", "a: |-\n  x\n  y\n", "a: >\n  folded\n  text\n", "a: |+\n  keep\n\n",
    "list:\n- a\n- b: 1\n  c: 2\n-\n  d: 3\n- [x, y]\n", "a: [get, list, \"watch\"]\nb: []\nc: {}\n",
    "a: x # comment\n", "# lead\na: b\n", "a: &anchor 1\nb: *anchor\n", "a: !!str 1\n", "'quoted key': v\n\"k2\": 'it''s'\n",
    "a: \"tab\\there \\u00e9\"\n", "a: \"\\x41\"\n", "a:\n  b:\n    c: d\n  e: f\n", "a: multi\n  line\n", "a: b: c\n",
    "a: http://x.example/path?q=1\n", "env:\n- name: A\n  value: \"on\"\n- name: B\n  value: 'no'\n", "- a\n- b\n",
    "a: -foo\nb: -1.5\nc: +1\n", "true: x\n", "1: x\n", "a: 'x'y'\n", "a: \"unterminated\n", "a: [1, [2]]\n", "a: 9007199254740993\n",
  ];
  for (const c of cases) {
    try {
      check(c);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      // the full parser rejects it: the fast one must have given up too
      assert.equal(readManifestYaml(c), undefined, `fast reader accepted invalid YAML:\n${c}`);
    }
  }
  assert.equal(check(toYaml({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { "a.yaml": "k: v\nlist:\n  - 1\n", n: "1", b: "yes" } })), "fast");
});
