// GPUs count where a device plugin advertises them (issue 13, item 7): NVIDIA's device plugin and the
// nvidia RuntimeClass are rendered for NVIDIA nodes, GPU pods run with that runtime, a VM node gets its
// host's GPUs only when lab.yaml says so (gpuPassthrough), and GPUs no plugin advertises are not counted
// by what-if nor promised by check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { loadLabText } from "./load.js";
import { EXAMPLES } from "../testing/paths.js";
import { renderLab } from "../render/index.js";
import { testSecrets } from "../testing/apps-lab.js";
import { baseline, whatIf } from "../analyze/whatif.js";

const text = readFileSync(join(EXAMPLES, "talos-mixed", "lab.yaml"), "utf8");
const once = (t: string, from: string, to: string): string => {
  assert.equal(t.split(from).length, 2, `expected one ${from}`);
  return t.replace(from, to);
};
const errorsOf = (t: string) => loadLabText(t, "lab.yaml").diagnostics.filter((d) => d.severity === "error");

test("talos-mixed: the VM with gpuPassthrough has the gaming PC's GPU, its sibling VM has none and no GPU label", () => {
  const lab = loadLabText(text, "lab.yaml").lab!;
  assert.ok(lab);
  const n = (name: string) => lab.nodes.find((x) => x.name === name)!;
  assert.equal(n("talos08").gpus, 1);
  assert.equal(n("talos08").advertisedGpus, 1);
  assert.equal(n("talos08").labels["drover.dev/gpu"], "nvidia");
  assert.equal(n("talos03").gpus, 0);
  assert.equal(n("talos03").labels["drover.dev/gpu"], undefined, "the device plugin would otherwise be placed on a VM without the GPU");
});

test("talos-mixed renders the nvidia RuntimeClass and device plugin, and ollama's pod asks for the GPU with that runtime", () => {
  const lab = loadLabText(text, "lab.yaml").lab!;
  const t = renderLab(lab, testSecrets(lab));
  const docs = [...t].filter(([p]) => p.startsWith("kubernetes/") && p.endsWith(".yaml")).flatMap(([p, f]) => parseAllDocuments(f.content).map((d) => [p, d.toJS()] as [string, any]));
  const rc = docs.filter(([, o]) => o?.kind === "RuntimeClass");
  assert.deepEqual(rc.map(([p, o]) => [p.split("/").slice(0, 3).join("/"), o.metadata.name, o.handler]), [["kubernetes/infrastructure/gpu", "nvidia", "nvidia"]]);
  const hr = docs.find(([, o]) => o?.kind === "HelmRelease" && o.metadata.name === "nvidia-device-plugin")![1];
  assert.equal(hr.metadata.namespace, "nvidia-device-plugin");
  assert.equal(hr.spec.values.runtimeClassName, "nvidia");
  const ollama = docs.find(([, o]) => o?.kind === "StatefulSet" && o.metadata.name === "ollama")![1];
  const pod = ollama.spec.template.spec;
  assert.equal(pod.runtimeClassName, "nvidia");
  assert.equal(pod.containers[0].resources.limits["nvidia.com/gpu"], "1");
  // apps without a GPU keep the default runtime
  const others = docs.filter(([, o]) => (o?.kind === "Deployment" || o?.kind === "StatefulSet") && o.metadata.name !== "ollama");
  assert.ok(others.length > 5);
  for (const [, o] of others) assert.equal(o.spec.template.spec.runtimeClassName, undefined, o.metadata.name);
  // a lab without NVIDIA GPUs gets neither
  const none = loadLabText(once(once(text, "gpus: [{ vendor: nvidia, model: RTX 3080 }]", "gpus: []"), ", gpuPassthrough: true }", " }").replace("placement: { gpu: 1 }", "placement: { gpu: 0 }"), "lab.yaml").lab!;
  assert.ok(none);
  const t2 = renderLab(none, testSecrets(none));
  assert.ok(![...t2.keys()].some((p) => p.includes("infrastructure/gpu/")));
});

test("without gpuPassthrough the gaming PC's GPU reaches no node: ollama's GPU is an error that says how to pass it through", () => {
  const errors = errorsOf(once(text, ", gpuPassthrough: true }", " }"));
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(errors[0]!.path!, /^apps\[\d+\]\.placement\.gpu$/);
  assert.match(errors[0]!.message, /the GPUs of gamer go to no node/);
  assert.match(errors[0]!.hint!, /gpuPassthrough: true/);
});

test("gpuPassthrough: one VM per host, VM nodes only, a host with GPUs; the old label is refused with the fix", () => {
  const two = errorsOf(once(text, 'mac: "52:54:00:10:00:23" }', 'mac: "52:54:00:10:00:23", gpuPassthrough: true }'));
  assert.ok(two.some((e) => /already passed through to talos03/.test(e.message) && /^nodes\[\d+\]\.gpuPassthrough$/.test(e.path!)), JSON.stringify(two));
  const label = errorsOf(once(text, ", gpuPassthrough: true }", ', labels: { drover.dev/gpu-passthrough: "true" } }'));
  assert.ok(label.some((e) => /no longer passes/.test(e.message) && /gpuPassthrough: true/.test(e.hint!)), JSON.stringify(label));
  const onMetal = errorsOf(once(text, "{ name: talos09, host: rpi4-1, address", "{ name: talos09, host: rpi4-1, gpuPassthrough: true, address"));
  assert.ok(onMetal.some((e) => /is for VM nodes/.test(e.message)), JSON.stringify(onMetal));
});

test("an AMD GPU is not advertised: what-if counts none, and a GPU app is an error that says why", () => {
  const amd = once(text, "vendor: nvidia", "vendor: amd");
  const errors = errorsOf(amd);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(errors[0]!.message, /NVIDIA's device plugin only/);
  const cpu = loadLabText(amd.replace("placement: { gpu: 1 }", "placement: { gpu: 0 }"), "lab.yaml");
  assert.ok(cpu.lab, JSON.stringify(cpu.diagnostics));
  assert.equal(cpu.lab.nodes.find((n) => n.name === "talos08")!.advertisedGpus, 0);
  // ollama could use the GPU: said, as a warning; it runs on the CPU and survives the gaming PC going off
  assert.ok(cpu.diagnostics.some((d) => d.severity === "warning" && /amd GPU of gamer is not offered/.test(d.message)));
  const r = whatIf(baseline(cpu.lab), ["gamer"]);
  assert.notEqual(r.apps.find((a) => a.app === "ollama")!.outcome, "down");
});
