// drover up, k3s phase, with real parts: the kubeconfig is read over SSH by the real ssh client from a
// real sshd on loopback that accepts only the admin key from the lab's secrets store (the key the k3s
// seeds authorize), then kept (0600, context named after the lab), merged into the user's kubeconfig
// (their other contexts kept; the real kubectl reads the result), and the API and every node of the
// lab waited for on the real test control plane (kwok nodes). A server whose k3s is still installing
// (no kubeconfig yet) is waited for; a second run changes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, type TestCluster } from "../../testing/cluster.js";
import { startSshd, type TestSshd } from "../../testing/sshd.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { tempDir } from "../../testing/age-key.js";
import { debianTool, tool } from "../../testing/paths.js";
import { upK3sLabYaml } from "../../testing/up-labs.js";
import { loadRenderableLab } from "../../render/load.js";
import { findLocalKey } from "../../secrets/keys.js";
import { loadSecrets } from "../../secrets/store.js";
import type { LabSecrets } from "../../secrets/types.js";
import type { Lab } from "../../lab/types.js";
import { up, type UpOptions } from "./index.js";
import { upPaths } from "./state.js";
import { processRunner } from "./runner.js";
import type { UpEvent } from "./progress.js";

let cluster: TestCluster;
let sshd: TestSshd;
let dir: string;
let lab: Lab;
let secrets: LabSecrets;

before(async () => {
  const key = isolatedAgeKey();
  dir = tempDir("drover-up-k3s-");
  writeFileSync(join(dir, "lab.yaml"), upK3sLabYaml());
  const r = await runCli(["render", join(dir, "lab.yaml")]);
  assert.equal(r.code, 0, r.err);
  const loaded = loadRenderableLab(join(dir, "lab.yaml"));
  lab = loaded.lab;
  secrets = (await loadSecrets(lab, loaded.dir, findLocalKey({ keyFile: key.file }))).secrets;
  // the seed authorizes exactly this key for the drover account on the server
  assert.ok(readFileSync(join(dir, "out", "k3s", "srv1", "user-data"), "utf8").includes(secrets.ssh!.admin.publicKey));
  cluster = await startCluster({ nodes: [{ name: "srv1", cpu: "4", memory: "8Gi" }, { name: "agent1", cpu: "4", memory: "8Gi" }], controllers: "namespace,serviceaccount,serviceaccount-token" });
  sshd = await startSshd(secrets.ssh!.admin.publicKey);
});

after(async () => {
  sshd?.stop();
  await cluster?.stop();
});

function options(events: UpEvent[], serverFile: string, mergeInto: string): UpOptions {
  return {
    lab, secrets, outDir: join(dir, "out"), paths: upPaths(dir), ageIdentities: [], recipients: [], runner: processRunner,
    tools: { talosctl: "talosctl", ssh: debianTool("ssh"), sshKeyscan: "ssh-keyscan", git: debianTool("git") },
    mergeInto, machinesTimeoutMs: 20_000, fluxTimeoutMs: 1000, wait: false, pollMs: 200, until: "cluster",
    report: (e) => events.push(e),
    k3sSsh: { host: "127.0.0.1", port: sshd.port, user: sshd.user, sudo: false, path: serverFile, apiServer: cluster.server },
  };
}

test("k3s: up reads the kubeconfig over SSH with the lab's admin key, keeps and merges it, waits for every node Ready; again: nothing changes", async () => {
  const serverFile = join(tempDir(), "k3s.yaml"); // /etc/rancher/k3s/k3s.yaml on the server
  const mergeInto = join(tempDir(), "config");
  writeFileSync(mergeInto, "apiVersion: v1\nkind: Config\n# the user's own cluster\nclusters:\n- name: work\n  cluster: { server: 'https://work.example:6443' }\nusers:\n- name: work\n  user: { token: abc }\ncontexts:\n- name: work\n  context: { cluster: work, user: work }\ncurrent-context: work\n");
  // k3s is still installing: no kubeconfig yet; it appears a moment later
  const events: UpEvent[] = [];
  const o = options(events, serverFile, mergeInto);
  const r = await up({ ...o, report: (e) => { events.push(e); if (e.status === "wait" && !existsSync(serverFile)) copyFileSync(cluster.kubeconfig, serverFile); } });
  assert.ok(events.some((e) => e.status === "wait" && /waiting for k3s on srv1/.test(e.message)), `it waited for the server: ${JSON.stringify(events)}`);
  assert.deepEqual(r.nodes.map((n) => [n.name, n.ready]), [["agent1", true], ["srv1", true]]);
  const paths = upPaths(dir);
  assert.equal(statSync(paths.kubeconfig).mode & 0o777, 0o600);
  assert.equal(statSync(paths.adminKey).mode & 0o777, 0o600);
  assert.match(readFileSync(paths.knownHosts, "utf8"), /\[127\.0\.0\.1\]:\d+ ssh-ed25519 /, "host key recorded on first contact");
  // the real kubectl reads the merged file: the lab's context is current, the user's is still there
  const kubectl = (args: string[]) => spawnSync(tool("kubectl"), ["--kubeconfig", mergeInto, ...args], { encoding: "utf8" });
  assert.equal(kubectl(["config", "current-context"]).stdout.trim(), lab.name);
  assert.match(kubectl(["config", "get-contexts", "-o", "name"]).stdout, /^work$/m);
  const nodes = kubectl(["get", "nodes", "-o", "name"]);
  assert.equal(nodes.status, 0, nodes.stderr);
  assert.match(nodes.stdout, /node\/srv1/);
  assert.match(readFileSync(mergeInto, "utf8"), /# the user's own cluster/, "comments kept");

  const before2 = [readFileSync(paths.kubeconfig, "utf8"), readFileSync(mergeInto, "utf8")];
  const ev2: UpEvent[] = [];
  await up(options(ev2, serverFile, mergeInto));
  assert.deepEqual([readFileSync(paths.kubeconfig, "utf8"), readFileSync(mergeInto, "utf8")], before2);
  assert.ok(ev2.some((e) => e.status === "skip" && /kubeconfig unchanged/.test(e.message)), JSON.stringify(ev2));
  assert.ok(existsSync(paths.kubeconfig));
});

test("k3s: a server whose host key changed is refused, with what to do", async () => {
  const other = await startSshd(secrets.ssh!.admin.publicKey);
  try {
    const serverFile = join(tempDir(), "k3s.yaml");
    copyFileSync(cluster.kubeconfig, serverFile);
    const paths = upPaths(dir);
    // record the first sshd's key under the second one's address
    const known = readFileSync(paths.knownHosts, "utf8").replace(/\[127\.0\.0\.1\]:\d+/, `[127.0.0.1]:${other.port}`);
    writeFileSync(paths.knownHosts, known);
    const o = options([], serverFile, join(tempDir(), "config"));
    await assert.rejects(up({ ...o, k3sSsh: { ...o.k3sSsh!, port: other.port } }), (e: Error & { hint?: string }) => /host key is not the one recorded/.test(e.message) && /remove its line/.test(e.hint ?? ""));
  } finally {
    other.stop();
  }
});
