// drover keys rotate join-token: new join credentials. Talos: the bootstrap token (cluster.token, what
// kubelets join with) and the trustd token (machine.token, what machines get their certificates with).
// k3s: the cluster token. A leaked token then admits nobody; running nodes keep working.
import { randomBytes } from "node:crypto";
import type { Lab } from "../../lab/types.js";
import { talosToken } from "../../secrets/talos.js";
import type { RolloutStep, Rotation } from "./types.js";

/** Control planes first, then the other nodes, each group in spec order. */
export const controlPlanesFirst = (lab: Lab) => [...lab.controlPlanes(), ...lab.nodes.filter((n) => n.role !== "controlplane")];

/** `talosctl apply-config` of each node's rendered config, control planes first (run in the output folder). */
export function talosApplyRollout(lab: Lab, mode?: string): RolloutStep[] {
  return controlPlanesFirst(lab).map((n) => ({
    node: n.name,
    file: `talos/${n.name}.yaml`,
    action: `talosctl --talosconfig talos/talosconfig --nodes ${n.address} apply-config${mode ? ` --mode ${mode}` : ""} --file talos/${n.name}.yaml`,
  }));
}

export function joinTokenRotation(): Rotation {
  return {
    kind: "join-token",
    description: "new join tokens: the Talos bootstrap and trustd tokens, or the k3s cluster token",
    rotate(store, lab) {
      const s = store.secrets;
      if (lab.distribution === "talos") {
        return {
          store: { ...store, secrets: { ...s, talos: { ...s.talos, bootstrapToken: talosToken(), trustdToken: talosToken() } } },
          changed: ["talos bootstrap token (cluster.token)", "talos trustd token (machine.token)"],
          rollout: talosApplyRollout(lab),
          notes: ["run the talosctl commands in the output folder; running nodes keep working, new machines need the new configs"],
        };
      }
      const first = lab.controlPlanes()[0]?.name;
      return {
        store: { ...store, secrets: { ...s, k3s: { token: randomBytes(32).toString("hex") } } },
        changed: ["k3s token"],
        rollout: controlPlanesFirst(lab).map((n) => ({
          node: n.name,
          file: `k3s/${n.name}/config.yaml`,
          action: `${n.name === first ? "k3s token rotate --new-token <the token: of this file>, then " : ""}copy to /etc/rancher/k3s/config.yaml, then: systemctl restart ${n.role === "controlplane" ? "k3s" : "k3s-agent"}`,
        })),
        notes: [`k3s accepts the old token until ${first} has rotated it; servers first, then agents`],
      };
    },
  };
}
