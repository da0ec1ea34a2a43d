#!/usr/bin/env node
// The whole test suite: installs the pinned real tools (first run builds them, with progress),
// then runs every compiled *.test.js under dist/ with node's test runner, files named explicitly.
//
// Two heavy suites of issue 15 have their own cache target, built only on demand:
// - the machines tests (*machines.test.js, Tier 1: Debian VMs under QEMU booting Drover's seeds) need a
//   VM image that takes minutes to build and minutes of CPU to boot: `npm run test:machines`;
// - the kubelets tests (*kubelets.test.js, Tier 2: real kubelets + containerd joined to the test control
//   plane) need kubelet, containerd, runc and the CNI plugins built: `npm run test:kubelets`.
// `--machines`/`--kubelets` build that target and run those tests alone; a plain run includes them only
// when their cache is already built, and otherwise says loudly, at the start and at the end, that they
// were not run. A subset run (filters given) includes them only when a filter names them.
// The real-Flux tests (*.flux.test.js, Tier 3) likewise: `npm run test:flux` (install.sh flux builds the
// controllers, a long cold build).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const heavy = [
  {
    flag: "--machines", target: "machines", word: "machines", test: (f) => f.endsWith("machines.test.js"),
    cache: async () => (await import(join(root, "dist/testing/machines.js"))).machinesImageDir(),
    what: [
      "the machines tests (issue 15 Tier 1: Drover's k3s cloud-init seeds booting real Debian 12 VMs",
      "under QEMU — addressing and default route, hostname, file modes, the WireGuard mesh, the k3s install step,",
      "site leaders with a NATed cloud VM, a seat reaching a private service)",
    ],
    because: "their VM image is not built", how: "npm run test:machines   (about 10-20 minutes on 2 cores)",
  },
  {
    flag: "--kubelets", target: "kubelets", word: "kubelets", test: (f) => f.endsWith("kubelets.test.js"),
    cache: async () => (await import(join(root, "dist/testing/kubelets-tools.js"))).kubeletsStampDir(),
    what: [
      "real kubelets (issue 15 Tier 2: the rendered apps on real kubelet + containerd nodes joined to the",
      "test control plane — drover node remove, what-if --down versus a real power cut, out-of-service,",
      "what-if --off versus a planned shutdown through the node's own systemd and logind)",
    ],
    because: "kubelet, containerd, runc and the CNI plugins are not built", how: "npm run test:kubelets   (about 10-25 minutes on 2 cores the first time)",
  },
  {
    // (the base tools too: `all flux`)
    flag: "--flux", target: "all flux", word: "flux", test: (f) => f.endsWith(".flux.test.js"),
    cache: async () => (await import(join(root, "dist/testing/flux.js"))).fluxControllersDir(),
    what: [
      "real Flux reconcile (issue 15 Tier 3: Flux's source-, kustomize- and helm-controller reconciling the",
      "rendered kubernetes/ tree from a local Git server, SOPS decryption, a pushed change converging)",
    ],
    because: "the Flux controllers are not built", how: "npm run test:flux   (or scripts/tools/install.sh flux, then npm test; a long cold build: see bench/README.md)",
  },
];
const only = heavy.find((h) => process.argv.includes(h.flag));
const filter = process.argv.slice(2).filter((a) => !heavy.some((h) => h.flag === a));

if (!process.env.DROVER_SKIP_TOOLS) {
  console.error("drover test: making sure the real upstream tools are built (cached in ~/.cache/drover-tools)…");
  const r = spawnSync("bash", [join(root, "scripts/tools/install.sh"), ...(only ? only.target.split(" ") : ["all"])], { stdio: ["ignore", "inherit", "inherit"] });
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
if (only) files = files.filter(only.test);
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const notRun = [];
for (const h of heavy) {
  if (only || !files.some(h.test)) continue;
  if (filter.length && !filter.some((x) => x.includes(h.word))) {
    // a subset run (`node scripts/test.mjs render/k3s`) runs them only when a filter names them
    files = files.filter((f) => !h.test(f));
    const line = `drover test: the ${h.word} tests are not part of a subset run unless a filter names them (e.g. ${h.word})`;
    notRun.push(line);
    console.error(line);
    continue;
  }
  const cache = await h.cache();
  if (!existsSync(join(cache, ".done"))) {
    const skipped = files.filter(h.test).map((f) => f.slice(root.length + 1));
    files = files.filter((f) => !h.test(f));
    const text = [
      "",
      `!!! NOT CHECKED: ${h.what[0]}`,
      ...h.what.slice(1).map((l) => `!!! ${l}`),
      `!!! were NOT run: ${skipped.join(", ")}`,
      `!!! because ${h.because} (${cache}).`,
      `!!! Build it and run them with: ${h.how}`,
      "",
    ].join("\n");
    notRun.push(text);
    console.error(text);
  }
}
if (files.length === 0) {
  console.error("drover test: no test files found under dist/ — refusing to report success");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "--test-concurrency=2", ...files], {
  stdio: "inherit",
  cwd: root,
  env: { ...process.env, DROVER_ROOT: root },
});
for (const t of notRun) console.error(t);
process.exit(r.status ?? 1);
