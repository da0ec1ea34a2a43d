// The attack corpus (test/fixtures/attacks/*.yaml, issue 12): lab.yaml values an attacker or a careless
// user writes to inject into a generated file. Each case changes a valid lab (the invalid-fixtures base
// for Talos, the k3s test lab) and expects either
//   refused:  `drover check` and `render` refuse it with an error at the named field (file:line:column), or
//   rendered: it renders, and every real consumer reads exactly what Drover meant: Go's YAML readers
//             (sigs.k8s.io/yaml and yaml.v3) read each YAML file (and the files embedded in cloud-init
//             user-data) as the value Drover built; wg-quick strips each WireGuard config without the
//             marker appearing; python's tomllib reads answer.toml; bash -n and shellcheck pass the
//             scripts; the marker never becomes a key anywhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { parseAllDocuments, parseDocument, parse } from "yaml";
import { InvalidLab } from "../lab/file.js";
import { loadRenderableLab as loadLab } from "./load.js";
import { renderLab } from "./index.js";
import { testSecrets } from "../testing/apps-lab.js";
import { k3sLabYaml } from "../testing/k3s-lab.js";
import { ROOT, debianTool } from "../testing/paths.js";
import { tempDir } from "../testing/age-key.js";
import { goYamlRead } from "../testing/go-yaml.js";

interface Case {
  readonly base: "talos" | "k3s";
  readonly set?: { path: (string | number)[]; value: unknown }[];
  readonly symlink?: { at: string; to: string };
  readonly expect: "refused" | "rendered";
  readonly at?: string;
  readonly marker?: string;
}

const DIR = join(ROOT, "test/fixtures/attacks");
const cases = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

/** The case's lab folder: the base lab with the case's values set (double-quoted, so they arrive exactly). */
function labFolder(c: Case): string {
  const dir = tempDir("drover-attack-");
  const text = c.base === "k3s" ? k3sLabYaml() : readFileSync(join(ROOT, "test/fixtures/base.yaml"), "utf8");
  const doc = parseDocument(text);
  for (const s of c.set ?? []) {
    const node = doc.createNode(s.value);
    const quote = (n: unknown): void => {
      const x = n as { type?: string; value?: unknown; items?: unknown[]; key?: unknown };
      if (typeof x?.value === "string") x.type = "QUOTE_DOUBLE";
      for (const i of x?.items ?? []) { quote(i); quote((i as { key?: unknown }).key); quote((i as { value?: unknown }).value); }
    };
    quote(node);
    doc.setIn(s.path, node);
  }
  writeFileSync(join(dir, "lab.yaml"), doc.toString({ lineWidth: 0 }));
  mkdirSync(join(dir, "functions"));
  for (const f of readdirSync(join(ROOT, "test/fixtures/functions"))) writeFileSync(join(dir, "functions", f), readFileSync(join(ROOT, "test/fixtures/functions", f)));
  if (c.symlink) {
    const outside = join(dir, "..", `${dir.split("/").pop()}-outside`);
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnot really\n");
    const at = join(dir, c.symlink.at);
    spawnSync("rm", ["-f", at]);
    symlinkSync(join(outside, "id_ed25519"), at);
  }
  return dir;
}

const isYamlFile = (p: string) => /\.ya?ml$/.test(p) || /(^|\/)(user-data|meta-data|network-config)$/.test(p);

