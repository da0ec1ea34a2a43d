// Tier 3 (issue 15) / the GitOps half of issue 14, proven: real Flux (source-, kustomize- and
// helm-controller at the pinned release, built by `scripts/tools/install.sh flux`) reconciles the
// `kubernetes/` tree `drover render` writes, from a local smart-HTTP Git server, against the real test
// control plane (kwok nodes), decrypting its SOPS Secrets with the lab's age key.
//
// The lab: examples/starter with its gitops.url pointing at the local server, and without its NFS
// storage class and the apps and backups that need it — every storage driver is a Helm chart from the
// internet, and with storage gone, the identity component (Authelia, its configuration a SOPS Secret)
// no longer waits for one. What can and cannot become Ready is worked out from the rendered tree
// (src/testing/flux-outcome.ts) and asserted exactly: the root, `namespaces` and `identity` reach
// Ready=True at the pushed revision, their SOPS Secrets in the cluster hold exactly what the real sops
// decrypts; every Kustomization that waits for a chart from the internet is not Ready, its chart source
// failing on the test's egress proxy (nothing leaves loopback), and everything after those waits with
// DependencyNotReady. Then lab.yaml changes (a new identity user), is rendered, committed and pushed,
// and the change converges: the root and namespaces Ready at the new revision, the user in the Secret
// kustomize-controller decrypted and applied.
//
// Runs only when the controllers are built (scripts/test.mjs prints NOT CHECKED otherwise).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { TestCluster } from "../../testing/cluster.js";
import { sops } from "../../testing/age-key.js";
import { describe as describeState, waitForFlux, type FluxObjectState } from "../../testing/flux.js";
import { describeBlocked, outcomeReached, type FluxOutcome } from "../../testing/flux-outcome.js";
import { EGRESS_REFUSAL } from "../../testing/egress.js";
import { startGitOpsLab, starterGitOpsLabYaml } from "../../testing/gitops-lab.js";

type Obj = Record<string, any>;

const kustomizations = (objs: FluxObjectState[]) => objs.filter((o) => o.kind === "Kustomization" && o.namespace === "flux-system");

/** Asserts the observed state is the expected outcome; returns the hosts of the chart sources that failed. */
function assertOutcome(objs: FluxObjectState[], want: FluxOutcome, revision: string): Set<string> {
  const ks = kustomizations(objs);
  const report = ks.map(describeState).join("\n");
  assert.deepEqual(ks.map((k) => k.name).sort(), [...want.ready, ...want.blocked.keys()].sort(), `the Kustomizations in the cluster are the tree's:\n${report}`);
  for (const name of want.ready) {
    const k = ks.find((x) => x.name === name)!;
    assert.equal(k.ready, "True", `${name} Ready:\n${report}`);
    assert.equal(k.revision, revision, `${name} applied the pushed revision`);
  }
  const hosts = new Set<string>();
  for (const [name, b] of want.blocked) {
    const k = ks.find((x) => x.name === name)!;
    assert.notEqual(k.ready, "True", `${name} cannot be Ready here (${describeBlocked(b)}):\n${report}`);
    if (b.why === "dependency") {
      assert.equal(k.reason, "DependencyNotReady", `${name}: ${describeState(k)}`);
      assert.ok(b.on.some((d) => k.message.includes(d)), `${name} names a dependency it waits for (${b.on.join(", ")}): ${k.message}`);
    } else if (b.why === "chart") {
      // it applied its objects (the HelmReleases are there) and waits for them
      assert.ok(["Progressing", "HealthCheckFailed"].includes(k.reason), `${name}: ${describeState(k)}`);
      for (const s of b.sources) {
        const src = objs.find((o) => o.kind === s.kind && o.namespace === s.namespace && o.name === s.name)!;
        assert.equal(src.ready, "False", describeState(src));
        assert.match(src.message, /Forbidden|403/, `${s.kind} ${s.name} fails on the egress proxy: ${describeState(src)}`);
        hosts.add(new URL(s.url.replace(/^oci:/, "https:")).hostname);
      }
    } else assert.fail(`${name}: ${describeBlocked(b)} (no such case in this lab)`);
  }
  return hosts;
}

/** What the controllers asked for outside loopback: exactly the chart hosts of the blocked sources. */
function assertEgress(asked: string[], hosts: Set<string>): void {
  assert.deepEqual([...new Set(asked.map((h) => h.replace(/:\d+$/, "")))].sort(), [...hosts].sort(), `hosts asked for through the egress proxy (${EGRESS_REFUSAL})`);
}

