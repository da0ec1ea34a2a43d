#!/usr/bin/env node
// The platform render (Flux layout + infrastructure components, src/render/platform) against
// `kustomize build` of the same tree in the same run: Drover writes the manifests from the lab in less
// time than kustomize needs to merely assemble them. Two labs: the bundled example and the generated
// 1,000-node / 5,000-app lab (whose platform also carries one Authelia access rule per gated route).
// Also the whole kubernetes/ tree (platform + 5,000 apps) against `kustomize build kubernetes/apps`.
// env RUNS (default 5): median of RUNS for the platform; APP_RUNS (default 1) for the 5,000-app tree,
// whose kustomize build takes minutes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { genLabYaml } from "./lib/gen-lab.mjs";
import { loadSpec } from "../dist/spec/load.js";
import { resolveLab } from "../dist/lab/resolve.js";
import { renderPlatform } from "../dist/render/platform/index.js";
import { renderApps } from "../dist/render/apps/index.js";
import { FLUX_INSTALL_URL } from "../dist/render/flux/flux-system.js";
import { exampleLab, testSecrets } from "../dist/testing/apps-lab.js";
import { platformData, tool } from "../dist/testing/paths.js";

const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f) => { const t0 = performance.now(); const r = f(); return [performance.now() - t0, r]; };
const ms = (x) => `${x.toFixed(1)} ms`;

function writeOut(t, prefix = "kubernetes") {
  const root = mkdtempSync(join(tmpdir(), "drover-bench-"));
  for (const [p, f] of t) {
    const abs = join(root, prefix, p);
    mkdirSync(dirname(abs), { recursive: true });
    let content = f.content;
    if (p === "flux-system/kustomization.yaml") {
      // no network: the pinned Flux CRDs stand in for the release's install.yaml
      content = content.replace(FLUX_INSTALL_URL, "flux-crds.yaml");
      const dir = join(platformData("crds"), "flux");
      writeFileSync(join(dirname(abs), "flux-crds.yaml"), readdirSync(dir).sort().map((x) => readFileSync(join(dir, x), "utf8")).join("\n---\n"));
    }
    writeFileSync(abs, content);
  }
  return root;
}

function kustomizeAll(root, dirs) {
  for (const d of dirs) {
    const r = spawnSync(tool("kustomize"), ["build", join(root, d)], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`kustomize build ${d}: ${r.stderr}`);
  }
}

console.log(`platform rows: median of ${RUNS} runs; kustomize ${tool("kustomize").split("/").at(-3)}`);
console.log("| tree | files | drover render | kustomize build | kustomize / drover |");
console.log("|---|---|---|---|---|");
const row = (n, f, d, k) => console.log(`| ${n} | ${f} | ${ms(d)} | ${ms(k)} | ${(k / d).toFixed(1)}× |`);
const big = resolveLab(loadSpec(genLabYaml({ hosts: 500, apps: 5000 }), "bench.yaml").spec);
for (const [name, lab] of [["examples/talos-mixed", exampleLab()], [`generated (${big.nodes.length} nodes, ${big.apps.length} apps)`, big]]) {
  const secrets = testSecrets(lab);
  renderPlatform(lab, secrets); // warm-up (and first-use secrets)
  const drover = [], kz = [];
  let files = 0;
  for (let i = 0; i < RUNS; i++) {
    const [d, t] = time(() => renderPlatform(lab, secrets));
    drover.push(d);
    files = t.size;
    const root = writeOut(t);
    // the same tree kustomize assembles: every platform kustomization (the root includes flux-system)
    const dirs = [...t.keys()].filter((p) => p.endsWith("kustomization.yaml")).map((p) => join("kubernetes", dirname(p)));
    const [k] = time(() => kustomizeAll(root, dirs));
    kz.push(k);
    rmSync(root, { recursive: true, force: true });
  }
  row(`platform, ${name}`, files, median(drover), median(kz));
}
if (Number(process.env.APP_RUNS ?? 1) > 0) {
  const secrets = testSecrets(big);
  renderApps(big, secrets);
  const drover = [], kz = [];
  let files = 0;
  for (let i = 0; i < Number(process.env.APP_RUNS ?? 1); i++) {
    const [d, t] = time(() => renderApps(big, secrets));
    drover.push(d);
    files = t.size;
    const root = writeOut(t);
    const [k] = time(() => kustomizeAll(root, ["kubernetes/apps"]));
    kz.push(k);
    rmSync(root, { recursive: true, force: true });
  }
  row(`apps, generated (${big.apps.length} apps, ${drover.length} run${drover.length > 1 ? "s" : ""})`, files, median(drover), median(kz));
}
