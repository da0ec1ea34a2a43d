// drover keys rotate kubernetes-ca, checked by the programs that consume it. Talos: through the three
// phases (accept, switch, drop) every rendered machine config passes the real `talosctl validate`, the
// store holds exactly the CAs of the phase, a re-render is byte-identical, and every talosctl command
// the rotation prints (the read-only `rotate-ca --dry-run` check, apply-config, service kubelet
// restart) parses with the real talosctl (it gets as far as dialling the node). k3s: the staging
// folder `k3s certificate rotate-ca` reads, each CA checked by openssl (self-signed CA, key matching),
// the service-account key an RSA key openssl accepts; the k3s binary itself is not built here.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPublicKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { isolatedAgeKey, readFiles, runCli } from "../../testing/cli-harness.js";
import { tempDir, type TestKey } from "../../testing/age-key.js";
import { tool } from "../../testing/paths.js";
import { closedPort } from "../../testing/ports.js";
import { nodeLabYaml } from "../../testing/node-lab.js";
import { render } from "../../cli/commands/render.js";
import { readStore } from "../../secrets/store.js";
import type { LabSecrets } from "../../secrets/types.js";
import { driveRollout } from "./drive.js";
import { runCommand } from "../upgrade/runner.js";

interface Rotated { changed: string[]; rollout: { node: string; file: string; action: string }[]; notes: string[]; check?: string[]; plan?: boolean }

let key: TestKey;
before(() => {
  key = isolatedAgeKey();
});

async function rotate(dir: string, ...extra: string[]): Promise<Rotated> {
  const r = await runCli(["keys", "rotate", "kubernetes-ca", join(dir, "lab.yaml"), "--json", ...extra]);
  assert.equal(r.code, 0, r.err + r.out);
  return JSON.parse(r.out) as Rotated;
}

async function lab(distribution: "talos" | "k3s"): Promise<string> {
  const dir = tempDir();
  writeFileSync(join(dir, "lab.yaml"), nodeLabYaml({ recipient: key.recipient, distribution }));
  await render(join(dir, "lab.yaml"), {});
  return dir;
}

const store = async (dir: string): Promise<LabSecrets> => (await readStore(join(dir, "secrets.sops.yaml"), "store", [key.identity])).secrets;
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
type ClusterDoc = { ca: { crt: string; key?: string }; acceptedCAs?: { crt: string }[] };
const docs = (dir: string, node: string) => parseAllDocuments(readFileSync(join(dir, "out", "talos", `${node}.yaml`), "utf8")).map((d) => d.toJS());
const clusterOf = (dir: string, node: string) => docs(dir, node).find((d) => d?.cluster)!.cluster as ClusterDoc;
const machineOf = (dir: string, node: string) => docs(dir, node).find((d) => d?.machine)!.machine as { acceptedCAs?: unknown };

function talosValidate(dir: string, node: string): void {
  const r = spawnSync(tool("talosctl"), ["validate", "--config", join(dir, "out", "talos", `${node}.yaml`), "--mode", "metal", "--strict"], { encoding: "utf8" });
  assert.equal(r.status, 0, `talosctl validate ${node}:\n${r.stdout}${r.stderr}`);
}

/** Runs a printed talosctl argv (paths relative to the output folder) against a closed port on loopback. */
function talosctlParses(outDir: string, argv: readonly string[], port: number): void {
  assert.equal(argv[0], "talosctl", argv.join(" "));
  const r = spawnSync(tool("talosctl"), [...argv.slice(1), "--endpoints", `127.0.0.1:${port}`], { cwd: outDir, encoding: "utf8", timeout: 120_000 });
  const text = `${argv.join(" ")}:\n${r.stdout}${r.stderr}`;
  assert.notEqual(r.status, 0, text);
  assert.doesNotMatch(r.stderr, /unknown flag|unknown command|unknown shorthand|invalid argument|accepts \d+ arg/, text);
  assert.match(r.stderr, /connection refused|connect: /, text);
}

