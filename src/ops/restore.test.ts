// Restore proven (issue 16 item 4), on the real control plane (etcd, kube-apiserver, scheduler,
// controller-manager, a kwok node) with VolSync's CRDs, and the real backup data path: the rendered
// restic REST server (rest-server 0.14.0) and the real restic 0.18.1 doing what VolSync's restic mover
// does (testing/restic-mover.ts) with the restic Secret read back from the cluster. There is no VolSync
// controller here: the test plays its part — it runs the mover for a ReplicationSource or a
// ReplicationDestination and writes their status as VolSync does. Everything else is Drover's:
// `drover backup status` reads the sources' status, `drover restore` suspends the app's Flux
// Kustomization, scales the app to 0, waits for its pods to go, creates its ReplicationDestinations,
// waits for VolSync's answer and starts the app again. Back up, change, back up, wipe, restore as of
// the first backup, compare bytes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { exampleLab, testSecrets } from "../testing/apps-lab.js";
import { startClusterWithCrds } from "../testing/crd-cluster.js";
import type { TestCluster } from "../testing/cluster.js";
import { runCli } from "../testing/cli-harness.js";
import { tempDir } from "../testing/age-key.js";
import { EXAMPLES } from "../testing/paths.js";
import { moverBackup, moverEnv, moverRestore, startRestServer, type RestServer } from "../testing/restic-mover.js";
import { renderLab } from "../render/index.js";
import { platformComponents } from "../render/platform/index.js";
import { restorePlan, restoreTime } from "./restore.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LAB = join(EXAMPLES, "proxmox-k3s", "lab.yaml"); // paperless-ngx backed up (data, media) to a TrueNAS NFS share through rest-server
const NS = "office";
const APP = "paperless-ngx";
const CLAIMS = ["paperless-ngx-data", "paperless-ngx-media"];

let cluster: TestCluster;
let server: RestServer;
let work: string;

before(async () => {
  work = tempDir("drover-restore-");
  cluster = await startClusterWithCrds({ nodes: [{ name: "w1", cpu: "16", memory: "64Gi", labels: { "kubernetes.io/arch": "amd64" } }], controllers: "namespace,serviceaccount,serviceaccount-token,statefulset,deployment,replicaset,garbagecollector" });
});

after(async () => {
  server?.stop();
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
});

