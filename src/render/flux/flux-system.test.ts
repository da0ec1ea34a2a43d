// kubernetes/flux-system: Flux vendored (no download at bootstrap or reconcile time) and a bootstrap that
// works on its first run. Checked with the real programs: the vendored CRDs are byte-identical to the
// ones the tool cache builds from the pinned Flux modules; the controllers carry the facts of the
// controllers' own config/manager manifests at the pinned versions (from the Go module proxy);
// kustomize builds both folders offline; and the README's bootstrap commands, run as written with the
// real kubectl against a fresh kube-apiserver, exit 0 the first time (and again the second).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments, parseDocument } from "yaml";
import { renderLab } from "../index.js";
import { exampleLab, testSecrets } from "../../testing/apps-lab.js";
import { platformData, TOOLS_CACHE, tool } from "../../testing/paths.js";
import { tempDir } from "../../testing/age-key.js";
import { startCluster } from "../../testing/cluster.js";
import { vendoredFluxCrds } from "./crds.js";
import { FLUX_CONTROLLERS, fluxImage } from "./controllers.js";
import { fluxBootstrapCommands } from "./flux-system.js";
import type { FileTree } from "../tree.js";

type Obj = Record<string, any>;

function writeOut(t: FileTree): string {
  const root = tempDir("drover-flux-");
  for (const [p, f] of t) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), f.content);
  }
  return root;
}

const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter(Boolean);

test("the vendored Flux CRDs are exactly the ones built from the pinned Flux modules (scripts/flux/vendor.mjs refreshes them)", () => {
  const cache = join(platformData("crds"), "flux");
  const want = readdirSync(cache).filter((f) => f.endsWith(".yaml")).sort();
  const vendored = vendoredFluxCrds();
  assert.deepEqual(vendored.map((v) => v.file), want, "run node scripts/flux/vendor.mjs");
  for (const v of vendored) {
    // read as Kubernetes reads the upstream file
    assert.deepEqual(v.crd, parseDocument(readFileSync(join(cache, v.file), "utf8"), { version: "1.1" }).toJS(), `${v.file} differs from the cache: run node scripts/flux/vendor.mjs`);
  }
});

