// Tier 3 (issue 15) for every bundled example: real Flux (source-, kustomize- and helm-controller at
// the pinned release) reconciles each example's rendered `kubernetes/` tree, unchanged but for its Git
// URL, from a local Git server against a fresh test control plane whose kwok nodes stand for the lab's
// nodes (names, CPU, memory, architecture, labels, taints). The platform charts cached by
// `scripts/tools/install.sh platform` (Cilium, cert-manager, MetalLB, external-dns, Envoy Gateway, the
// NVIDIA device plugin) are served under the very URLs the tree names (src/testing/chart-hosts.ts: the
// egress proxy answers for those hosts over HTTPS with a test CA the controllers trust), so their
// HelmReleases install for real; every other chart host is refused.
//
// What must happen is worked out from the tree and the served charts (src/testing/flux-outcome.ts)
// and asserted exactly, Kustomization by Kustomization and HelmRelease by HelmRelease: Ready=True at
// the pushed revision for everything that can run here; for the rest, the reason it cannot — its chart
// is not served ("chart"), the CRD of a kind it applies is registered at run time by an operator that
// does not run here ("crd"), an installed chart's admission webhook intercepts it and has no real pod
// behind it ("webhook"), a claim of a StorageClass without a provisioner ("volume"), or it waits for
// one of those ("dependency"). Nothing passes silently: the report lists every object and why.
//
// One control plane and one set of controllers per example (cluster-scoped objects such as CRDs and
// ClusterIssuers differ between examples, so they cannot share a cluster).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe as describeState, waitForFlux, type FluxObjectState } from "../../testing/flux.js";
import { describeBlocked, outcomeReached, type FluxOutcome } from "../../testing/flux-outcome.js";
import { exampleGitOpsLabYaml, labTestNodes, startGitOpsLab } from "../../testing/gitops-lab.js";
import { EXAMPLES } from "../../testing/paths.js";
import { loadLab } from "../../lab/file.js";

const EXAMPLE_NAMES = ["starter", "talos-mixed", "pi-cluster", "proxmox-k3s", "multi-site"];

/** Asserts every Kustomization is in its expected state; returns one report line per Kustomization. */
function assertKustomizations(objs: FluxObjectState[], want: FluxOutcome, revision: string): string[] {
  const ks = objs.filter((o) => o.kind === "Kustomization" && o.namespace === "flux-system");
  const report = ks.map(describeState).join("\n");
  assert.deepEqual(ks.map((k) => k.name).sort(), [...want.ready, ...want.blocked.keys()].sort(), `the Kustomizations in the cluster are the tree's:\n${report}`);
  const lines: string[] = [];
  for (const name of want.ready) {
    const k = ks.find((x) => x.name === name)!;
    assert.equal(k.ready, "True", `${name} Ready:\n${report}`);
    assert.equal(k.revision, revision, `${name} applied the pushed revision`);
    lines.push(`${name}: Ready`);
  }
  for (const [name, b] of want.blocked) {
    const k = ks.find((x) => x.name === name)!;
    const why = `${name} cannot be Ready here (${describeBlocked(b)}): ${describeState(k)}`;
    assert.notEqual(k.ready, "True", why);
    switch (b.why) {
      case "dependency":
        assert.equal(k.reason, "DependencyNotReady", why);
        assert.ok(b.on.some((d) => k.message.includes(d)), why);
        break;
      case "chart":
        assert.ok(["Progressing", "HealthCheckFailed"].includes(k.reason), why);
        for (const s of b.sources) {
          const src = objs.find((o) => o.kind === s.kind && o.namespace === s.namespace && o.name === s.name);
          assert.equal(src?.ready, "False", `${s.kind} ${s.name}: ${src ? describeState(src) : "missing"}`);
          assert.match(src!.message, /Forbidden|403/, `${s.kind} ${s.name} is refused by the egress proxy`);
        }
        break;
      case "crd":
        assert.equal(k.reason, "ReconciliationFailed", why);
        assert.match(k.message, /no matches for kind/, why);
        break;
      case "webhook":
        assert.equal(k.reason, "ReconciliationFailed", why);
        assert.match(k.message, /failed calling webhook/, why);
        break;
      case "volume":
        assert.ok(["Progressing", "HealthCheckFailed"].includes(k.reason), why);
        break;
    }
    lines.push(`${name}: not Ready — ${describeBlocked(b)}`);
  }
  return lines;
}

