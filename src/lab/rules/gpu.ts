import type { LabRule } from "./rule.js";
import { appIndex, error, warning } from "./rule.js";
import { GPU_SUPPORT } from "../gpu.js";

/**
 * GPU apps can start: some node offers the GPUs they ask for (a device plugin advertises them, see
 * lab/gpu.ts), and what the cluster cannot offer is said, not assumed.
 */
export const gpusOffered: LabRule = function* (lab) {
  const most = Math.max(0, ...lab.nodes.map((n) => n.advertisedGpus));
  const unoffered = lab.hosts.filter((h) => h.gpus > 0 && h.gpuVendor && !GPU_SUPPORT[h.gpuVendor].advertised);
  const stranded = lab.hosts.filter((h) => h.gpus > 0 && !lab.nodes.some((n) => n.host === h.name && n.gpus > 0));
  for (const a of lab.apps) {
    const i = appIndex(lab, a.name);
    if (a.placement.gpu > 0 && a.placement.gpu > most) {
      const why = most > 0
        ? `no node offers ${a.placement.gpu} GPUs (at most ${most})`
        : unoffered.length
          ? `no node offers one: Drover renders NVIDIA's device plugin only, so the ${unoffered.map((h) => `${h.gpuVendor} GPU of ${h.name}`).join(", ")} is not offered to pods`
          : stranded.length
            ? `no node has one: the GPUs of ${stranded.map((h) => h.name).join(", ")} go to no node (a VM node gets them with gpuPassthrough: true)`
            : "no host has one";
      yield error(["apps", i, "placement", "gpu"], `${a.catalog.title} needs ${a.placement.gpu === 1 ? "a GPU" : `${a.placement.gpu} GPUs`} but ${why}`, stranded.length && most === 0 ? `set gpuPassthrough: true on the VM node of ${stranded[0]!.name} that should get them, or set placement.gpu: 0` : lab.hosts.some((h) => h.gpus > 0) ? "set placement.gpu: 0 (it runs on the CPU), or add an NVIDIA GPU to a host" : "add gpus: to the host that has one (NVIDIA GPUs are offered to pods), or set placement.gpu: 0");
    } else if (a.placement.gpu === 0 && a.catalog.devices?.gpu === "optional" && unoffered.length) {
      yield warning(["apps", i], `${a.catalog.title} could use a GPU, but the ${unoffered.map((h) => `${h.gpuVendor} GPU of ${h.name}`).join(", ")} is not offered to pods (Drover renders NVIDIA's device plugin only); it runs on the CPU`, "nothing to do, or add an NVIDIA GPU and set placement.gpu: 1");
    }
  }
  const runtime = lab.capabilities.nvidiaRuntime;
  if (!runtime.rendered && lab.apps.some((a) => a.placement.gpu > 0)) {
    for (const n of lab.nodes.filter((x) => x.advertisedGpus > 0)) {
      const i = lab.spec.nodes.findIndex((x) => x.name === n.name);
      yield warning(["nodes", i], `${lab.capabilities.title} node ${n.name} has an NVIDIA GPU, and its GPU pods need the nvidia runtime, which Drover cannot install there`, `install ${runtime.install}`);
    }
  }
};
