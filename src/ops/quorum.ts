// etcd quorum arithmetic for removing a control plane: a cluster of N members needs ⌊N/2⌋+1 of them.
// Removing a member is safe when the members left still have a quorum of healthy ones.

export interface EtcdMember {
  readonly name: string;
  /** undefined: not known (no cluster access) */
  readonly healthy: boolean | undefined;
}

import { quorumOf } from "../lab/quorum.js";

export { quorumOf };

export type RemovalVerdict =
  | { readonly safe: true; readonly summary: string }
  | { readonly safe: false; readonly reason: string; readonly summary: string };

const list = (names: readonly string[]) => (names.length ? names.join(", ") : "none");

/** Whether removing `name` from these etcd members keeps quorum, explained in one sentence. */
export function checkEtcdRemoval(members: readonly EtcdMember[], name: string): RemovalVerdict {
  const n = members.length;
  const q = quorumOf(n);
  const summary = `etcd has ${n} member${n === 1 ? "" : "s"} (${list(members.map((m) => m.name))}), quorum ${q}`;
  if (!members.some((m) => m.name === name)) return { safe: true, summary: `${name} is not an etcd member; ${summary}` };
  if (n === 1) {
    return { safe: false, summary, reason: `${summary}: ${name} is the only member, and removing it destroys the cluster's datastore` };
  }
  const healthyNow = members.filter((m) => m.healthy !== false);
  const unhealthy = members.filter((m) => m.healthy === false).map((m) => m.name);
  const down = unhealthy.length ? ` (not Ready: ${unhealthy.join(", ")})` : "";
  if (healthyNow.length < q) {
    return { safe: false, summary, reason: `${summary}, but only ${healthyNow.length} ${healthyNow.length === 1 ? "is" : "are"} healthy${down}: etcd has already lost quorum and cannot remove a member` };
  }
  const left = members.filter((m) => m.name !== name);
  const q2 = quorumOf(left.length);
  const healthyLeft = left.filter((m) => m.healthy !== false).map((m) => m.name);
  if (healthyLeft.length < q2) {
    return {
      safe: false,
      summary,
      reason: `${summary}; removing ${name} leaves ${left.length} member${left.length === 1 ? "" : "s"} (quorum ${q2}) of which only ${healthyLeft.length} ${healthyLeft.length === 1 ? "is" : "are"} healthy (${list(healthyLeft)})${down}: etcd would lose quorum`,
    };
  }
  return { safe: true, summary: `${summary}; after removing ${name}: ${left.length} member${left.length === 1 ? "" : "s"}, quorum ${q2}, ${healthyLeft.length} healthy` };
}