test("flux-system: CRDs alone in crds/, the controllers and sync objects beside them, no URL anywhere, the root lists crds first", () => {
  const lab = exampleLab();
  const t = renderLab(lab, testSecrets(lab));
  for (const [p, f] of t) {
    if (p.endsWith("kustomization.yaml")) assert.ok(!/https?:\/\//.test(f.content), `${p} downloads something`);
  }
  const root = docs(t.get("kubernetes/kustomization.yaml")!.content)[0]!;
  assert.deepEqual(root.resources.slice(0, 2), ["flux-system/crds", "flux-system"]);
  const crds = [...t].filter(([p]) => p.startsWith("kubernetes/flux-system/crds/") && !p.endsWith("kustomization.yaml")).flatMap(([, f]) => docs(f.content));
  assert.ok(crds.length >= 11);
  assert.ok(crds.every((o) => o.kind === "CustomResourceDefinition"));
  const names = crds.map((c) => c.metadata.name);
  for (const n of ["gitrepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io", "helmreleases.helm.toolkit.fluxcd.io", "ocirepositories.source.toolkit.fluxcd.io", "alerts.notification.toolkit.fluxcd.io"]) assert.ok(names.includes(n), n);
  const rest = ["controllers.yaml", "gotk-sync.yaml"].flatMap((f) => docs(t.get(`kubernetes/flux-system/${f}`)!.content));
  assert.ok(!rest.some((o) => o.kind === "CustomResourceDefinition"));
  const deployments = rest.filter((o) => o.kind === "Deployment");
  assert.deepEqual(deployments.map((d) => d.spec.template.spec.containers[0].image).sort(), Object.keys(FLUX_CONTROLLERS).map((c) => fluxImage(c as keyof typeof FLUX_CONTROLLERS)).sort());
});

/** The pinned controller module's own manifests (fetched by install.sh platform into the module cache). */
function upstream(controller: "source-controller" | "kustomize-controller", file: string): Obj[] {
  const dir = join(TOOLS_CACHE, ".modules", "github.com", "fluxcd", `${controller}@v${FLUX_CONTROLLERS[controller]}`, "config", "manager");
  if (!existsSync(join(dir, file))) throw new Error(`${dir}/${file} is missing; run scripts/tools/install.sh platform`);
  return docs(readFileSync(join(dir, file), "utf8"));
}

test("the rendered controllers carry the facts of source- and kustomize-controller's own manifests at the pinned versions", () => {
  const lab = exampleLab();
  const objs = docs(renderLab(lab, testSecrets(lab)).get("kubernetes/flux-system/controllers.yaml")!.content);
  for (const c of ["source-controller", "kustomize-controller"] as const) {
    const up = upstream(c, "deployment.yaml")[0]!;
    const mine = objs.find((o) => o.kind === "Deployment" && o.metadata.name === c)!;
    const [u, m] = [up.spec.template.spec, mine.spec.template.spec];
    const [uc, mc] = [u.containers[0], m.containers[0]];
    assert.deepEqual(mine.spec.selector, up.spec.selector, c);
    assert.deepEqual(mine.spec.strategy, up.spec.strategy, c);
    assert.equal(m.terminationGracePeriodSeconds, u.terminationGracePeriodSeconds, c);
    assert.deepEqual(m.securityContext, u.securityContext, c);
    assert.deepEqual(mine.spec.template.metadata.annotations, up.spec.template.metadata.annotations, c);
    assert.equal(mc.name, uc.name);
    assert.deepEqual(mc.ports.map((p: Obj) => [p.name, p.containerPort]), uc.ports.map((p: Obj) => [p.name, p.containerPort]), c);
    assert.deepEqual(mc.livenessProbe, uc.livenessProbe, c);
    assert.deepEqual(mc.readinessProbe, uc.readinessProbe, c);
    assert.deepEqual(mc.resources, uc.resources, c);
    assert.deepEqual({ ...mc.securityContext }, { ...uc.securityContext }, c);
    assert.deepEqual(mc.volumeMounts, uc.volumeMounts, c);
    assert.deepEqual(m.volumes, u.volumes, c);
    for (const e of uc.env) assert.deepEqual(mc.env.find((x: Obj) => x.name === e.name), e, `${c} env ${e.name}`);
    // upstream's args, each flag with the value flux install gives it (booleans spelled out)
    const flags = (args: string[]) => args.map((a) => a.replace(/^(--[a-z-]+)$/, "$1=true"));
    for (const a of flags(uc.args)) assert.ok(flags(mc.args).includes(a), `${c}: ${a}`);
    assert.ok(mc.args.includes("--events-addr=http://notification-controller.flux-system.svc.cluster.local./"));
    if (c === "source-controller") {
      const svc = upstream(c, "service.yaml")[0]!;
      assert.deepEqual(objs.find((o) => o.kind === "Service" && o.metadata.name === c)!.spec, svc.spec);
    }
  }
});

test("kustomize builds flux-system/crds and flux-system offline: CRDs only in the first, none in the second", () => {
  const lab = exampleLab();
  const root = writeOut(renderLab(lab, testSecrets(lab)));
  try {
    const build = (d: string) => {
      const r = spawnSync(tool("kustomize"), ["build", join(root, d)], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      assert.equal(r.status, 0, `kustomize build ${d}: ${r.stderr}`);
      return docs(r.stdout);
    };
    const crds = build("kubernetes/flux-system/crds");
    assert.ok(crds.length >= 11 && crds.every((o) => o.kind === "CustomResourceDefinition"));
    const sync = build("kubernetes/flux-system");
    assert.ok(sync.length > 15 && !sync.some((o) => o.kind === "CustomResourceDefinition"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the README's bootstrap commands, run as written with the real kubectl on a fresh control plane, exit 0 the first time", { timeout: 300_000 }, async () => {
  const lab = exampleLab();
  const t = renderLab(lab, testSecrets(lab));
  const readme = t.get("kubernetes/README.md")!.content;
  // the commands of step 5, exactly as the README shows them
  const block = /^5\. Install Flux[^\n]*\n\n {3}```sh\n((?: {3}[^\n]*\n)+?) {3}```/m.exec(readme);
  assert.ok(block, readme);
  const commands = block[1]!.split("\n").filter(Boolean).map((l) => l.trim());
  assert.deepEqual(commands, fluxBootstrapCommands(lab));
  // a checkout of the repository: the rendered kubernetes/ folder at the gitops path
  const root = writeOut(t);
  const c = await startCluster({ controllers: "namespace,serviceaccount,serviceaccount-token" });
  try {
    const bin = dirname(tool("kubectl"));
    const run = (cmd: string) => spawnSync("sh", ["-c", cmd], { cwd: root, encoding: "utf8", env: { PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: c.kubeconfig, HOME: root } });
    for (const round of ["first", "second"]) {
      for (const cmd of commands) {
        const r = run(cmd);
        assert.equal(r.status, 0, `${round} run: ${cmd}\n${r.stdout}${r.stderr}`);
        assert.ok(!/PodSecurity/.test(r.stderr), `${cmd}: ${r.stderr}`);
      }
    }
    // everything is there: the CRDs, the controllers, and the sync objects that need the CRDs
    assert.match(c.kubectl(["get", "deployments", "-n", "flux-system", "-o", "name"]), /deployment\.apps\/helm-controller/);
    assert.match(c.kubectl(["get", "gitrepositories.source.toolkit.fluxcd.io", "-n", "flux-system", "-o", "name"]), /flux-system/);
    assert.match(c.kubectl(["get", "kustomizations.kustomize.toolkit.fluxcd.io", "-n", "flux-system", "-o", "name"]), /flux-system/);
    // the old single command fails on a fresh cluster only because CRDs and their objects were in one apply: not any more
    assert.equal(c.kubectl(["get", "namespace", "flux-system", "-o", "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}"]), "restricted");
  } finally {
    await c.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