/** Every HelmRelease whose Kustomization applied it and whose chart is served is Ready; every other one is not, saying why. */
function assertHelmReleases(objs: FluxObjectState[], want: FluxOutcome): string[] {
  const hrs = objs.filter((o) => o.kind === "HelmRelease");
  const lines: string[] = [];
  for (const hr of hrs) {
    const r = want.releases.get(`${hr.namespace}/${hr.name}`);
    assert.ok(r, `HelmRelease ${hr.namespace}/${hr.name} is the tree's`);
    if (r.installs) {
      assert.equal(hr.ready, "True", `HelmRelease ${hr.namespace}/${hr.name} of a served chart installs: ${describeState(hr)}`);
      lines.push(`HelmRelease ${hr.namespace}/${hr.name}: Ready (${hr.message.slice(0, 100)})`);
    } else {
      assert.notEqual(hr.ready, "True", describeState(hr));
      assert.ok(hr.reason && hr.message, `HelmRelease ${hr.namespace}/${hr.name} says why it is not Ready`);
      lines.push(`HelmRelease ${hr.namespace}/${hr.name}: not Ready — ${hr.reason}: ${hr.message.replace(/\s+/g, " ").slice(0, 140)}`);
    }
  }
  return lines;
}

for (const name of EXAMPLE_NAMES) {
  test(`real Flux reconciles examples/${name}: everything that can run here is Ready, with served charts installed; the rest is not, for its predicted reason`, { timeout: 15 * 60_000 }, async () => {
    const file = join(EXAMPLES, name, "lab.yaml");
    assert.ok(existsSync(file), `${file} exists`);
    const lab = loadLab(file).lab;
    const functions = join(EXAMPLES, name, "functions");
    const t0 = Date.now();
    const g = await startGitOpsLab((url, key) => exampleGitOpsLabYaml(name, url, key.recipient), {
      nodes: labTestNodes(lab), charts: true, ...(existsSync(functions) ? { files: functions } : {}),
    });
    try {
      const want = g.outcome;
      const started = Date.now();
      const installs = (hr: FluxObjectState) => want.releases.get(`${hr.namespace}/${hr.name}`)?.installs === true;
      // the outcome, and every applied release of a served chart finished installing
      const objs = await waitForFlux(g.cluster, `examples/${name}: Ready ${want.ready.join(", ")}; not Ready ${[...want.blocked].map(([n, b]) => `${n} (${describeBlocked(b)})`).join("; ")}; served charts' HelmReleases Ready`,
        (o) => outcomeReached(o, want, g.revision) && o.filter((x) => x.kind === "HelmRelease" && installs(x)).every((hr) => hr.ready === "True"), 10 * 60_000);
      const ks = assertKustomizations(objs, want, g.revision);
      const hrs = assertHelmReleases(objs, want);
      // the hosts refused are chart hosts the tree names and this machine does not serve, and include
      // every one a chart-blocked Kustomization waits for
      const hostOf = (url: string) => new URL(url.replace(/^oci:/, "https:")).hostname;
      const unserved = new Set([...want.releases.values()].flatMap((r) => (r.source && !r.installs ? [hostOf(r.source.url)] : [])));
      const refused = new Set(g.flux.egress.hostsRefused().map((h) => h.replace(/:\d+$/, "")));
      for (const h of refused) assert.ok(unserved.has(h), `refused ${h}, which is no unserved chart host of the tree (${[...unserved].join(", ")})`);
      for (const b of want.blocked.values()) if (b.why === "chart") for (const s of b.sources) assert.ok(refused.has(hostOf(s.url)), `${s.url} was asked for and refused`);
      console.error(`flux examples/${name}: outcome in ${((Date.now() - started) / 1000).toFixed(0)} s from the controllers' start (${((started - t0) / 1000).toFixed(0)} s to render, push, start); ${want.ready.length}/${want.ready.length + want.blocked.size} Kustomizations Ready`);
      for (const l of [...ks, ...hrs]) console.error(`flux examples/${name}:   ${l}`);
      console.error(`flux examples/${name}:   chart hosts refused: ${g.flux.egress.hostsRefused().join(", ") || "none"}; served: ${[...new Set(g.charts!.requests.map((r) => r.split(" ")[1]!.split("/")[0]))].join(", ")}`);
    } catch (e) {
      for (const n of ["source-controller", "kustomize-controller", "helm-controller"] as const) console.error(`--- ${n} log (tail)\n${g.flux.log(n, 3000)}`);
      throw e;
    } finally {
      await g.stop();
    }
  });
}