function sh(cmd: string, args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { input, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Every key of a value, at every depth. */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => keys(x, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) { out.push(k); keys(x, out); }
  return out;
}

function checkRendered(files: Map<string, string>, marker: string): void {
  const yamlFiles = [...files].filter(([p]) => isYamlFile(p));
  // cloud-init user-data embeds config.yaml and wg0.conf: check those as their own consumers read them
  for (const [p, text] of [...files]) {
    if (!p.endsWith("/user-data")) continue;
    const ud = parse(text) as { write_files?: { path: string; content: string }[] };
    for (const f of ud.write_files ?? []) {
      const name = `${p}!${f.path}`;
      if (f.path.endsWith(".yaml")) yamlFiles.push([name, f.content]);
      if (f.path.endsWith(".conf")) files.set(name.replace(/\/etc\/wireguard\/wg0\.conf$/, "wg0.conf"), f.content);
    }
  }
  const reads = goYamlRead(yamlFiles.map(([, t]) => t));
  yamlFiles.forEach(([p, text], i) => {
    const docs = parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS());
    const meant = JSON.parse(JSON.stringify(docs.length === 1 ? docs[0] : docs));
    const r = reads[i]!;
    assert.equal(r.v3.error, undefined, `${p}: yaml.v3: ${r.v3.error}`);
    assert.deepEqual(r.v3.value, meant, `${p}: yaml.v3 reads something else than Drover wrote`);
    assert.equal(r.k8s.error, undefined, `${p}: sigs.k8s.io/yaml: ${r.k8s.error}`);
    assert.deepEqual(r.k8s.value, JSON.parse(JSON.stringify(docs[0] ?? null)), `${p}: sigs.k8s.io/yaml reads something else than Drover wrote`);
    assert.ok(!keys(r.v3.value).some((k) => k.includes(marker)), `${p}: ${marker} became a key`);
  });
  const work = tempDir("drover-attack-out-");
  for (const [p, text] of files) {
    if (p.endsWith(".conf") && /wg0\.conf$|^seats\//.test(p)) {
      const f = join(work, "wg0.conf");
      writeFileSync(f, text, { mode: 0o600 });
      const r = sh(debianTool("wg-quick"), ["strip", f]);
      assert.equal(r.status, 0, `${p}: wg-quick strip: ${r.out}`);
      assert.ok(!r.out.includes(marker), `${p}: ${marker} reached wg: ${r.out}`);
      const live = text.split(/\r?\n/).map((l) => l.replace(/#.*/, "")).join("\n");
      assert.ok(!live.includes(marker), `${p}: ${marker} outside a comment`);
      assert.equal((live.match(/^\s*\[Interface\]/gim) ?? []).length, 1, `${p}: one [Interface]`);
    } else if (p.endsWith(".toml")) {
      const f = join(work, "answer.toml");
      writeFileSync(f, text);
      const r = sh("python3", ["-c", "import json,sys,tomllib; print(json.dumps(tomllib.load(open(sys.argv[1],'rb'))))", f]);
      assert.equal(r.status, 0, `${p}: tomllib: ${r.out}`);
      assert.ok(!keys(JSON.parse(r.out)).some((k) => k.includes(marker)), `${p}: ${marker} became a TOML key`);
    } else if (p.endsWith(".sh")) {
      const f = join(work, "script.sh");
      writeFileSync(f, text);
      const r = sh("bash", ["-n", f]);
      assert.equal(r.status, 0, `${p}: bash -n: ${r.out}`);
      const s = sh(debianTool("shellcheck"), ["-S", "error", f]);
      assert.equal(s.status, 0, `${p}: shellcheck: ${s.out}`);
    }
  }
}

for (const name of cases) {
  const c = parse(readFileSync(join(DIR, name), "utf8")) as Case;
  test(`attack ${name.replace(/\.yaml$/, "")}: ${c.expect}${c.at ? ` at ${c.at}` : ""}`, { timeout: 300_000 }, () => {
    const dir = labFolder(c);
    if (c.expect === "refused") {
      assert.throws(() => loadLab(join(dir, "lab.yaml")), (e: unknown) => {
        assert.ok(e instanceof InvalidLab, `not a located user error: ${String(e)}`);
        const errors = e.diagnostics.filter((d) => d.severity === "error");
        const d = errors.find((x) => x.path === c.at);
        assert.ok(d, `no error at ${c.at}; got ${JSON.stringify(errors.map((x) => `${x.line}:${x.column} ${x.path}: ${x.message}`))}`);
        assert.ok(d.line > 1 && d.column >= 1, `${c.at} is placed at ${d.line}:${d.column}`);
        assert.match(d.file, /lab\.yaml$/);
        return true;
      });
      return;
    }
    const loaded = loadLab(join(dir, "lab.yaml"));
    // the attack arrived intact (the lab text carries the exact value)
    for (const s of c.set ?? []) {
      let v: unknown = loaded.spec;
      for (const k of s.path) v = (v as Record<string | number, unknown>)[k];
      assert.deepEqual(JSON.parse(JSON.stringify(v)), JSON.parse(JSON.stringify(s.value)).constructor === Object ? { ...(v as object), ...(s.value as object) } : s.value);
    }
    const t = renderLab(loaded.lab, testSecrets(loaded.lab));
    checkRendered(new Map([...t].map(([p, f]) => [p, f.content])), c.marker ?? "INJECTED");
  });
}

test("the corpus covers every class of issue 12's injections", () => {
  const all = cases.join(" ");
  for (const cls of ["wg-", "yaml-", "cron-", "function-", "iscsi-", "proxmox-", "lone-surrogate"]) assert.ok(all.includes(cls), cls);
  assert.ok(cases.length >= 20);
  assert.ok(dirname(DIR).endsWith("fixtures"));
});