/** Every Secret of a *.sops.yaml file the ready Kustomizations apply holds exactly what the real sops decrypts. */
function assertSopsSecrets(c: TestCluster, outDir: string, want: FluxOutcome, keyFile: string): number {
  let n = 0;
  for (const name of want.ready) {
    const k = want.ownership.kustomizations.get(`flux-system/${name}`)!;
    for (const { obj, file } of k.objects) {
      if (!file.endsWith(".sops.yaml") || obj.kind !== "Secret") continue;
      const r = sops(["--decrypt", join(outDir, file)], keyFile);
      assert.equal(r.status, 0, `sops -d ${file}: ${r.stderr}`);
      const plain = parseAllDocuments(r.stdout)[0]!.toJS() as Obj;
      const live = JSON.parse(c.kubectl(["get", "secret", "-n", obj.metadata.namespace, obj.metadata.name, "-o", "json"])) as Obj;
      const data = Object.fromEntries(Object.entries(live.data as Record<string, string>).map(([key, v]) => [key, Buffer.from(v, "base64").toString("utf8")]));
      assert.deepEqual(data, { ...plain.stringData, ...Object.fromEntries(Object.entries((plain.data ?? {}) as Record<string, string>).map(([key, v]) => [key, Buffer.from(v, "base64").toString("utf8")])) }, `${file}: the live Secret is the decrypted file`);
      n++;
    }
  }
  return n;
}

test("real Flux reconciles the rendered tree from a local Git server: what can run here is Ready with its SOPS Secrets decrypted, the rest is not for the expected reasons, and a pushed change converges", { timeout: 15 * 60_000 }, async () => {
  const t0 = Date.now();
  const lab = await startGitOpsLab((url) => starterGitOpsLabYaml(url));
  const c = lab.cluster;
  try {
    const want = lab.outcome;
    const rev1 = lab.revision;
    const objs = await waitForFlux(c, `the outcome at ${rev1}: Ready ${want.ready.join(", ")}; not Ready ${[...want.blocked].map(([n, b]) => `${n} (${describeBlocked(b)})`).join("; ")}`,
      (o) => outcomeReached(o, want, rev1), 5 * 60_000);
    const firstReady = Date.now() - t0;
    const hosts = assertOutcome(objs, want, rev1);
    assertEgress(lab.flux.egress.hostsAsked(), hosts);
    for (const k of ["flux-system", "namespaces", "identity"]) assert.ok(want.ready.includes(k), `${k} is expected Ready (${want.ready.join(", ")})`);
    const decrypted = assertSopsSecrets(c, lab.out, want, lab.key.file);
    assert.ok(decrypted >= 1, "at least one SOPS Secret decrypted by kustomize-controller");
    console.error(`flux: start to outcome ${(firstReady / 1000).toFixed(0)} s; Ready: ${want.ready.join(", ")}; SOPS Secrets decrypted: ${decrypted}`);
    for (const [n, b] of want.blocked) console.error(`flux:   not Ready here: ${n}: ${describeBlocked(b)}`);

    // the change: a new user in lab.yaml; rendered, committed, pushed
    const pushed = Date.now();
    const rev2 = lab.push(starterGitOpsLabYaml(lab.repo.url, true), "drover render: a user");
    assert.notEqual(rev2, rev1);
    const want2 = lab.outcome;
    assert.deepEqual(want2.ready, want.ready);
    const userIn = () => Buffer.from(c.kubectl(["get", "secret", "-n", "identity", "authelia", "-o", "jsonpath={.data.users_database\\.yml}"]), "base64").toString("utf8").includes("you@example.com");
    // converged: the root and namespaces Ready at the new revision, and identity's new SOPS Secret applied
    // (identity's own Ready at the new revision is not asserted: its health check of the Authelia
    // Deployment depends on kwok's node heartbeats, which lag on a loaded machine)
    const objs2 = await waitForFlux(c, `the change at ${rev2}`, (o) => ["flux-system", "namespaces"].every((n) => o.some((k) => k.kind === "Kustomization" && k.name === n && k.ready === "True" && k.revision === rev2)) && userIn(), 5 * 60_000);
    const converged = Date.now() - pushed;
    assertEgress(lab.flux.egress.hostsAsked(), hosts);
    assertSopsSecrets(c, lab.out, { ...want2, ready: want2.ready.filter((n) => n !== "flux-system" && n !== "namespaces") }, lab.key.file);
    const identity = objs2.find((k) => k.kind === "Kustomization" && k.name === "identity")!;
    console.error(`flux: identity after the change: ${describeState(identity)}`);
    console.error(`flux: push to converged ${(converged / 1000).toFixed(0)} s; whole test ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (e) {
    for (const n of ["source-controller", "kustomize-controller", "helm-controller"] as const) console.error(`--- ${n} log (tail)\n${lab.flux.log(n, 3000)}`);
    throw e;
  } finally {
    await lab.stop();
  }
});
