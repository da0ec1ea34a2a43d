// The apply lock on a real control plane: time is the API server's (a process whose wall clock is
// an hour off neither steals a live lock nor loses its own), holders are told apart per process and
// machine (same host name is not enough to be taken for dead), and a lease lost mid-apply stops the
// writes at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import type { TestCluster } from "../testing/cluster.js";
import { clusterForTests } from "../testing/cluster-per-file.js";
import { Client } from "./client.js";
import { acquireLock, holderIdentity, localScope } from "./lock.js";
import { apply, LockLostError } from "./apply.js";
import type { KubeObject } from "./objects.js";

let cluster: TestCluster;
let client: Client;
clusterForTests((c) => ({ cluster, client } = c));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another drover process taking the lock, its whole wall clock shifted by skewMs (Date and Date.now). */
const CHILD = `
const skew = Number(process.env.SKEW_MS || 0);
if (skew) {
  const Real = Date;
  globalThis.Date = class extends Real {
    constructor(...a) { if (a.length) super(...a); else super(Real.now() + skew); }
    static now() { return Real.now() + skew; }
  };
}
const { Client } = await import(process.env.CLIENT_JS);
const { acquireLock } = await import(process.env.LOCK_JS);
const client = Client.fromKubeconfig({ kubeconfig: process.env.KUBECONFIG_FILE });
try {
  const lock = await acquireLock(client, { waitMs: 0 });
  process.stdout.write(JSON.stringify({ held: lock.holder, clock: new Date().toISOString() }) + "\\n");
  if (process.env.HOLD) await new Promise((r) => process.stdin.on("end", r).resume());
  await lock.release();
} catch (e) {
  process.stdout.write(JSON.stringify({ refused: e.message }) + "\\n");
}
client.close();
`;

const childEnv = (skewMs: number, hold: boolean): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH, SKEW_MS: String(skewMs), ...(hold ? { HOLD: "1" } : {}), KUBECONFIG_FILE: cluster.kubeconfig,
  CLIENT_JS: fileURLToPath(new URL("./client.js", import.meta.url)), LOCK_JS: fileURLToPath(new URL("./lock.js", import.meta.url)),
});

/** One attempt by another process: what it got. */
function tryOnce(skewMs: number): { held?: string; refused?: string; clock?: string } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD], { env: childEnv(skewMs, false), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim());
}

/** Another process that takes the lock and holds it until stop(). */
async function holder(skewMs: number): Promise<{ child: ChildProcessWithoutNullStreams; identity: string; clock: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], { env: childEnv(skewMs, true) });
  let out = "";
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.on("exit", (code) => reject(new Error(`the holder exited (${code}): ${out}`)));
  });
  const got = JSON.parse(line) as { held?: string; clock?: string; refused?: string };
  assert.ok(got.held, line);
  const exited = new Promise((r) => child.on("exit", r));
  return { child, identity: got.held, clock: got.clock!, stop: async () => { child.stdin.end(); await exited; } };
}

const HOUR = 3_600_000;

test("a process whose clock is an hour ahead cannot steal a live lock; one an hour behind keeps its own", async () => {
  const mine = await acquireLock(client);
  const ahead = tryOnce(HOUR);
  assert.match(ahead.refused ?? JSON.stringify(ahead), new RegExp(`another drover apply is running against .* \\(${mine.holder.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}, since`));
  await mine.release();

  const behind = await holder(-HOUR);
  assert.ok(Math.abs(Date.parse(behind.clock) + HOUR - Date.now()) < 60_000, "the holder's clock is an hour behind");
  // the times it wrote are the server's, not its own
  const renew = Date.parse(cluster.kubectl(["get", "lease", "drover-apply", "-n", "drover-system", "-o", "jsonpath={.spec.renewTime}"]));
  assert.ok(Math.abs(renew - Date.now()) < 5_000, `renewTime ${new Date(renew).toISOString()} is the server's time`);
  await assert.rejects(acquireLock(client), (e: Error) => e.message.includes(`(${behind.identity}, since`));
  assert.match(tryOnce(HOUR).refused ?? "", /another drover apply is running/, "nor by one an hour ahead");
  await behind.stop();
  const next = await acquireLock(client);
  await next.release();
});

test("holders on the same host name are told apart: a live one is waited for, a dead one of this machine taken over, one of another PID namespace left to expire", async () => {
  const other = await holder(0);
  assert.ok(other.identity.startsWith(`drover@${hostname()}:${other.child.pid}/${localScope()}/`), other.identity);
  assert.notEqual(other.identity, holderIdentity());
  await assert.rejects(acquireLock(client), (e: Error) => e.message.includes(`(${other.identity}, since`), "same host, live process: refused");
  other.child.kill("SIGKILL");
  await new Promise((r) => other.child.on("exit", r));
  const taken = await acquireLock(client); // its process is gone: taken over at once, no waiting for expiry
  assert.equal(cluster.kubectl(["get", "lease", "drover-apply", "-n", "drover-system", "-o", "jsonpath={.spec.holderIdentity}"]), holderIdentity());
  await taken.release();

  // the same host name in another PID namespace (or on another machine): its PID means nothing here
  const ghost = `drover@${hostname()}:${2 ** 22 - 1}/0123456789ab/12345/cafe`;
  const now = new Date(client.serverNow()!).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z"); // MicroTime
  await client.create({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "drover-apply", namespace: "drover-system" }, spec: { holderIdentity: ghost, leaseDurationSeconds: 2, acquireTime: now, renewTime: now } } as KubeObject);
  await assert.rejects(acquireLock(client), (e: Error) => e.message.includes(`(${ghost}, since`), "not taken for a dead local process");
  // it expires by the server's clock (2 s + the margin for Date's whole seconds)
  const later = await acquireLock(client, { waitMs: 15_000 });
  await later.release();
});

test("a lease lost mid-apply stops the writes at once; the next apply converges", async () => {
  const spec = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "lost" } }, ...Array.from({ length: 20 }, (_, i) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${String(i).padStart(2, "0")}`, namespace: "lost" }, data: { i: String(i) } }))] as KubeObject[];
  let n = 0;
  await assert.rejects(apply(client, spec, {
    wait: false, concurrency: 1, inventoryName: "inv-lost",
    afterObject: async () => {
      if (++n !== 5) return;
      cluster.kubectl(["patch", "lease", "drover-apply", "-n", "drover-system", "--type", "merge", "-p", JSON.stringify({ spec: { holderIdentity: "thief" } })]);
      await sleep(1500);
    },
  }), (e: unknown) => {
    assert.ok(e instanceof LockLostError, String(e));
    assert.match(e.message, /^stopped writing: the apply lock is lost \(the Lease drover-system\/drover-apply was taken by thief\)$/);
    return true;
  });
  const made = cluster.kubectl(["get", "configmaps", "-n", "lost", "-o", "name"]).split("\n").filter((l) => l && !l.endsWith("kube-root-ca.crt"));
  assert.equal(made.length, 4, `written after the loss: ${made.join(" ")}`);
  assert.equal(cluster.kubectl(["get", "lease", "drover-apply", "-n", "drover-system", "-o", "jsonpath={.spec.holderIdentity}"]), "thief", "the thief's lease is left alone");
  cluster.kubectl(["delete", "lease", "drover-apply", "-n", "drover-system"]);
  const again = await apply(client, spec, { wait: false, inventoryName: "inv-lost" });
  assert.equal(again.counts.created, 16);
  assert.equal(again.counts.failed + again.counts.adopted, 0, "what the interrupted apply created is still Drover's");
});
