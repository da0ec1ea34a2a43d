// The real kube-apiserver (built from the pinned Kubernetes sources) with the upstream CRDs installed
// accepts every platform object of every test lab: namespaces are created, everything else is applied
// with a server-side dry run, so the API server's own validation runs: the CRDs' structural schemas and
// CEL rules (Gateway API, Envoy Gateway, Cilium, Flux), defaulting, and the core types' validation.
// The namespaces are the rendered ones, with their Pod Security labels, so the server's Pod Security
// admission checks every workload against its namespace's level: any warning fails the test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments, stringify } from "yaml";
import { renderPlatform } from "./index.js";
import { PLATFORM_LABS } from "../../testing/platform-labs.js";
import { appsLab, testSecrets } from "../../testing/apps-lab.js";
import { renderApps } from "../apps/index.js";
import { tool } from "../../testing/paths.js";
import { spawnSync } from "node:child_process";
import type { TestCluster } from "../../testing/cluster.js";
import { startClusterWithCrds } from "../../testing/crd-cluster.js";
import type { FileTree } from "../tree.js";

type Obj = Record<string, any>;

/**
 * The Kubernetes documents of a rendered tree, each with its rendered text: that text itself goes to
 * kubectl (its YAML 1.1 reader is the one to satisfy), not a re-serialisation of the parsed object.
 */
function renderedDocs(t: FileTree, skip: (path: string) => boolean = () => false): [Obj, string][] {
  const docs: [Obj, string][] = [];
  for (const [p, f] of t) {
    if (!p.endsWith(".yaml") || p.endsWith("kustomization.yaml") || skip(p)) continue;
    for (const text of f.content.split(/^---\n/m)) {
      const o = parseAllDocuments(text)[0]?.toJS() as Obj | null | undefined;
      if (o?.kind) docs.push([o, text]);
    }
  }
  return docs;
}

/** `kubectl apply --server-side --dry-run=server` of the texts: how many objects went through, and the server's warnings. */
function dryRun(c: TestCluster, texts: readonly string[]): { status: number | null; stderr: string; applied: number; warnings: string[] } {
  const r = spawnSync(tool("kubectl"), ["--kubeconfig", c.kubeconfig, "apply", "--server-side", "--dry-run=server", "--field-manager=drover-test", "-f", "-"], { input: texts.join("---\n"), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stderr: r.stderr, applied: r.stdout.split("\n").filter((l) => l.endsWith("(server dry run)")).length, warnings: r.stderr.split("\n").filter((l) => /^Warning:/.test(l)) };
}

test("the real kube-apiserver accepts every platform object of every lab (server-side dry run, upstream CRDs installed)", { timeout: 600_000 }, async () => {
  const c = await startClusterWithCrds();
  try {
    let checked = 0;
    for (const [name, make] of PLATFORM_LABS) {
      const lab = make();
      const docs = renderedDocs(renderPlatform(lab, testSecrets(lab)), (p) => p.startsWith("bootstrap/"));
      const namespaces = new Set<string>(["flux-system", ...docs.filter(([o]) => o.kind === "Namespace").map(([o]) => o.metadata.name as string), ...docs.map(([o]) => o.metadata.namespace as string | undefined).filter((n): n is string => !!n)]);
      for (const ns of [...namespaces].sort()) tryCreate(c, ns);
      // the rendered namespaces' labels (Pod Security levels) on top
      const rendered = docs.filter(([o]) => o.kind === "Namespace");
      if (rendered.length) c.kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=drover-test", "-f", "-"], rendered.map(([, text]) => text).join("---\n"));
      const rest = docs.filter(([o]) => o.kind !== "Namespace");
      const r = dryRun(c, rest.map(([, text]) => text));
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.deepEqual(r.warnings, [], `${name}: the API server warned`);
      assert.equal(r.applied, rest.length, `${name}: every object went through the API server`);
      checked += rest.length;
    }
    assert.ok(checked > 100, `only ${checked} objects checked`);
    // the Pod Security check is live: a root container in a restricted namespace is warned about
    const probe = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "probe", namespace: "identity" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "busybox:1.37", securityContext: { privileged: true } }] } } } };
    assert.match(dryRun(c, [stringify(probe)]).stderr, /Warning: would violate PodSecurity "restricted/);
  } finally {
    await c.stop();
  }
});

function tryCreate(c: { kubectl(args: readonly string[]): string }, ns: string): void {
  try {
    c.kubectl(["create", "namespace", ns]);
  } catch (e) {
    if (!/AlreadyExists/.test((e as Error).message)) throw e;
  }
}

test("the real kube-apiserver accepts every app's objects in its rendered namespace: Pod Security admission warns about nothing", { timeout: 600_000 }, async () => {
  const c = await startClusterWithCrds();
  try {
    const lab = appsLab();
    const docs = renderedDocs(renderApps(lab, testSecrets(lab)));
    // the apps' namespaces are the platform's `namespaces` Kustomization's
    const namespaces = renderedDocs(renderPlatform(lab, testSecrets(lab))).filter(([o]) => o.kind === "Namespace");
    assert.ok(namespaces.length > 3);
    c.kubectl(["apply", "--server-side", "--field-manager=drover-test", "-f", "-"], namespaces.map(([, text]) => text).join("---\n"));
    const rest = docs.filter(([o]) => o.kind !== "Namespace");
    const r = dryRun(c, rest.map(([, text]) => text));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.applied, rest.length);
    assert.deepEqual(r.warnings, [], "the API server warned");
    assert.ok(rest.filter(([o]) => ["Deployment", "StatefulSet", "CronJob"].includes(o.kind)).length > 20, "the workloads were checked");
  } finally {
    await c.stop();
  }
});
