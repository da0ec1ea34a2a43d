#!/usr/bin/env node
// Real kubelets (issue 15, Tier 2): runs the kubelets tests (dist/ops/kubelets.test.js: four real
// kubelet + containerd nodes joined to the test control plane, the rendered lab's apps on them, a power
// cut; dist/ops/shutdown.kubelets.test.js: the same lab with the volatile host shut down as planned) and
// prints their measurements: per node, from starting its processes to the Node Ready; per scenario,
// what-if's prediction per app next to what happened. Also the build time install.sh recorded.
// Run after `npm run build` and `scripts/tools/install.sh kubelets`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubeletsStampDir, kubeletsTools } from "../dist/testing/kubelets-tools.js";

const tools = kubeletsTools();
let build = "?";
try { build = `${readFileSync(join(kubeletsStampDir(), "build-seconds"), "utf8").trim()} s`; } catch { /* not recorded */ }
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`kubelet ${tools.versions.kubernetes}, containerd ${tools.versions.containerd}, runc ${tools.versions.runc}, CNI plugins ${tools.versions.cni}; built in ${build}; load average at start ${load()}`);
const dir = mkdtempSync(join(tmpdir(), "drover-bench-kubelets-"));
const reportFile = join(dir, "report.json");
const shutdownFile = join(dir, "shutdown.json");
const t0 = Date.now();
const r = spawnSync(process.execPath, ["--test", "--test-reporter=dot", "dist/ops/kubelets.test.js", "dist/ops/shutdown.kubelets.test.js"], { stdio: "inherit", env: { ...process.env, DROVER_KUBELETS_REPORT: reportFile, DROVER_KUBELETS_SHUTDOWN_REPORT: shutdownFile } });
const total = ((Date.now() - t0) / 1000).toFixed(0);
const reports = [reportFile, shutdownFile].map((f) => { try { return JSON.parse(readFileSync(f, "utf8")); } catch { return { nodes: [], scenarios: [{ scenario: `${f}: no report (the test failed early)`, apps: [], notes: [] }] }; } });
rmSync(dir, { recursive: true, force: true });
for (const [i, report] of reports.entries()) {
console.log(`\n${i === 0 ? "kubelets.test.js (volatile host h3)" : "shutdown.kubelets.test.js (volatile host h4)"}\n| node | processes started → Node Ready |\n|---|---|`);
for (const n of report.nodes) console.log(`| ${n.node} | ${n.readySeconds.toFixed(1)} s |`);
for (const s of report.scenarios) {
  console.log(`\n${s.scenario}`);
  if (s.apps.length) {
    console.log(`| app | predicted | observed | simulated placement | real placement |\n|---|---|---|---|---|`);
    for (const a of s.apps) console.log(`| ${a.app} | ${a.predicted} | ${a.observed} | ${a.predictedWhere} | ${a.observedWhere}${a.placementAsPredicted ? "" : " (not as predicted)"} |`);
  }
  for (const n of s.notes) console.log(`- ${n}`);
}
}
console.log(`\nwhole test ${total} s (exit ${r.status}); load average at end ${load()}`);
process.exit(r.status ?? 1);
