import type { Rule } from "./rule.js";
import { error } from "./rule.js";

/** The label that once asked for GPU passthrough; the field replaces it. */
const LEGACY_PASSTHROUGH_LABEL = "drover.dev/gpu-passthrough";

/** GPU passthrough: a VM node on a host with GPUs, at most one per host. */
export const gpuPassthrough: Rule = function* (spec) {
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  const taken = new Map<string, string>();
  for (const [i, n] of spec.nodes.entries()) {
    if (n.labels[LEGACY_PASSTHROUGH_LABEL] !== undefined) {
      yield error(["nodes", i, "labels", LEGACY_PASSTHROUGH_LABEL], `the ${LEGACY_PASSTHROUGH_LABEL} label no longer passes the host's GPUs to ${n.name}`, "remove the label and set gpuPassthrough: true on the node");
    }
    if (!n.gpuPassthrough) continue;
    const h = hosts.get(n.host);
    if (n.kind !== "vm") {
      yield error(["nodes", i, "gpuPassthrough"], `gpuPassthrough is for VM nodes; ${n.kind} node ${n.name} already has its host's GPUs`, "remove gpuPassthrough");
    } else if (h && h.gpus.length === 0) {
      yield error(["nodes", i, "gpuPassthrough"], `${n.name} asks for its host's GPUs, but host ${n.host} has none`, `add gpus: to host ${n.host}, or remove gpuPassthrough`);
    } else if (taken.has(n.host)) {
      yield error(["nodes", i, "gpuPassthrough"], `host ${n.host}'s GPUs are already passed through to ${taken.get(n.host)}; a PCI device goes to one VM`, `remove gpuPassthrough from ${n.name} or from ${taken.get(n.host)}`);
    } else taken.set(n.host, n.name);
  }
};
