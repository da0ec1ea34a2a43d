// The import direction, kept by a test. Data flows one way (README, Layout):
//   text → Spec → Lab → Files / Analysis / Plan → effects, with the edges (cli, ui) on top.
// A module may import its own folder and the folders of lower layers, never a higher layer and never
// another folder of its own layer (render and analyze both read the Lab, not each other). Nothing
// imports cli/ or ui/ but the edges themselves (the `ui` command starts the dashboard). Product code
// never imports testing/. Every layer below cluster/ is pure: no processes, sockets or file writes
// (reading lab files and keeping the secrets store are the known exceptions, listed below).
// No import cycles, between folders or between files.
//
// The known violations still to fix are listed in ALLOWED with their reason. The list may only
// shrink: a listed import that no longer exists fails the test too, so it is struck off when fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./testing/paths.js";

/** The layers, lowest first: the order is written here once. */
export const LAYERS: readonly (readonly string[])[] = [
  ["net", "fs", "errors"], // arithmetic, atomic writes, typed errors: used by everything
  ["versions"], // every version and image Drover renders, by default (static data)
  ["catalog", "distributions", "dns", "exposure"], // what each app needs; what each distribution, DNS provider and exposure mode is (static data)
  ["spec"], // lab.yaml text → validated Spec
  ["storage"], // one file per storage driver: what it installs, needs and survives (static data)
  ["lab"], // Spec → resolved Lab: every derived fact, once
  ["secrets"], // keys, the encrypted store, SOPS
  ["render", "analyze"], // Lab → files; Lab → what-if, capacity, mesh reachability
  ["cluster"], // the Kubernetes API
  ["ops", "init"], // workflows (node add/remove, key rotation, seats), the starter lab
  ["ui"], // the dashboard
  ["cli"], // the commands
];
const PURE_BELOW = "cluster";
const EFFECT_MODULES = /^node:(child_process|net|http|https|http2|dgram|tls|worker_threads|cluster)$|^(child_process|net|http|https|dgram|tls)$/;
const FS_MODULES = /^(node:)?fs(\/promises)?$/;

/** Known violations, "from-file -> to-file" (paths under src/), each with why it is still here. */
const ALLOWED: Readonly<Record<string, string>> = {};

/** Known impure modules below cluster/ (file → reason). */
const IMPURE_ALLOWED: Readonly<Record<string, string>> = {
  "lab/file.ts": "reads lab.yaml and its function scripts: the one place a lab enters as text",
  "render/write.ts": "writes the rendered tree (atomically); an effect at the end of render, called by the CLI",
  "render/flux/crds.ts": "reads the vendored Flux CRDs shipped with the package (read-only data, like the catalog; could be a generated module)",
  "render/output-manifest.ts": "reads and writes the rendered folder's list of its own files (render touches only those)",
  "render/functions/runtimes.ts": "not an effect: the import is inside the text of the Node.js webhook runner it renders (the scan does not parse template strings)",
  "secrets/keys.ts": "finds and reads the local age key (env, ~/.config/sops/age/keys.txt)",
  "secrets/store.ts": "reads and writes the encrypted secrets store next to lab.yaml",
  "secrets/sops/file.ts": "reads SOPS-encrypted files for apply -f",
};

/** Known file-level import cycles (files of the cycle, sorted, joined by " ↔ "). */
const CYCLES_ALLOWED: Readonly<Record<string, string>> = {
  "analyze/filters/index.ts ↔ analyze/filters/inter-pod-affinity.ts ↔ analyze/filters/node-affinity.ts ↔ analyze/filters/node-resources-fit.ts ↔ analyze/filters/node-unschedulable.ts ↔ analyze/filters/pod-topology-spread.ts ↔ analyze/filters/taint-toleration.ts ↔ analyze/filters/volume-binding.ts ↔ analyze/state.ts":
    "the scheduler state imports the filter table and each filter imports the state's type: the state's interface should sit in its own file",
};

const SRC = join(ROOT, "src");

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.tsx?$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const isTest = (file: string) => /\.test\.tsx?$|\.test-fixture\.ts$/.test(file) || file.startsWith("testing/");
const folderOf = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : file.replace(/\.tsx?$/, ""));

/** Every import of a file: relative ones resolved to src-relative paths, bare ones as written. */
function importsOf(abs: string): { target: string; relative: boolean }[] {
  const text = readFileSync(abs, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const specs = new Set<string>();
  for (const re of [/\b(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, /^\s*import\s*["']([^"']+)["']/gm]) {
    for (const m of text.matchAll(re)) specs.add(m[1]!);
  }
  return [...specs].map((s) => {
    if (!s.startsWith(".")) return { target: s, relative: false };
    const resolved = resolve(dirname(abs), s).replace(/\.js$/, ".ts");
    const candidates = [resolved, resolved.replace(/\.ts$/, ".tsx"), join(resolved, "index.ts")];
    const hit = candidates.find((c) => { try { return statSync(c).isFile(); } catch { return false; } }) ?? resolved;
    return { target: relative(SRC, hit), relative: true };
  });
}

const files = walk(SRC).map((abs) => ({ abs, file: relative(SRC, abs) }));
const graph = new Map(files.map((f) => [f.file, importsOf(f.abs)]));
const rankOf = new Map<string, number>();
LAYERS.forEach((group, i) => group.forEach((folder) => rankOf.set(folder, i)));

function violations(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, imports] of graph) {
    if (isTest(file)) continue;
    const from = folderOf(file);
    const rank = rankOf.get(from);
    for (const imp of imports) {
      if (!imp.relative) continue;
      const to = folderOf(imp.target);
      if (to === from) continue;
      const key = `${file} -> ${imp.target}`;
      if (to === "testing") { out.set(key, "product code imports testing/"); continue; }
      const toRank = rankOf.get(to);
      if (rank === undefined) { out.set(key, `${from}/ is in no layer: add it to LAYERS`); continue; }
      if (toRank === undefined) { out.set(key, `${to}/ is in no layer: add it to LAYERS`); continue; }
      if (toRank > rank) out.set(key, `${from} (layer ${rank}) imports the higher layer ${to} (layer ${toRank})`);
      else if (toRank === rank) out.set(key, `${from} and ${to} are of one layer and must not import each other`);
    }
  }
  return out;
}

