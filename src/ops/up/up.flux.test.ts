// drover up end to end with real Flux (issue 14, "Prove it"): the real test control plane (kwok nodes
// named as the lab's), a local Git server (real git http-backend), and Flux's source-, kustomize- and
// helm-controller at the pinned release (scripts/tools/install.sh flux). `up` is run as the user runs
// it, interrupted after each phase (--until) and inside the Flux install, and run again: it finishes,
// Flux pulls the pushed tree from the Git server and the root Kustomization (with SOPS decryption set
// to the sops-age Secret `up` made) is Ready; a further run commits, pushes and installs nothing.
// Kustomizations whose charts would come from the internet cannot become Ready here (every request
// leaves through a refusing proxy): `up` lists them with their reason, which is checked too.
// Runs only when the controllers are built; otherwise it fails saying NOT CHECKED.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, type TestCluster } from "../../testing/cluster.js";
import { startGitServer, type GitServer, type GitRepo } from "../../testing/git-server.js";
import { fluxControllersBuilt, fluxControllersDir, FLUX_BUILD_COMMAND, startFluxControllers, type FluxControllers } from "../../testing/flux.js";
import { isolatedAgeKey, runCli } from "../../testing/cli-harness.js";
import { tempDir, type TestKey } from "../../testing/age-key.js";
import { upTalosLabYaml } from "../../testing/up-labs.js";
import { upTestOptions } from "../../testing/up-options.js";
import { up, type UpOptions, type UpResult } from "./index.js";
import type { UpEvent } from "./progress.js";

let cluster: TestCluster;
let gitServer: GitServer;
let repo: GitRepo;
let flux: FluxControllers | undefined;
let key: TestKey;
let dir: string;

before(async () => {
  if (!fluxControllersBuilt()) return;
  key = isolatedAgeKey();
  Object.assign(process.env, { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
  gitServer = await startGitServer();
  repo = gitServer.createRepo("uplab");
  dir = tempDir("drover-up-e2e-");
  writeFileSync(join(dir, "lab.yaml"), upTalosLabYaml() + `gitops: { url: "${repo.url}" }\n`);
  cluster = await startCluster({ nodes: ["cp1", "cp2", "cp3", "w1"].map((name) => ({ name, cpu: "8", memory: "32Gi" })) });
});

after(async () => {
  await flux?.stop();
  await gitServer?.stop();
  await cluster?.stop();
});

const options = (events: UpEvent[], o: Partial<UpOptions> = {}): Promise<UpOptions> =>
  upTestOptions({ dir, keyFile: key.file, kubeconfig: cluster.kubeconfig, fluxTimeoutMs: 150_000 }, events, o);

const resourceVersions = () => cluster.kubectl(["get", "gitrepositories,kustomizations,secrets,deployments", "-n", "flux-system", "-o", "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.generation}{\"\\n\"}{end}"]);

test("drover up with real Flux: interrupted in each phase and run again it finishes; run twice, the second changes nothing", async () => {
  if (!fluxControllersBuilt()) {
    console.error(`\n!!! NOT CHECKED: drover up against real Flux — the controllers are not built (${fluxControllersDir()}); build them with ${FLUX_BUILD_COMMAND}\n`);
    assert.fail(`NOT CHECKED: Flux controllers not built (${FLUX_BUILD_COMMAND})`);
  }
  assert.equal((await runCli(["render", join(dir, "lab.yaml")])).code, 0);
  // stopped after each phase, then the next run goes on from there
  for (const until of ["machines", "cluster", "gitops"] as const) {
    const ev: UpEvent[] = [];
    await up(await options(ev, { until }));
  }
  assert.ok(gitServer.requests > 0, "pushed to the Git server");
  // interrupted inside the Flux install: stopped while the CRDs are being established
  const stop = new AbortController();
  const ev1: UpEvent[] = [];
  await up(await options(ev1, { signal: stop.signal, report: (e) => { ev1.push(e); if (e.phase === "flux" && e.status === "wait") stop.abort(); } })).catch(() => undefined);
  // the controllers start (in a cluster they are Deployments of the install; here processes on this machine)
  flux = await startFluxControllers(cluster);
  const ev2: UpEvent[] = [];
  const r: UpResult = await up(await options(ev2));
  const root = r.flux!.objects.find((o) => o.kind === "Kustomization" && o.name === "flux-system");
  assert.equal(root?.ready, true, `root Kustomization: ${JSON.stringify(root)}\n${flux.log("kustomize-controller", 3000)}\n${flux.log("source-controller", 2000)}`);
  assert.match(root!.message, /Applied revision: main@sha1:/);
  // what cannot run here is listed with why (charts from the internet: refused by the test's egress proxy)
  for (const o of r.flux!.objects.filter((x) => !x.ready)) assert.ok(o.message || o.reason, `${o.kind} ${o.name} has no reason`);
  console.error(`drover up e2e: ${r.flux!.objects.filter((o) => o.ready).length}/${r.flux!.objects.length} Flux objects Ready; not Ready:\n${r.flux!.objects.filter((o) => !o.ready).map((o) => `  ${o.kind} ${o.namespace}/${o.name}: ${o.reason}: ${o.message.slice(0, 160)}`).join("\n")}`);

  // run again: no commit, no push, Flux's objects left to Flux
  const before2 = resourceVersions();
  const head = r.git!.commit;
  const ev3: UpEvent[] = [];
  const r2 = await up(await options(ev3, { wait: false }));
  assert.deepEqual([r2.git!.committed, r2.git!.pushed, r2.git!.commit], [false, false, head]);
  assert.equal(r2.flux!.installed, false);
  assert.ok(ev3.some((e) => e.status === "skip" && /Flux runs the lab/.test(e.message)));
  assert.equal(resourceVersions(), before2);
});