const kc = () => ["--kubeconfig", cluster.kubeconfig];
const getJson = (args: string[]): Obj => JSON.parse(cluster.kubectl(["get", ...args, "-o", "json"]));
const setStatus = (kind: string, name: string, status: Obj) => cluster.kubectl(["patch", kind, name, "-n", NS, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);

/** Every file below a folder: relative path → bytes (and symlink-free: the mover keeps what it finds). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString("base64"));
    }
  };
  walk(dir);
  return out;
}

/** The restic Secret as VolSync's mover gets it: read back from the cluster (data, base64). */
function resticSecret(name: string): Record<string, string> {
  const s = getJson(["secret", name, "-n", NS]);
  return Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

test("--from reads RFC 3339 times, days and ages, and refuses anything else", () => {
  const now = new Date("2026-12-07T10:00:00Z");
  assert.equal(restoreTime("2026-12-06T03:00:00+01:00", now), "2026-12-06T02:00:00Z");
  assert.equal(restoreTime("2026-12-06", now), "2026-12-06T23:59:59Z");
  assert.equal(restoreTime("2d", now), "2026-12-05T10:00:00Z");
  assert.equal(restoreTime("90m", now), "2026-12-07T08:30:00Z");
  for (const bad of ["yesterday", "2026-12-06 03:00:00", "2026-13-01", "5"]) assert.throws(() => restoreTime(bad, now), /is not a time/, bad);
  const lab = exampleLab("proxmox-k3s");
  assert.throws(() => restorePlan(lab, "nope", { now }), /has no app nope/);
  assert.throws(() => restorePlan(lab, "pihole", { now }), /not backed up|has no app/);
});

test("back up with the rendered Secret, wipe, drover restore --from the first backup: the app is stopped around it and the claims hold the first backup's bytes", { timeout: 600_000 }, async () => {
  const lab = exampleLab("proxmox-k3s");
  const secrets = testSecrets(lab);
  server = await startRestServer(platformComponents(lab, secrets).components.find((c) => c.name === "backups")! as never);
  const t = renderLab(lab, secrets);
  // the app as Flux applies it: its namespace, its folder, and the `apps` Kustomization whose labels its objects carry
  cluster.kubectl(["create", "namespace", NS]);
  cluster.kubectl(["create", "namespace", "flux-system"]);
  const folder = `kubernetes/apps/${NS}/${APP}/`;
  const docs = [...t].filter(([p]) => p.startsWith(folder) && p.endsWith(".yaml") && !p.endsWith("kustomization.yaml")).flatMap(([, f]) => parseAllDocuments(f.content).map((d) => d.toJS() as Obj)).filter(Boolean);
  for (const o of docs) o.metadata.labels = { ...o.metadata.labels, "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system" };
  cluster.kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: docs }));
  cluster.kubectl(["apply", "--server-side", "-f", "-"], t.get("kubernetes/apps.yaml")!.content);
  await cluster.waitFor("the app's pod", () => getJson(["pods", "-n", NS, "-l", `app.kubernetes.io/instance=${APP}`]).items.length === 1, 60_000);

  const rs = docs.filter((o) => o.kind === "ReplicationSource" && o.spec.restic.repository.endsWith("-restic"));
  assert.deepEqual(rs.map((o) => o.spec.sourcePVC).sort(), CLAIMS, "one source per claim on the first target");
  const volumes = Object.fromEntries(CLAIMS.map((c) => [c, join(work, "volumes", c)]));
  const env = (claim: string) => moverEnv(resticSecret(`${claim}-restic`), server, join(work, "cache", claim));

  // 1. the first backup (what the app's claims held on Dec 1st), reported the way VolSync reports it
  const first = new Map<string, Map<string, string>>();
  for (const c of CLAIMS) {
    mkdirSync(join(volumes[c]!, "docs", "2026"), { recursive: true });
    writeFileSync(join(volumes[c]!, "docs", "2026", "invoice-0001.pdf"), randomBytes(200_000));
    writeFileSync(join(volumes[c]!, "index.db"), randomBytes(4096));
    writeFileSync(join(volumes[c]!, "kept-until-wiped.txt"), `claim ${c}\n`);
    moverBackup(env(c), volumes[c]!, { retain: rs[0]!.spec.restic.retain, time: "2026-12-01 03:00:00" });
    first.set(c, tree(volumes[c]!));
    setStatus("replicationsource", c, { lastSyncTime: "2026-12-01T03:00:00Z", lastSyncDuration: "12.5s", nextSyncTime: "2026-12-02T03:00:00Z", latestMoverStatus: { result: "Successful", logs: "processed 3 files" } });
  }
  assert.ok(readdirSync(join(server.share, NS)).includes(CLAIMS[0]!), "the repository is on the share as <namespace>/<claim>");

  const status = await runCli(["backup", "status", LAB, ...kc(), "--json"]);
  assert.equal(status.code, 0, status.err);
  const lines = JSON.parse(status.out).backups as Obj[];
  const mine = lines.filter((l) => l.app === APP && l.target === "truenas");
  assert.deepEqual(mine.map((l) => [l.claim, l.state, l.lastBackup, l.result, l.restore]), CLAIMS.map((c) => [c, "ok", "2026-12-01T03:00:00Z", "Successful", "populator"]));
  assert.ok(lines.some((l) => l.app === APP && l.target === "offsite" && l.state === "never"), "the offsite target's sources exist, no backup yet");
  assert.ok(lines.some((l) => l.app !== APP && l.state === "missing"), "the lab's other backed-up apps are not on this cluster");
  const text = await runCli(["backup", "status", LAB, ...kc()]);
  assert.match(text.out, /paperless-ngx\s+office\s+paperless-ngx-data\s+truenas\s+2026-12-01T03:00:00Z\s+Successful/);

  // 2. a day later: a file changed, one added, one deleted; the second backup
  for (const c of CLAIMS) {
    writeFileSync(join(volumes[c]!, "index.db"), randomBytes(4096));
    writeFileSync(join(volumes[c]!, "docs", "2026", "invoice-0002.pdf"), randomBytes(50_000));
    rmSync(join(volumes[c]!, "kept-until-wiped.txt"));
    moverBackup(env(c), volumes[c]!, { time: "2026-12-02 03:00:00" });
  }
  // 3. the disk is lost
  for (const c of CLAIMS) {
    rmSync(volumes[c]!, { recursive: true, force: true });
    mkdirSync(volumes[c]!);
  }

  // 4. drover restore as of Dec 1st, noon; VolSync's part is played below
  const running = runCli(["restore", APP, LAB, ...kc(), "--from", "2026-12-01T12:00:00Z", "--timeout", "3m"]);
  let done = false;
  void running.finally(() => (done = true));
  const restored = new Set<string>();
  let sawStopped = false;
  while (restored.size < CLAIMS.length && !done) {
    for (const c of CLAIMS) {
      if (restored.has(c)) continue;
      const rd = getJson(["replicationdestinations", "-n", NS]).items.find((o: Obj) => o.metadata.name === `${c}-drover-restore`);
      if (!rd) continue;
      // when the restore is asked for, the app is stopped and Flux will not start it behind our back
      assert.equal(getJson(["statefulset", APP, "-n", NS]).spec.replicas, 0);
      assert.equal(getJson(["pods", "-n", NS, "-l", `app.kubernetes.io/instance=${APP}`]).items.length, 0);
      assert.equal(getJson(["kustomization", "apps", "-n", "flux-system"]).spec.suspend, true);
      sawStopped = true;
      const spec = rd.spec.restic;
      assert.deepEqual({ copyMethod: spec.copyMethod, destinationPVC: spec.destinationPVC, repository: spec.repository, restoreAsOf: spec.restoreAsOf, enableFileDeletion: spec.enableFileDeletion }, { copyMethod: "Direct", destinationPVC: c, repository: `${c}-restic`, restoreAsOf: "2026-12-01T12:00:00Z", enableFileDeletion: true });
      const picked = moverRestore(env(c), volumes[c]!, { restoreAsOf: spec.restoreAsOf, enableFileDeletion: spec.enableFileDeletion });
      assert.ok(picked, "a snapshot at or before restoreAsOf");
      setStatus("replicationdestination", rd.metadata.name, { lastManualSync: rd.spec.trigger.manual, lastSyncTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), latestMoverStatus: { result: "Successful", logs: `restored ${picked}` } });
      restored.add(c);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const r = await running;
  assert.equal(r.code, 0, r.out + r.err);
  assert.ok(sawStopped);
  assert.match(r.out, /restoring paperless-ngx-data from the last backup at or before 2026-12-01T12:00:00Z/);
  assert.match(r.out, /2 volume\(s\) restored/);
  // the claims hold exactly the first backup's files and bytes (the file added later is gone, the deleted one back)
  for (const c of CLAIMS) assert.deepEqual(tree(volumes[c]!), first.get(c), c);
  // the app runs again, Flux resumed
  assert.equal(getJson(["statefulset", APP, "-n", NS]).spec.replicas, 1);
  assert.equal(getJson(["kustomization", "apps", "-n", "flux-system"]).spec.suspend, false);
  await cluster.waitFor("the app's pod again", () => getJson(["pods", "-n", NS, "-l", `app.kubernetes.io/instance=${APP}`]).items.length === 1, 60_000);

  // 5. a restore VolSync reports as failed leaves the app stopped and says how to start it
  const failing = runCli(["restore", APP, LAB, ...kc(), "--timeout", "3m"]);
  let finished = false;
  void failing.finally(() => (finished = true));
  while (!finished) {
    for (const rd of getJson(["replicationdestinations", "-n", NS]).items as Obj[]) {
      if (!rd.metadata.name.endsWith("-drover-restore") || rd.status?.lastManualSync === rd.spec.trigger.manual) continue;
      assert.equal(rd.spec.restic.restoreAsOf, undefined, "no --from: the latest backup");
      setStatus("replicationdestination", rd.metadata.name, { lastManualSync: rd.spec.trigger.manual, latestMoverStatus: { result: "Failed", logs: "Fatal: wrong password or no key found" } });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const f = await failing;
  assert.equal(f.code, 1, f.out + f.err);
  assert.match(f.err, /did not succeed \(paperless-ngx-data: Failed, paperless-ngx-media: Failed\); paperless-ngx stays stopped[\s\S]*wrong password[\s\S]*kubectl -n office scale statefulset\/paperless-ngx --replicas=1/);
  assert.equal(getJson(["statefulset", APP, "-n", NS]).spec.replicas, 0);
});
