// GPUs for pods: the `nvidia` RuntimeClass and NVIDIA's device plugin, which advertises each NVIDIA
// node's GPUs as nvidia.com/gpu. The handler is the runtime Talos's nvidia-container-toolkit extension
// registers in containerd (k3s registers the same name when it finds NVIDIA's Container Toolkit on the
// machine). The plugin runs on the nodes that have NVIDIA GPUs only (the drover.dev/gpu label), not
// wherever node-feature-discovery would put it (not installed). lab/gpu.ts says which GPUs count.
import type { Lab } from "../../lab/types.js";
import { GPU_LABEL, GPU_RUNTIME_CLASS } from "../../lab/gpu.js";
import { helmRelease, meta, type Component, type Obj } from "../flux/layout.js";
import { NAMESPACES } from "./contract.js";

export function gpuValues(): Obj {
  return {
    runtimeClassName: GPU_RUNTIME_CLASS,
    // the chart's default affinity asks for node-feature-discovery's PCI labels; lists replace, so this is the whole term
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_LABEL, operator: "In", values: ["nvidia"] }] }] } } },
    gfd: { enabled: false },
    nfd: { enabled: false },
  };
}

export function gpus(lab: Lab, deps: readonly string[]): Component | undefined {
  if (!lab.nodes.some((n) => n.advertisedGpus > 0)) return undefined;
  const ns = NAMESPACES.gpu;
  const runtimeClass: Obj = { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: meta(GPU_RUNTIME_CLASS), handler: GPU_RUNTIME_CLASS };
  return {
    name: "gpu",
    namespace: ns,
    // the plugin registers with the kubelet through a host path
    podSecurity: "privileged",
    dependsOn: deps,
    objects: [runtimeClass, helmRelease("nvidia-device-plugin", ns, lab.versions.charts["nvidia-device-plugin"], gpuValues())],
    charts: ["nvidia-device-plugin"],
  };
}
