// drover up, Flux phase, on the real test control plane (no Flux controllers needed here; the real
// reconcile is up.flux.test.ts): the vendored Flux is installed from the render, CRDs first; the
// sops-age Secret holds the age identity and the deploy key Secret (ssh remote) the lab's deploy key
// with the remote's host key (from the real ssh-keyscan against a loopback sshd); a second install
// changes nothing; the wait says which Kustomizations are not Ready and why, and counts the ones the
// render has but the cluster does not yet.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, type TestCluster } from "../../testing/cluster.js";
import { startSshd, type TestSshd } from "../../testing/sshd.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { tempDir, type TestKey } from "../../testing/age-key.js";
import { upTalosLabYaml } from "../../testing/up-labs.js";
import { loadRenderableLab } from "../../render/load.js";
import { findLocalKey } from "../../secrets/keys.js";
import { loadSecrets } from "../../secrets/store.js";
import { Client } from "../../cluster/client.js";
import { processRunner } from "./runner.js";
import { upFlux, renderedKustomizations, type FluxOptions } from "./flux.js";
import type { UpEvent } from "./progress.js";

let cluster: TestCluster;
let sshd: TestSshd;
let key: TestKey;
let opts: (events: UpEvent[]) => FluxOptions;
let client: Client;
let labFile: string;

before(async () => {
  key = isolatedAgeKey();
  const dir = tempDir("drover-up-flux-");
  sshd = await startSshd("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP6JmK5pL6JmK5pL6JmK5pL6JmK5pL6JmK5pL6JmK5pL nobody");
  // an ssh remote: Flux gets the deploy key and the remote's host key
  labFile = join(dir, "lab.yaml");
  writeFileSync(join(dir, "lab.yaml"), upTalosLabYaml() + `gitops: { url: "ssh://git@127.0.0.1:${sshd.port}/lab.git" }\n`);
  const r = await runCli(["render", join(dir, "lab.yaml")]);
  assert.equal(r.code, 0, r.err);
  const loaded = loadRenderableLab(join(dir, "lab.yaml"));
  const secrets = (await loadSecrets(loaded.lab, loaded.dir, findLocalKey({ keyFile: key.file }))).secrets;
  cluster = await startCluster({ controllers: "namespace,serviceaccount,serviceaccount-token" });
  client = Client.fromKubeconfig({ kubeconfig: cluster.kubeconfig });
  opts = (events) => ({
    lab: loaded.lab, secrets, outDir: join(dir, "out"), client, ageIdentities: [key.identity], runner: processRunner, sshKeyscan: "ssh-keyscan",
    wait: true, timeoutMs: 1500, pollMs: 300, report: (e) => events.push(e),
  });
});

after(async () => {
  client?.close();
  sshd?.stop();
  await cluster?.stop();
});