test("kubernetes-ca on Talos: --plan writes nothing; three phases (accept, switch, drop) in the store and cluster.acceptedCAs, valid for talosctl; re-render byte-identical; every printed talosctl command parses", async () => {
  const dir = await lab("talos");
  const out = join(dir, "out");
  const oldCa = unb64(clusterOf(dir, "cp1").ca.crt);
  const storeBytes = readFileSync(join(dir, "secrets.sops.yaml"), "utf8");
  const rendered = readFiles(out);

  // the plan: what phase 1 would do, a read-only talosctl check first; nothing written
  const plan = await rotate(dir, "--plan");
  assert.equal(plan.plan, true);
  assert.match(plan.notes[0]!, /phase 1 of 3/);
  assert.deepEqual(plan.check, [
    "talosctl", "--talosconfig", "./talos/talosconfig", "rotate-ca", "--nodes", "192.168.50.11", "--talos=false", "--kubernetes=true", "--dry-run=true",
    "--control-plane-nodes", "192.168.50.11,192.168.50.12,192.168.50.13", "--worker-nodes", "192.168.50.21,192.168.50.22,192.168.50.23",
  ]);
  assert.equal(readFileSync(join(dir, "secrets.sops.yaml"), "utf8"), storeBytes);
  assert.deepEqual(readFiles(out), rendered);
  const port = await closedPort();
  talosctlParses(out, plan.check!, port);
  assert.deepEqual(plan.rollout.map((s) => s.node), ["cp1", "cp2", "cp3", "w1", "w2", "w3"]);
  assert.equal(plan.rollout[3]!.action, "talosctl --talosconfig talos/talosconfig --nodes 192.168.50.21 apply-config --mode no-reboot --file talos/w1.yaml && talosctl --talosconfig talos/talosconfig --nodes 192.168.50.21 service kubelet restart");
  for (const part of plan.rollout[0]!.action.split(" && ")) talosctlParses(out, part.split(" "), port);

  // phase 1: every node accepts the new CA; the old one still issues
  const p1 = await rotate(dir);
  assert.match(p1.notes[0]!, /phase 1 of 3/);
  const s1 = await store(dir);
  assert.equal(s1.talos.certs.k8s.crt, oldCa);
  assert.ok(s1.talos.nextK8sCa && !s1.talos.acceptedK8sCas);
  const newCa = s1.talos.nextK8sCa.crt;
  const x = new X509Certificate(newCa);
  assert.ok(x.ca && x.subject.includes("O=kubernetes") && x.publicKey.asymmetricKeyDetails?.namedCurve === "prime256v1", x.subject);
  assert.notEqual(newCa, oldCa);
  for (const n of ["cp1", "w1"]) {
    const c = clusterOf(dir, n);
    assert.equal(unb64(c.ca.crt), oldCa);
    assert.deepEqual(c.acceptedCAs?.map((a) => unb64(a.crt)), [newCa]);
    assert.equal(machineOf(dir, n).acceptedCAs, undefined, "the OS CA is not touched");
    talosValidate(dir, n);
  }
  assert.equal(clusterOf(dir, "w1").ca.key, undefined, "workers never get the CA key");
  const after1 = readFiles(out);
  await render(join(dir, "lab.yaml"), {});
  assert.deepEqual(readFiles(out), after1, "re-rendering phase 1 is byte-identical");

  // --run: Drover takes the steps itself, in order, stopping at the first failure — with the real
  // talosctl the first apply-config fails to dial (no Talos here) and nothing after it runs
  const ran: string[] = [];
  const stopped = await driveRollout(p1.rollout, { outDir: out, talosctl: tool("talosctl"), run: (argv, cwd) => (ran.push(argv.join(" ")), runCommand([...argv, "--endpoints", `127.0.0.1:${port}`], 60_000, cwd)) });
  assert.deepEqual(stopped.done, []);
  assert.equal(stopped.failed?.node, "cp1");
  assert.equal(stopped.failed?.command, "talosctl --talosconfig talos/talosconfig --nodes 192.168.50.11 apply-config --mode no-reboot --file talos/cp1.yaml");
  assert.match(stopped.failed!.error, /connection refused/);
  assert.deepEqual(ran, [`${tool("talosctl")} --talosconfig talos/talosconfig --nodes 192.168.50.11 apply-config --mode no-reboot --file talos/cp1.yaml`]);
  const order: string[] = [];
  const all = await driveRollout(p1.rollout, { outDir: out, run: async (argv) => (order.push(`${argv[4]} ${argv[5]}`), { code: 0, stdout: "", stderr: "" }) });
  assert.deepEqual(all.done, ["cp1", "cp2", "cp3", "w1", "w2", "w3"]);
  assert.deepEqual(order.slice(0, 4), ["192.168.50.11 apply-config", "192.168.50.11 service", "192.168.50.12 apply-config", "192.168.50.12 service"]);
  assert.equal(order.length, 12);

  // phase 2: the new CA issues (with its key on control planes); the old one stays accepted
  const p2 = await rotate(dir);
  assert.match(p2.notes[0]!, /phase 2 of 3/);
  assert.ok(p2.notes.some((n) => /talosctl kubeconfig/.test(n)));
  assert.equal(p2.check, undefined, "the dry-run check is for the start of a rotation");
  const s2 = await store(dir);
  assert.deepEqual([s2.talos.certs.k8s.crt, s2.talos.nextK8sCa, s2.talos.acceptedK8sCas], [newCa, undefined, [oldCa]]);
  assert.equal(s2.talos.certs.k8s.key, s1.talos.nextK8sCa.key);
  for (const n of ["cp1", "w1"]) {
    const c = clusterOf(dir, n);
    assert.equal(unb64(c.ca.crt), newCa);
    assert.deepEqual(c.acceptedCAs?.map((a) => unb64(a.crt)), [oldCa]);
    talosValidate(dir, n);
  }
  assert.equal(unb64(clusterOf(dir, "cp1").ca.key!), s1.talos.nextK8sCa.key);

  // phase 3: only the new CA
  const p3 = await rotate(dir);
  assert.match(p3.notes[0]!, /phase 3 of 3/);
  assert.ok(!p3.notes.some((n) => n.includes("again")), p3.notes.join("\n"));
  const s3 = await store(dir);
  assert.deepEqual([s3.talos.certs.k8s.crt, s3.talos.nextK8sCa, s3.talos.acceptedK8sCas], [newCa, undefined, undefined]);
  for (const n of ["cp1", "w1"]) {
    assert.equal(unb64(clusterOf(dir, n).ca.crt), newCa);
    assert.equal(clusterOf(dir, n).acceptedCAs, undefined);
    talosValidate(dir, n);
  }
  // the other CAs never moved
  assert.deepEqual([s3.talos.certs.os, s3.talos.certs.etcd, s3.talos.certs.k8sAggregator], [s1.talos.certs.os, s1.talos.certs.etcd, s1.talos.certs.k8sAggregator]);
});

