#!/usr/bin/env node
// drover check on a large generated lab (default 1,000 nodes on 500 hosts and 5,000 apps): wall time
// and peak RSS of the real command, as a process, against reading and validating the same file with
// a generic JSON Schema validator (js-yaml + Ajv against schema/lab.schema.json) — what an editor or
// CI linter would do, without Drover's cross-field rules, resolution and summary.
// env: HOSTS (500), NODES_PER_HOST (2), APPS (5000), RUNS (5). Goal: under 1 s and 300 MB.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { genLabYaml } from "./lib/gen-lab.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const HOSTS = Number(process.env.HOSTS ?? 500);
const PER = Number(process.env.NODES_PER_HOST ?? 2);
const APPS = Number(process.env.APPS ?? 5000);
const RUNS = Number(process.env.RUNS ?? 5);

/** The shared generator's lab, made warning-free: three control planes on three hosts, a DNS endpoint. */
function cleanLab() {
  return genLabYaml({ hosts: HOSTS, nodesPerHost: PER, apps: APPS })
    .replace("endpoint: { address: 172.16.0.5 }", "endpoint: { address: api.big.example.net, vip: false }")
    .replace(/(name: node1, host: host0, kind: vm, role: )controlplane/, "$1worker")
    .replace(new RegExp(`(name: node${2 * PER}, host: host2, kind: vm, role: )worker`), "$1controlplane");
}

const dir = mkdtempSync(join(tmpdir(), "drover-bench-check-"));
const lab = join(dir, "lab.yaml");
const text = cleanLab();
writeFileSync(lab, text);
const rssHook = join(dir, "rss.mjs");
writeFileSync(rssHook, "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write(`\\nmaxrss=${u.maxRSS} cpu=${u.userCPUTime + u.systemCPUTime}\\n`); });\n");
const linter = join(dir, "lint.mjs");
writeFileSync(linter, `
import { readFileSync } from "node:fs";
import { load } from ${JSON.stringify(join(root, "node_modules/js-yaml/dist/js-yaml.mjs"))};
import { createRequire } from "node:module";
const require = createRequire(${JSON.stringify(join(root, "package.json"))});
const { Ajv2020 } = require("ajv/dist/2020.js");
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(${JSON.stringify(join(root, "schema/lab.schema.json"))}, "utf8")));
const ok = validate(load(readFileSync(process.argv[2], "utf8")));
process.exitCode = ok ? 0 : 1;
`);

function run(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--import", rssHook, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /maxrss=(\d+) cpu=(\d+)/.exec(r.stderr);
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}:\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  return { ms, cpuMs: m ? Number(m[2]) / 1000 : NaN, rssMB: m ? Number(m[1]) / 1024 : NaN, out: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const nodes = HOSTS * PER;
  const first = run([join(root, "bin/drover.js"), "check", lab]);
  if (!/is valid/.test(first.out)) throw new Error(`unexpected output:\n${first.out}`);
  const drover = [first, ...Array.from({ length: RUNS - 1 }, () => run([join(root, "bin/drover.js"), "check", lab]))];
  const lint = Array.from({ length: RUNS }, () => run([linter, lab]));
  const dm = median(drover.map((r) => r.ms)), lm = median(lint.map((r) => r.ms));
  const dc = median(drover.map((r) => r.cpuMs)), lc = median(lint.map((r) => r.cpuMs));
  const dr = Math.max(...drover.map((r) => r.rssMB)), lr = Math.max(...lint.map((r) => r.rssMB));
  const load = (await import("node:os")).loadavg()[0].toFixed(1);
  console.log(`drover check: ${HOSTS} hosts, ${nodes} nodes, ${APPS} apps (${(text.length / 1024).toFixed(0)} KiB lab.yaml), median of ${RUNS}, load average ${load} on ${(await import("node:os")).cpus().length} cores\n`);
  console.log("| | wall time | CPU time | peak RSS |\n|---|---|---|---|");
  console.log(`| drover check (process) | ${dm.toFixed(0)} ms | ${dc.toFixed(0)} ms | ${dr.toFixed(0)} MB |`);
  console.log(`| js-yaml + Ajv schema validation (process) | ${lm.toFixed(0)} ms | ${lc.toFixed(0)} ms | ${lr.toFixed(0)} MB |`);
  console.log(`| drover / schema-only | ${(dm / lm).toFixed(1)}× | ${(dc / lc).toFixed(1)}× | ${(dr / lr).toFixed(1)}× |`);
  console.log(`\ngoal: under 1000 ms and 300 MB — wall time ${dm < 1000 ? "met" : "NOT met"}, CPU time ${dc < 1000 ? "met" : "NOT met"}, memory ${dr < 300 ? "met" : "NOT met"}`);
  // hostile input: each must end in one clear error within a second
  const { loadSpec } = await import(join(root, "dist/spec/load.js"));
  const laughs = ['lol: &lol0 "lol"'];
  for (let i = 1; i <= 9; i++) laughs.push(`lol${i}: &lol${i} [${Array(10).fill(`*lol${i - 1}`).join(", ")}]`);
  let indent = "";
  for (let i = 0; i < 2000; i++) indent += `${"  ".repeat(i)}k${i}:\n`;
  const junk = Buffer.alloc(8 * 1024 * 1024 - 16);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
  const cases = [
    ["alias bomb (billion laughs)", laughs.join("\n")],
    ["100,000 open brackets", "a: " + "[".repeat(100_000)],
    ["2,000 levels of indentation", indent],
    ["8 MiB of binary junk", junk.toString("latin1")],
    ["9 MiB file", text + "#".repeat(9 * 1024 * 1024)],
    ["7 MiB scalar in a name", text.replace("name: big", `name: ${"b".repeat(7 * 1024 * 1024)}`)],
    ["every scalar a mapping", text.replace(/: [^{\[\n,}]+([,}\n])/g, ": { a: 1 }$1")],
  ];
  console.log("\nhostile input (in process, after warm-up): time to the first error\n\n| input | time | diagnostics | first |\n|---|---|---|---|");
  for (const [name, input] of cases) {
    const t0 = process.hrtime.bigint();
    const r = loadSpec(input, "lab.yaml");
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`| ${name} | ${ms.toFixed(0)} ms | ${r.diagnostics.length} | ${(r.diagnostics[0]?.message ?? "").slice(0, 60)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
