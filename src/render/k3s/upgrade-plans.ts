// The system-upgrade-controller Plans that upgrade k3s (docs.k3s.io, Automated Upgrades): the
// controller runs rancher/k3s-upgrade as a privileged Job on each node a Plan selects, and labels the
// node when the Job has succeeded.
//   server-plan  the control planes (node-role.kubernetes.io/control-plane=true, as k3s labels them),
//                one at a time, cordoned
//   agent-plan   every other node, one at a time, drained (the Eviction API, so PodDisruptionBudgets
//                hold); its prepare step (k3s-upgrade prepare server-plan) waits until the servers are done
// Both tolerate every taint: the upgrade must reach a tainted control plane or a dedicated node too.
import type { Lab } from "../../lab/types.js";

type Obj = Record<string, unknown>;

export const SUC_NAMESPACE = "system-upgrade";
export const SUC_SERVICE_ACCOUNT = "system-upgrade";
export const K3S_UPGRADE_IMAGE = "rancher/k3s-upgrade";
export const SERVER_PLAN = "server-plan";
export const AGENT_PLAN = "agent-plan";
/** the label k3s puts on its servers */
export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

const plan = (name: string, spec: Obj): Obj => ({ apiVersion: "upgrade.cattle.io/v1", kind: "Plan", metadata: { name, namespace: SUC_NAMESPACE }, spec });

/** The two Plans that take every node of the lab to its k3sVersion. */
export function k3sUpgradePlans(lab: Lab): Obj[] {
  const common = { concurrency: 1, serviceAccountName: SUC_SERVICE_ACCOUNT, tolerations: [{ operator: "Exists" }], upgrade: { image: K3S_UPGRADE_IMAGE }, version: lab.k3sVersion };
  return [
    plan(SERVER_PLAN, { ...common, cordon: true, nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: "In", values: ["true"] }] } }),
    plan(AGENT_PLAN, {
      ...common,
      cordon: true,
      drain: { force: false, skipWaitForDeleteTimeout: 60 },
      nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: "DoesNotExist" }] },
      prepare: { image: K3S_UPGRADE_IMAGE, args: ["prepare", SERVER_PLAN] },
    }),
  ];
}