function openssl(args: string[]): string {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  assert.equal(r.status, 0, `openssl ${args.join(" ")}:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

test("kubernetes-ca on k3s: the rotate-ca staging folder (each CA a self-signed CA with its key, checked by openssl; 0600, git-ignored), k3s certificate rotate-ca --force on the first server then restarts servers first; the second run records the CAs and stops rendering the folder", async () => {
  const dir = await lab("k3s");
  const out = join(dir, "out");
  assert.ok(!existsSync(join(out, "k3s", "cp1", "rotate-ca")));
  // k3s's steps are for a person (ssh, copying files): --run is refused before the store changes
  const before = readFileSync(join(dir, "secrets.sops.yaml"), "utf8");
  const refused = await runCli(["keys", "rotate", "kubernetes-ca", join(dir, "lab.yaml"), "--run"]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /--run: its rollout has steps Drover cannot run itself/);
  assert.equal(readFileSync(join(dir, "secrets.sops.yaml"), "utf8"), before);
  const p1 = await rotate(dir);
  assert.match(p1.notes[0]!, /phase 1 of 2/);
  assert.equal(p1.rollout[0]!.node, "cp1");
  assert.match(p1.rollout[0]!.action, /k3s certificate rotate-ca --path=\/var\/lib\/rancher\/k3s\/server\/rotate-ca --force$/);
  assert.match(p1.rollout[0]!.action, /cat \/var\/lib\/rancher\/k3s\/server\/tls\/service\.key >> \/var\/lib\/rancher\/k3s\/server\/rotate-ca\/service\.key/);
  assert.deepEqual(p1.rollout.slice(1).map((s) => `${s.node} ${s.action.split(" (")[0]}`), ["cp1 systemctl restart k3s", "cp2 systemctl restart k3s", "cp3 systemctl restart k3s", "w1 systemctl restart k3s-agent", "w2 systemctl restart k3s-agent", "w3 systemctl restart k3s-agent"]);
  const staged = join(out, "k3s", "cp1", "rotate-ca");
  const names = ["client-ca", "etcd/peer-ca", "etcd/server-ca", "request-header-ca", "server-ca"];
  const s1 = await store(dir);
  assert.ok(s1.k3s.nextCa && !s1.k3s.ca);
  const gitignore = readFileSync(join(out, "k3s", ".gitignore"), "utf8");
  for (const n of names) {
    const crt = join(staged, `${n}.crt`);
    const keyFile = join(staged, `${n}.key`);
    for (const f of [crt, keyFile]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    assert.ok(gitignore.includes(`cp1/rotate-ca/${n}.key`), `${n}.key is git-ignored:\n${gitignore}`);
    openssl(["verify", "-CAfile", crt, "-check_ss_sig", crt]);
    const text = openssl(["x509", "-in", crt, "-noout", "-text"]);
    assert.ok(/CA:TRUE/.test(text) && /Certificate Sign/.test(text), text);
    const c = new X509Certificate(readFileSync(crt));
    assert.match(c.subject, new RegExp(`CN=${n.replace("etcd/", "etcd-").replace(/^(client|request-header|server)-ca$/, "k3s-$1-ca")}@\\d+$`));
    const pub = createPublicKey(readFileSync(keyFile, "utf8")).export({ format: "der", type: "spki" });
    assert.deepEqual(pub, c.publicKey.export({ format: "der", type: "spki" }), `${n}.key is the key of ${n}.crt`);
  }
  assert.match(openssl(["rsa", "-in", join(staged, "service.key"), "-check", "-noout"]), /RSA key ok/);
  assert.ok(!readFileSync(join(out, "k3s", "cp1", "config.yaml"), "utf8").includes("BEGIN"), "the CAs are not in the node config");
  const after1 = readFiles(out);
  await render(join(dir, "lab.yaml"), {});
  assert.deepEqual(readFiles(out), after1, "re-rendering phase 1 is byte-identical");

  const p2 = await rotate(dir);
  assert.match(p2.notes[0]!, /phase 2 of 2/);
  assert.deepEqual(p2.rollout.map((s) => s.action), ["rm -rf /var/lib/rancher/k3s/server/rotate-ca"]);
  const s2 = await store(dir);
  assert.deepEqual(s2.k3s.ca, s1.k3s.nextCa);
  assert.equal(s2.k3s.nextCa, undefined);
  assert.equal(s2.k3s.token, s1.k3s.token);
  assert.ok(!existsSync(staged), "the staging folder is gone from the output");
});
