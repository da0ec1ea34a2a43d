import type { LabRule } from "./rule.js";
import { warning } from "./rule.js";
import { quorumOf } from "../quorum.js";

/** etcd keeps quorum with the volatile hosts off (all of them volatile is the spec rule controlPlanes' warning). */
export const volatileQuorum: LabRule = function* (lab) {
  const cps = lab.controlPlanes();
  const volatile = cps.filter((n) => n.volatile);
  if (cps.length === 0 || volatile.length === 0 || volatile.length === cps.length) return;
  const quorum = quorumOf(cps.length);
  if (cps.length - volatile.length < quorum) {
    const i = lab.spec.nodes.findIndex((n) => n.name === volatile[0]!.name);
    yield warning(["nodes", i, "host"], `with the volatile hosts off only ${cps.length - volatile.length} of ${cps.length} control planes remain; etcd needs ${quorum} for quorum`, "move a control plane to an always-on host");
  }
};