test("every src/ folder is in exactly one layer", () => {
  const folders = new Set(files.filter((f) => !isTest(f.file)).map((f) => folderOf(f.file)));
  for (const f of folders) assert.ok(rankOf.has(f), `src/${f} is in no layer of LAYERS`);
  const listed = LAYERS.flat();
  assert.equal(new Set(listed).size, listed.length, "a folder is listed twice");
});

test("no lower layer imports a higher one, and layers of one rank do not import each other", () => {
  const found = violations();
  const fresh = [...found].filter(([k]) => !(k in ALLOWED)).map(([k, why]) => `${k}: ${why}`);
  assert.deepEqual(fresh, [], `imports against the layer order (README, Layout):\n${fresh.join("\n")}`);
  const fixed = Object.keys(ALLOWED).filter((k) => !found.has(k));
  assert.deepEqual(fixed, [], "these allowed violations are gone: strike them off ALLOWED");
});

test("the layers below cluster/ are pure: no processes, sockets or file access outside the listed exceptions", () => {
  const pureRank = rankOf.get(PURE_BELOW)!;
  const found = new Map<string, string>();
  for (const [file, imports] of graph) {
    if (isTest(file) || (rankOf.get(folderOf(file)) ?? Infinity) >= pureRank || folderOf(file) === "fs") continue;
    for (const imp of imports) {
      if (imp.relative) continue;
      if (EFFECT_MODULES.test(imp.target) || FS_MODULES.test(imp.target)) found.set(file, `imports ${imp.target}`);
    }
  }
  const fresh = [...found].filter(([f]) => !(f in IMPURE_ALLOWED)).map(([f, why]) => `${f}: ${why}`);
  assert.deepEqual(fresh, [], `effects below cluster/:\n${fresh.join("\n")}`);
  const fixed = Object.keys(IMPURE_ALLOWED).filter((f) => !found.has(f));
  assert.deepEqual(fixed, [], "these files are pure now: strike them off IMPURE_ALLOWED");
});

/** Files outside the edges that name the process's streams (file → reason). */
const STREAMS_ALLOWED: Readonly<Record<string, string>> = {
  "render/functions/runtimes.ts": "not a write: the text of the Node.js webhook runner it renders pipes its child's stderr (the scan does not parse template strings)",
};

test("only the edges (cli, ui) write to the process's streams: workflows report through their callbacks", () => {
  const found: string[] = [];
  for (const file of graph.keys()) {
    if (isTest(file) || ["cli", "ui"].includes(folderOf(file)) || file in STREAMS_ALLOWED) continue;
    const text = readFileSync(join(SRC, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const m = /\bprocess\.(stdout|stderr)\b|\bconsole\.(log|error|warn|info|debug)\b/.exec(text);
    if (m) found.push(`${file}: ${m[0]}`);
  }
  assert.deepEqual(found, [], "report through the caller's callback (UpReport, trace, onProgress) instead");
  const fixed = Object.keys(STREAMS_ALLOWED).filter((f) => !/\bprocess\.(stdout|stderr)\b/.test(readFileSync(join(SRC, f), "utf8")));
  assert.deepEqual(fixed, [], "strike these off STREAMS_ALLOWED");
});

/** Strongly connected components of more than one node (Tarjan). */
function cycles(edges: Map<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>(), stack: string[] = [], out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

test("no import cycles between folders", () => {
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    if (isTest(file)) continue;
    for (const imp of imports) {
      if (!imp.relative || isTest(imp.target) || `${file} -> ${imp.target}` in ALLOWED) continue;
      const a = folderOf(file), b = folderOf(imp.target);
      if (a !== b) (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
    }
  }
  const found = cycles(new Map([...edges].map(([k, v]) => [k, [...v]])));
  assert.deepEqual(found, [], `folders importing each other: ${found.map((c) => c.join(" ↔ ")).join("; ")}`);
});

test("no import cycles between files", () => {
  const edges = new Map<string, string[]>();
  for (const [file, imports] of graph) if (!isTest(file)) edges.set(file, imports.filter((i) => i.relative && !isTest(i.target)).map((i) => i.target));
  const found = cycles(edges).map((c) => c.join(" ↔ "));
  const fresh = found.filter((c) => !(c in CYCLES_ALLOWED));
  assert.deepEqual(fresh, [], `file import cycles:\n${fresh.join("\n")}`);
  const fixed = Object.keys(CYCLES_ALLOWED).filter((c) => !found.includes(c));
  assert.deepEqual(fixed, [], "these cycles are gone: strike them off CYCLES_ALLOWED");
});

test("every layer's index.ts says in one line what it owns", () => {
  for (const folder of LAYERS.flat().filter((f) => f !== "errors").concat("testing")) {
    const text = readFileSync(join(SRC, folder, "index.ts"), "utf8");
    assert.match(text.split("\n")[0]!, new RegExp(`^// ${folder}/: \\S.*`), `src/${folder}/index.ts starts with "// ${folder}/: what it owns"`);
  }
});
