// Cilium's documented upgrade path in `drover upgrade --plan`: one minor release at a time, never down,
// the pre-flight before the push, upgradeCompatibility from versions.yaml for a minor release. Checked
// with the real helm (the pinned chart, cached by install.sh): the pre-flight command as the plan
// writes it renders the cilium-pre-flight-check objects, not the agent or operator (the new image, where the agents reach
// the API) and passes kubeconform -strict; Drover's HelmRelease values with upgradeCompatibility keep
// the running release's defaults (cilium-config differs exactly where chart 1.20 changed a default).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { loadLabText } from "../../lab/load.js";
import { upgradeLabYaml } from "../../testing/upgrade-lab.js";
import { platformData, tool } from "../../testing/paths.js";
import { tempDir } from "../../testing/age-key.js";
import { describeProblems, kubeconform } from "../../testing/kubeconform.js";
import { ciliumValues } from "../../render/platform/network.js";
import { renderPlatform } from "../../render/platform/index.js";
import { testSecrets } from "../../testing/apps-lab.js";
import { upgradePlan, type RunningVersions } from "./plan.js";
import { PREFLIGHT_DAEMONSET, preflightTemplateArgs } from "./cilium.js";
import type { Lab } from "../../lab/types.js";

type Obj = Record<string, any>;

function labWith(versions?: string): Lab {
  const r = loadLabText(upgradeLabYaml(), "lab.yaml", versions ? { versions: { text: versions, file: "versions.yaml" } } : {});
  assert.ok(r.lab, JSON.stringify(r.diagnostics));
  return r.lab;
}
const running = (lab: Lab, cilium?: string): RunningVersions => ({
  nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, { talos: lab.talosVersion, kubelet: `v${lab.kubernetesVersion}` }])),
  apiserver: `v${lab.kubernetesVersion}`,
  ...(cilium ? { cilium } : {}),
});

test("the plan: a Cilium minor bump needs upgradeCompatibility from versions.yaml; pre-flight before the push, rollout after; skipped minors and downgrades refused; nothing when Cilium runs the pinned release or not yet", () => {
  const plain = labWith();
  assert.equal(plain.versions.charts.cilium.version, "1.20.2");
  for (const r of [undefined, "1.20.2"]) {
    const p = upgradePlan(plain, { running: running(plain, r) });
    assert.equal(p.platform.cilium, undefined);
    assert.ok(!p.platform.steps.some((s) => /Cilium/.test(s.what)));
    assert.ok(p.ok);
  }
  // 1.19 → 1.20 without upgradeCompatibility: refused, saying what to write
  const missing = upgradePlan(plain, { running: running(plain, "1.19.4") });
  assert.equal(missing.ok, false);
  assert.deepEqual(missing.blockers.map((b) => [b.phase, b.hint]), [["platform", 'add to versions.yaml: upgradeCompatibility: { cilium: "1.19" }, render, commit, then plan again']]);
  // with it: the documented order
  const lab = labWith('upgradeCompatibility: { cilium: "1.19" }\n');
  const p = upgradePlan(lab, { running: running(lab, "v1.19.4") });
  assert.ok(p.ok, JSON.stringify(p.blockers));
  assert.deepEqual([p.platform.cilium!.from, p.platform.cilium!.to], ["1.19.4", "1.20.2"]);
  const whats = p.platform.steps.map((s) => s.what.split(":")[0]!.split(" ").slice(0, 2).join(" "));
  assert.deepEqual(whats, ["Flux 2.9.5", "Cilium pre-flight", "platform charts", "Cilium v1.19.4"]);
  const pre = p.platform.steps[1]!.commands;
  assert.equal(pre[0], `${preflightTemplateArgs(lab).join(" ")} > cilium-preflight.yaml`);
  assert.equal(pre[0], "helm template cilium cilium --repo https://helm.cilium.io/ --version 1.20.2 --namespace kube-system --set preflight.enabled=true --set agent=false --set operator.enabled=false --set k8sServiceHost=localhost --set k8sServicePort=7445 > cilium-preflight.yaml");
  assert.deepEqual(pre.slice(1), [
    "kubectl create -f cilium-preflight.yaml",
    `kubectl -n kube-system rollout status daemonset/${PREFLIGHT_DAEMONSET} --timeout=10m`,
    `kubectl -n kube-system get daemonset cilium ${PREFLIGHT_DAEMONSET} -o custom-columns=NAME:.metadata.name,READY:.status.numberReady`,
    "kubectl delete -f cilium-preflight.yaml",
  ]);
  assert.match(p.platform.steps[3]!.what, /upgradeCompatibility 1\.19.*registers the new CRDs/);
  // a patch release: pre-flight, no upgradeCompatibility needed
  const patch = upgradePlan(plain, { running: running(plain, "1.20.1") });
  assert.ok(patch.ok && patch.platform.cilium, JSON.stringify(patch.blockers));
  // refused: a skipped minor, a downgrade, a version that is none
  const skip = upgradePlan(lab, { running: running(lab, "1.18.6") });
  assert.ok(!skip.ok && /skips a minor release/.test(skip.blockers[0]!.reason) && /newest 1\.19\.x first/.test(skip.blockers[0]!.hint), JSON.stringify(skip.blockers));
  const down = upgradePlan(plain, { running: running(plain, "1.21.0") });
  assert.ok(!down.ok && /older than the running v1\.21\.0/.test(down.blockers[0]!.reason));
  assert.ok(!upgradePlan(plain, { running: running(plain, "latest") }).ok);
  // the rendered HelmRelease carries the value; versions.yaml refuses anything else
  const hr = [...renderPlatform(lab, testSecrets(lab)).values()].flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as Obj)).find((o) => o?.kind === "HelmRelease" && o.metadata.name === "cilium")!;
  assert.equal(hr.spec.values.upgradeCompatibility, "1.19");
  for (const [text, re] of [['upgradeCompatibility: { cilium: "1.19.4" }\n', /must be a minor release/], ['upgradeCompatibility: { cillium: "1.19" }\n', /unknown chart 'cillium'.*did you mean cilium/], ["upgradeCompatibility: 1.19\n", /must be a mapping/]] as const) {
    const r = loadLabText(upgradeLabYaml(), "lab.yaml", { versions: { text, file: "versions.yaml" } });
    assert.equal(r.lab, undefined, text);
    assert.match(r.diagnostics.filter((d) => d.file === "versions.yaml").map((d) => d.message).join("\n"), re);
  }
});

