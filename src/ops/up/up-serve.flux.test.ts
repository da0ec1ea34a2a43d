// drover up for a lab without a Git host (issue 14: "bootstrap from a local bare repository served to
// the cluster until then"): gitops.serve names an address of this machine; `up` pushes the render to
// .drover/remote.git, serves it there with the real `git http-backend` while it waits for Flux, and the
// real source-controller (scripts/tools/install.sh flux) fetches it from that address: the root
// Kustomization is Ready at the commit `up` made. When `up` returns the address is free again (keeping
// it served is `drover serve-git`, which `up` says). Fails saying NOT CHECKED without the controllers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, startCluster } from "../../testing/cluster.js";
import { fluxControllersBuilt, fluxControllersDir, FLUX_BUILD_COMMAND, installFluxCrds, startFluxControllers } from "../../testing/flux.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { tempDir } from "../../testing/age-key.js";
import { upTalosLabYaml } from "../../testing/up-labs.js";
import { upTestOptions } from "../../testing/up-options.js";
import { loadRenderableLab } from "../../render/load.js";
import { up, type UpOptions } from "./index.js";
import type { UpEvent } from "./progress.js";

test("drover up serves the lab's repository at gitops.serve while it runs, and real Flux reconciles from it", { timeout: 10 * 60_000 }, async () => {
  if (!fluxControllersBuilt()) {
    console.error(`\n!!! NOT CHECKED: drover up serving its repository to real Flux — the controllers are not built (${fluxControllersDir()}); build them with ${FLUX_BUILD_COMMAND}\n`);
    assert.fail(`NOT CHECKED: Flux controllers not built (${FLUX_BUILD_COMMAND})`);
  }
  const key = isolatedAgeKey();
  Object.assign(process.env, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
  const dir = tempDir("drover-up-serve-");
  const port = await freePort();
  writeFileSync(join(dir, "lab.yaml"), upTalosLabYaml() + `gitops: { serve: "127.0.0.1:${port}" }\n`);
  assert.equal((await runCli(["render", join(dir, "lab.yaml")])).code, 0);
  const cluster = await startCluster({ nodes: ["cp1", "cp2", "cp3", "w1"].map((name) => ({ name, cpu: "8", memory: "32Gi" })) });
  let flux: Awaited<ReturnType<typeof startFluxControllers>> | undefined;
  try {
    const options = (events: UpEvent[], o: Partial<UpOptions> = {}): Promise<UpOptions> =>
      upTestOptions({ dir, keyFile: key.file, kubeconfig: cluster.kubeconfig, fluxTimeoutMs: 180_000 }, events, o);
    // the rendered GitRepository names the served URL
    const gitRepo = (await import("node:fs")).readFileSync(join(dir, "out", "kubernetes", "flux-system", "gotk-sync.yaml"), "utf8");
    assert.match(gitRepo, new RegExp(`url: http://127\\.0\\.0\\.1:${port}/[a-z0-9-]+\\.git`));
    // the push goes to the local bare repository; nothing is served before the flux phase
    const ev0: UpEvent[] = [];
    const r0 = await up(await options(ev0, { until: "gitops" }));
    assert.equal(r0.git?.pushed, true);
    assert.equal(r0.served, undefined);
    // the controllers run as processes here (in a cluster they are the install's Deployments): they need
    // the CRDs first, which up's flux phase would apply itself
    installFluxCrds(cluster);
    flux = await startFluxControllers(cluster, { controllers: ["source-controller", "kustomize-controller"] });
    const ev: UpEvent[] = [];
    const r = await up(await options(ev));
    const root = r.flux!.objects.find((o) => o.kind === "Kustomization" && o.name === "flux-system");
    assert.equal(root?.ready, true, `root Kustomization: ${JSON.stringify(root)}\n${flux.log("source-controller", 3000)}`);
    assert.ok(root!.message.includes(r.git!.commit!), `applied the commit up pushed (${r.git!.commit}): ${root!.message}`);
    assert.equal(r.served?.url, `http://127.0.0.1:${port}/${loadRenderableLab(join(dir, "lab.yaml")).lab.name}.git`);
    assert.ok(r.served!.fetches >= 1, "source-controller fetched from up's server");
    assert.ok(ev.some((e) => e.phase === "gitops" && /serving .* while drover up runs/.test(e.message)), JSON.stringify(ev));
    assert.ok(r.notes.some((n) => n.includes("drover serve-git")), r.notes.join("\n"));
    // up has stopped serving: the port is free
    await new Promise<void>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => s.close(() => resolve()));
    });
  } finally {
    await flux?.stop();
    await cluster.stop();
  }
});