test("Flux phase: installs the vendored Flux from the render with its Secrets; a second run changes nothing; the wait says what is not Ready and why", async () => {
  const ev: UpEvent[] = [];
  const r = await upFlux(opts(ev));
  assert.equal(r.installed, true);
  assert.ok(r.changed > 20, `created ${r.changed}`);
  // the CRDs, the controllers and the sync objects are there, applied by drover
  assert.match(cluster.kubectl(["get", "crd", "kustomizations.kustomize.toolkit.fluxcd.io", "-o", "name"]), /kustomizations/);
  assert.match(cluster.kubectl(["-n", "flux-system", "get", "deployments", "-o", "name"]), /kustomize-controller/);
  const age = Buffer.from(cluster.kubectl(["-n", "flux-system", "get", "secret", "sops-age", "-o", "jsonpath={.data.age\\.agekey}"]), "base64").toString();
  assert.equal(age.trim(), key.identity);
  const known = Buffer.from(cluster.kubectl(["-n", "flux-system", "get", "secret", "flux-system", "-o", "jsonpath={.data.known_hosts}"]), "base64").toString();
  assert.match(known, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `, "m"), "the remote's host key, from ssh-keyscan");
  const identity = Buffer.from(cluster.kubectl(["-n", "flux-system", "get", "secret", "flux-system", "-o", "jsonpath={.data.identity}"]), "base64").toString();
  assert.match(identity, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
  assert.match(r.deployKey ?? "", /^ssh-ed25519 \S+ drover-deploy@uplab$/);
  assert.match(cluster.kubectl(["-n", "flux-system", "get", "gitrepository", "flux-system", "-o", "jsonpath={.spec.url}"]), new RegExp(`ssh://git@127.0.0.1:${sshd.port}/lab.git`));
  // no controllers here: nothing reconciles; the wait ends with every Kustomization and why
  assert.equal(r.ready, false);
  const root = r.objects.find((o) => o.name === "flux-system" && o.kind === "Kustomization");
  assert.deepEqual([root?.ready, root?.reason], [false, "NotReconciled"]);
  assert.ok(renderedKustomizations(opts([]).outDir) > 1);
  // Flux's Kustomizations only, not kustomize's kustomization.yaml files (the wait could never end Ready)
  const tree = join(opts([]).outDir, "kubernetes");
  const fluxKustomizations = readdirSync(tree, { recursive: true, encoding: "utf8" }).filter((f) => /\.ya?ml$/.test(f))
    .reduce((n, f) => n + (readFileSync(join(tree, f), "utf8").match(/^apiVersion: kustomize\.toolkit\.fluxcd\.io\/v1\nkind: Kustomization$/gm) ?? []).length, 0);
  assert.equal(renderedKustomizations(opts([]).outDir), fluxKustomizations);
  assert.ok(ev.some((e) => e.status === "wait" && /0\/\d+ Ready — Kustomization flux-system\/flux-system: not reconciled yet/.test(e.message)), JSON.stringify(ev.filter((e) => e.status === "wait")));

  // again: every object as it was (no new resourceVersion), nothing counted as changed. (GitRepository and
  // Kustomization are left out of the resourceVersion check: with no controller to write their status, the
  // API server writes their defaulted status.observedGeneration again on each apply; their generation stays.)
  const gens = () => cluster.kubectl(["get", "gitrepositories,kustomizations", "-A", "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.generation}{\"\\n\"}{end}"]);
  const gensBefore = gens();
  const rv = () => cluster.kubectl(["get", "crd,deployments,secrets,serviceaccounts,services,clusterroles,clusterrolebindings,namespaces", "-A", "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion}{\"\\n\"}{end}"]);
  const snapshot = rv();
  const r2 = await upFlux({ ...opts([]), wait: false });
  assert.equal(r2.changed, 0);
  assert.equal(rv(), snapshot);
  assert.equal(gens(), gensBefore);
});

test("once Flux runs the lab (root Kustomization Ready): up leaves the install to Flux, drover apply refuses to fight it", async () => {
  // play kustomize-controller: mark the root Kustomization reconciled and Ready
  const gen = Number(cluster.kubectl(["-n", "flux-system", "get", "kustomization", "flux-system", "-o", "jsonpath={.metadata.generation}"]));
  cluster.kubectl(["-n", "flux-system", "patch", "kustomization", "flux-system", "--subresource=status", "--type=merge", "-p",
    JSON.stringify({ status: { observedGeneration: gen, conditions: [{ type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: "Applied revision: main@sha1:abc", lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: gen }] } })]);
  const ev: UpEvent[] = [];
  const r = await upFlux({ ...opts(ev), wait: false });
  assert.equal(r.installed, false);
  assert.ok(ev.some((e) => e.status === "skip" && /Flux runs the lab/.test(e.message)));
  const refused = await runCli(["apply", labFile, "--kubeconfig", cluster.kubeconfig]);
  assert.equal(refused.code, 1, refused.err);
  assert.match(refused.err, /Flux reconciles the cluster/);
  assert.match(refused.err, /--over-flux/);
  // a dry run (drover diff's question) is still answered
  const dry = await runCli(["apply", labFile, "--kubeconfig", cluster.kubeconfig, "--dry-run", "--json"]);
  assert.doesNotMatch(dry.err, /Flux reconciles/);
});

test("the wait stops at once when the root Kustomization cannot build the commit up pushed, says which and how to look further; a failure of another commit keeps it waiting", async () => {
  const commit = "3f1c0d9a6e2b4c5d7e8f90a1b2c3d4e5f6a7b8c9";
  // play kustomize-controller: the build of the pushed commit failed (as it writes it: Ready=False
  // BuildFailed, Reconciling=True ProgressingWithRetry, status.observedGeneration still -1)
  const failBuild = (revision: string) => {
    const gen = Number(cluster.kubectl(["-n", "flux-system", "get", "kustomization", "flux-system", "-o", "jsonpath={.metadata.generation}"]));
    cluster.kubectl(["-n", "flux-system", "patch", "kustomization", "flux-system", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: {
      observedGeneration: -1, lastAttemptedRevision: `main@sha1:${revision}`,
      conditions: [
        { type: "Reconciling", status: "True", reason: "ProgressingWithRetry", message: `Building manifests for revision main@sha1:${revision} with a timeout of 5m0s`, lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: gen },
        { type: "Ready", status: "False", reason: "BuildFailed", message: "kustomize build failed: accumulating resources: missing.yaml: no such file or directory", lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: gen },
      ],
    } })]);
  };
  failBuild(commit);
  const ev: UpEvent[] = [];
  // a timeout far beyond the test's: only the stall can end this wait in time
  const r = await upFlux({ ...opts(ev), timeoutMs: 20 * 60_000, revision: commit });
  assert.deepEqual([r.ready, r.stalled], [false, true]);
  const root = r.objects.find((o) => o.kind === "Kustomization" && o.name === "flux-system");
  assert.deepEqual([root?.stalled, root?.reason], [true, "BuildFailed"]);
  const warn = ev.find((e) => e.status === "warn");
  assert.match(warn?.message ?? "", /^Kustomization flux-system\/flux-system cannot become Ready without a change \(BuildFailed: kustomize build failed: .*missing\.yaml.*\); stopped waiting\. Look further: flux events -n flux-system --for Kustomization\/flux-system; .*kubectl -n flux-system describe kustomization flux-system/);
  // the failure is of an older commit (Flux has not fetched the push yet): the wait goes on to its timeout
  failBuild("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567");
  const r2 = await upFlux({ ...opts([]), revision: commit });
  assert.deepEqual([r2.ready, r2.stalled], [false, false]);
  assert.equal(r2.objects.find((o) => o.name === "flux-system" && o.kind === "Kustomization")?.reason, "BuildFailed");
});
