#!/usr/bin/env node
// Node configs at scale: Drover renders the Talos machine configs (plus boot media and Proxmox files)
// of a generated 1,000-node lab, against `talosctl gen config` making node configs in the same run.
// talosctl makes one node's config per run (--with-secrets, the node's network/wg0 documents as a
// --config-patch, controlplane or worker output); its per-node cost is measured on a sample and
// compared per node. Env: HOSTS (500, 2 nodes each), TOPOLOGY (site-leaders | full-mesh), SAMPLE (10), RUNS (3).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { join } from "node:path";
import { genLabYaml } from "./lib/gen-lab.mjs";
import { loadSpec } from "../dist/spec/load.js";
import { resolveLab } from "../dist/lab/resolve.js";
import { ensureSecrets } from "../dist/secrets/generate.js";
import { renderTalos, talosContext, nodeDocuments } from "../dist/render/talos/index.js";
import { renderBoot } from "../dist/render/boot/index.js";
import { renderProxmox } from "../dist/render/proxmox/index.js";
import { toYaml } from "../dist/render/tree.js";
import { tool } from "../dist/testing/paths.js";

const HOSTS = Number(process.env.HOSTS ?? 500), SAMPLE = Number(process.env.SAMPLE ?? 10), RUNS = Number(process.env.RUNS ?? 3);
const TOPOLOGY = process.env.TOPOLOGY ?? "site-leaders";
let text = genLabYaml({ hosts: HOSTS, nodesPerHost: 2, apps: 1 });
if (TOPOLOGY === "site-leaders") text = text.replace("overlay: { subnet: 10.200.0.0/20 }", "overlay: { subnet: 10.200.0.0/20, topology: site-leaders }");
const lab = resolveLab(loadSpec(text, "bench.yaml").spec);
const t0 = performance.now();
const { secrets } = ensureSecrets(lab, undefined);
const tSecrets = performance.now() - t0;
console.log(`lab: ${lab.nodes.length} nodes on ${lab.hosts.length} Proxmox hosts, ${lab.sites.length} sites, overlay ${TOPOLOGY}; secrets generated once in ${(tSecrets / 1000).toFixed(2)} s (not part of a render)`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timed = (f) => {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = f();
  const u = process.cpuUsage(c);
  return { r, wall: performance.now() - t, cpu: (u.user + u.system) / 1000 };
};
const times = { talos: [], boot: [], proxmox: [] };
let bytes = 0;
let firstProxmox;
for (let r = 0; r < RUNS + 1; r++) {
  const t = timed(() => renderTalos(lab, secrets));
  const b = timed(() => renderBoot(lab, secrets));
  const p = timed(() => renderProxmox(lab, secrets));
  // the first render also hashes each Proxmox host's root password (kept in the store afterwards)
  if (r === 0) { firstProxmox = p; continue; }
  times.talos.push(t);
  times.boot.push(b);
  times.proxmox.push(p);
  bytes = [...t.r.values()].reduce((a, f) => a + f.content.length, 0);
}
const med = (xs, k) => median(xs.map((x) => x[k]));
const drover = { talos: med(times.talos, "wall"), boot: med(times.boot, "wall"), proxmox: med(times.proxmox, "wall") };
const cpu = { talos: med(times.talos, "cpu"), boot: med(times.boot, "cpu"), proxmox: med(times.proxmox, "cpu") };
const total = drover.talos + drover.boot + drover.proxmox;
const totalCpu = cpu.talos + cpu.boot + cpu.proxmox;
const s2 = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`drover (median of ${RUNS}, wall / CPU): talos ${s2(drover.talos)} / ${s2(cpu.talos)} (${(bytes / 2 ** 20).toFixed(1)} MiB), boot ${s2(drover.boot)} / ${s2(cpu.boot)}, proxmox ${s2(drover.proxmox)} / ${s2(cpu.proxmox)}`);
console.log(`drover total: ${s2(total)} wall, ${s2(totalCpu)} CPU = ${(total / lab.nodes.length).toFixed(2)} ms per node wall; first render adds the ${lab.hosts.length} Proxmox root-password hashes: proxmox ${s2(firstProxmox.wall)}`);

// ---- talosctl gen config, one node at a time, on a sample ----
const dir = mkdtempSync(join(tmpdir(), "drover-bench-talosctl-"));
const b64 = (pem) => Buffer.from(pem).toString("base64");
const s = secrets.talos;
writeFileSync(join(dir, "secrets.yaml"), toYaml({
  cluster: { id: s.clusterId, secret: s.clusterSecret },
  secrets: { bootstraptoken: s.bootstrapToken, secretboxencryptionsecret: s.secretboxEncryptionSecret },
  trustdinfo: { token: s.trustdToken },
  certs: {
    etcd: { crt: b64(s.certs.etcd.crt), key: b64(s.certs.etcd.key) }, k8s: { crt: b64(s.certs.k8s.crt), key: b64(s.certs.k8s.key) },
    k8saggregator: { crt: b64(s.certs.k8sAggregator.crt), key: b64(s.certs.k8sAggregator.key) }, k8sserviceaccount: { key: b64(s.certs.k8sServiceAccount.key) },
    os: { crt: b64(s.certs.os.crt), key: b64(s.certs.os.key) },
  },
}));
const ctx = talosContext(lab, secrets);
const sample = lab.nodes.filter((_, i) => i % Math.max(1, Math.floor(lab.nodes.length / SAMPLE)) === 0).slice(0, SAMPLE);
let talosctl = 0;
for (const [i, n] of sample.entries()) {
  // the node's own documents (network, wg0) as a patch; talosctl makes the v1alpha1 part itself
  const docs = nodeDocuments(ctx, n).slice(1);
  writeFileSync(join(dir, `patch-${i}.yaml`), docs.map((d) => toYaml(d)).join("---\n"));
  const t = performance.now();
  const r = spawnSync(tool("talosctl"), ["gen", "config", lab.name, lab.endpoint.url, "--with-secrets", join(dir, "secrets.yaml"), "--config-patch", `@${join(dir, `patch-${i}.yaml`)}`,
    "--install-disk", n.installDisk, "--output-types", n.role, "-o", join(dir, `out-${i}.yaml`), "--force", "--with-docs=false", "--with-examples=false"], { encoding: "utf8" });
  talosctl += performance.now() - t;
  if (r.status !== 0) throw new Error(`talosctl gen config failed: ${r.stderr}`);
}
const perTalosctl = talosctl / sample.length;
const perDrover = drover.talos / lab.nodes.length;
console.log(`talosctl gen config: ${perTalosctl.toFixed(1)} ms per node (mean of ${sample.length}); for all ${lab.nodes.length} nodes ≈ ${((perTalosctl * lab.nodes.length) / 1000).toFixed(1)} s`);
console.log(`per node: drover ${perDrover.toFixed(2)} ms vs talosctl ${perTalosctl.toFixed(1)} ms → talosctl / drover = ${(perTalosctl / perDrover).toFixed(0)}×`);
rmSync(dir, { recursive: true, force: true });
