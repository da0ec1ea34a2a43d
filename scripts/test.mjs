#!/usr/bin/env node
// The whole test suite: installs the pinned real tools (first run builds them, with progress),
// then runs every compiled *.test.js under dist/ with node's test runner, files named explicitly.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const filter = process.argv.slice(2);

if (!process.env.DROVER_SKIP_TOOLS) {
  console.error("drover test: making sure the real upstream tools are built (cached in ~/.cache/drover-tools)…");
  const r = spawnSync("bash", [join(root, "scripts/tools/install.sh"), "all"], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    console.error("drover test: building the tools failed (see above)");
    process.exit(1);
  }
}

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}
let files = walk(join(root, "dist"), []);
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("drover test: no test files found under dist/ — refusing to report success");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "--test-concurrency=2", ...files], {
  stdio: "inherit",
  cwd: root,
  env: { ...process.env, DROVER_ROOT: root },
});
process.exit(r.status ?? 1);
