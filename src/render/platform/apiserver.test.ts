// The real kube-apiserver (built from the pinned Kubernetes sources) with the upstream CRDs installed
// accepts every platform object of every test lab: namespaces are created, everything else is applied
// with a server-side dry run, so the API server's own validation runs: the CRDs' structural schemas and
// CEL rules (Gateway API, Envoy Gateway, Cilium, Flux), defaulting, and the core types' validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { renderPlatform } from "./index.js";
import { PLATFORM_LABS } from "../../testing/platform-labs.js";
import { testSecrets } from "../../testing/apps-lab.js";
import { platformData } from "../../testing/paths.js";
import { startCluster } from "../../testing/cluster.js";

type Obj = Record<string, any>;

test("the real kube-apiserver accepts every platform object of every lab (server-side dry run, upstream CRDs installed)", { timeout: 600_000 }, async () => {
  const c = await startCluster({ controllers: "namespace,serviceaccount,serviceaccount-token" });
  try {
    const root = platformData("crds");
    for (const d of readdirSync(root).filter((x) => !x.startsWith(".")).sort()) {
      for (const f of readdirSync(join(root, d)).filter((x) => x.endsWith(".yaml")).sort()) {
        c.kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(root, d, f)]);
      }
    }
    c.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"]);
    let checked = 0;
    for (const [name, make] of PLATFORM_LABS) {
      const lab = make();
      const t = renderPlatform(lab, testSecrets(lab));
      const docs: Obj[] = [];
      for (const [p, f] of t) {
        if (!p.endsWith(".yaml") || p.endsWith("kustomization.yaml") || p.startsWith("bootstrap/")) continue;
        for (const d of parseAllDocuments(f.content)) {
          const o = d.toJS() as Obj | null;
          if (o?.kind) docs.push(o);
        }
      }
      const namespaces = new Set<string>(["flux-system", ...docs.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name as string), ...docs.map((o) => o.metadata.namespace as string | undefined).filter((n): n is string => !!n)]);
      for (const ns of [...namespaces].sort()) tryCreate(c, ns);
      const rest = docs.filter((o) => o.kind !== "Namespace");
      let out = "";
      try {
        out = c.kubectl(["apply", "--server-side", "--dry-run=server", "--field-manager=drover-test", "-f", "-"], rest.map((o) => stringify(o)).join("---\n"));
      } catch (e) {
        assert.fail(`${name}: ${(e as Error).message}`);
      }
      assert.equal(out.split("\n").filter((l) => l.endsWith("(server dry run)")).length, rest.length, `${name}: every object went through the API server`);
      checked += rest.length;
    }
    assert.ok(checked > 100, `only ${checked} objects checked`);
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
