#!/usr/bin/env node
// Full render (node and cluster layers) of the generated 1,000-node / 5,000-app lab (issue 4 goal:
// under 5 s), stage by stage, the way `drover render` runs it: load + validate + resolve, open the
// secrets store, render every target, SOPS-encrypt the Secret manifests, write the tree atomically.
// Run 1 creates the secrets store (key generation); run 2 is the everyday re-render with the store.
// For scale, the same run times `kustomize build` (the tool Flux runs on this tree) of the rendered
// kubernetes/ folder. Run after `npm run build`: node bench/render-full.mjs   (env HOSTS, APPS)
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { genLabYaml } from "./lib/gen-lab.mjs";
import { loadLab } from "../dist/cli/lab-file.js";
import { initKeyFile, findLocalKey } from "../dist/secrets/keys.js";
import { loadSecrets } from "../dist/secrets/store.js";
import { renderLab, targets, writeTree } from "../dist/render/index.js";
import { encryptFlagged } from "../dist/cli/commands/render.js";
import { tool } from "../dist/testing/paths.js";

const HOSTS = Number(process.env.HOSTS ?? 500), APPS = Number(process.env.APPS ?? 5000);
const dir = mkdtempSync(join(tmpdir(), "drover-bench-render-"));
const keyFile = join(dir, "key.txt");
const kp = initKeyFile(keyFile);
writeFileSync(join(dir, "lab.yaml"), genLabYaml({ hosts: HOSTS, nodesPerHost: 2, apps: APPS }).replace("kind: Lab\n", `kind: Lab\nsecrets: { recipients: [${kp.recipient}] }\n`));
const ms = (t) => `${(performance.now() - t).toFixed(0)} ms`;

async function once(label) {
  const T = performance.now();
  const stages = {};
  let t = performance.now();
  const loaded = loadLab(join(dir, "lab.yaml"));
  stages["load + validate + resolve"] = ms(t);
  t = performance.now();
  const store = await loadSecrets(loaded.lab, loaded.dir, findLocalKey({ keyFile }));
  stages["secrets store open"] = ms(t);
  t = performance.now();
  const perTarget = {};
  for (const [folder, target] of targets) {
    const t1 = performance.now();
    target(loaded.lab, store.secrets);
    perTarget[folder] = (perTarget[folder] ?? 0) + (performance.now() - t1);
  }
  const tree = renderLab(loaded.lab, store.secrets);
  stages["render (all targets; once more for the per-target split)"] = ms(t);
  t = performance.now();
  const enc = encryptFlagged(tree, store.secrets);
  stages["SOPS-encrypt Secrets"] = ms(t);
  t = performance.now();
  store.save();
  stages["secrets store save"] = ms(t);
  t = performance.now();
  writeTree(enc, join(dir, "out"));
  stages["write tree"] = ms(t);
  const total = performance.now() - T;
  console.log(`${label}: ${loaded.lab.nodes.length} nodes, ${loaded.lab.apps.length} apps → ${enc.size} files in ${(total / 1000).toFixed(2)} s`);
  for (const [k, v] of Object.entries(stages)) console.log(`  ${k.padEnd(58)} ${v}`);
  console.log(`  per target: ${Object.entries(perTarget).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")}`);
  return total;
}

try {
  await once("run 1 (creates the secrets store)");
  const steady = await once("run 2 (re-render with the store)");
  let t = performance.now();
  execFileSync(tool("kustomize"), ["build", join(dir, "out", "kubernetes", "apps")], { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
  const k = performance.now() - t;
  console.log(`kustomize build of the rendered kubernetes/apps: ${(k / 1000).toFixed(2)} s (drover's whole render is ${(k / steady).toFixed(1)}× that speed)`);
  console.log(`goal: under 5 s — ${steady < 5000 ? "met" : "missed"} (${(steady / 1000).toFixed(2)} s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