function helmTemplate(args: string[]): Obj[] {
  const r = spawnSync(tool("helm"), args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `helm ${args.join(" ")}: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj).filter((d) => d && typeof d === "object");
}

test("the real helm: the plan's pre-flight renders the cilium-pre-flight-check objects at the new release and leaves the agent and operator alone (kubeconform -strict); upgradeCompatibility keeps the 1.19 defaults of cilium-config", () => {
  const lab = labWith('upgradeCompatibility: { cilium: "1.19" }\n');
  const chart = join(platformData("charts"), "cilium");
  // the plan's argv with the chart reference (name --repo url) replaced by the cached chart
  const args = preflightTemplateArgs(lab);
  assert.deepEqual(args.slice(0, 6), ["helm", "template", "cilium", "cilium", "--repo", "https://helm.cilium.io/"]);
  const docs = helmTemplate(["template", "cilium", chart, ...args.slice(6), "--kube-version", lab.kubernetesVersion]);
  const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`);
  assert.ok(kinds.includes(`DaemonSet/${PREFLIGHT_DAEMONSET}`), kinds.join(", "));
  assert.ok(!kinds.includes("DaemonSet/cilium") && !kinds.some((k) => k.startsWith("Deployment/cilium-operator")), `the agent and the operator are left alone: ${kinds.join(", ")}`);
  const ds = docs.find((d) => d.kind === "DaemonSet" && d.metadata.name === PREFLIGHT_DAEMONSET)!;
  const images = [...(ds.spec.template.spec.initContainers ?? []), ...ds.spec.template.spec.containers].map((c: Obj) => c.image as string);
  // the agent's image at the new release (and Envoy's, which the agents of 1.20 run beside them)
  const agent = images.filter((i) => i.startsWith("quay.io/cilium/cilium:"));
  assert.ok(agent.length && agent.every((i) => /^quay\.io\/cilium\/cilium:v1\.20\.2(@sha256:[0-9a-f]{64})?$/.test(i)), images.join(", "));
  // its policy check reaches the API where the agents do (KubePrism: kube-proxy-free, no Service IP)
  const env = JSON.stringify(docs);
  assert.ok(env.includes('"KUBERNETES_SERVICE_HOST","value":"localhost"') && env.includes('"KUBERNETES_SERVICE_PORT","value":"7445"'), kinds.join(", "));
  const dir = tempDir("drover-preflight-");
  mkdirSync(join(dir, "m"));
  writeFileSync(join(dir, "m", "preflight.yaml"), docs.map((d) => stringify(d)).join("---\n"));
  const k = kubeconform([join(dir, "m")]);
  assert.equal(describeProblems(k), undefined);
  assert.ok(k.valid >= docs.length, `${k.valid} of ${docs.length} valid`);

  // Drover's values for the HelmRelease, with and without upgradeCompatibility 1.19
  const config = (values: Obj) => {
    const vf = join(dir, `values-${Object.keys(values).length}.yaml`);
    writeFileSync(vf, stringify(values));
    return helmTemplate(["template", "cilium", chart, "--namespace", "kube-system", "--kube-version", lab.kubernetesVersion, "-f", vf]).find((d) => d.kind === "ConfigMap" && d.metadata.name === "cilium-config")!.data as Record<string, string>;
  };
  const values = ciliumValues(lab);
  assert.equal(values.upgradeCompatibility, "1.19");
  const { upgradeCompatibility: _u, ...fresh } = values;
  const kept = config(values), now = config(fresh);
  const differs = [...new Set([...Object.keys(kept), ...Object.keys(now)])].filter((x) => kept[x] !== now[x]);
  assert.deepEqual(differs, ["envoy-xds-mode"], "chart 1.20 changed one default for clusters from before 1.20");
  assert.deepEqual([kept["envoy-xds-mode"], now["envoy-xds-mode"]], [undefined, "ads"]);
});
