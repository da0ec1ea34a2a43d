// drover keys rotate join-token: new join credentials, as the distribution makes them (its
// rotateJoinToken). Talos: the bootstrap token (cluster.token, what kubelets join with) and the trustd
// token (machine.token, what machines get their certificates with). k3s: the cluster token. A leaked
// token then admits nobody; running nodes keep working.
import { distributionOf } from "../../render/distributions.js";
import type { Rotation } from "./types.js";

export { controlPlanesFirst } from "../../render/distribution-contract.js";
export { talosApplyRollout } from "../../render/talos/distribution.js";

export function joinTokenRotation(): Rotation {
  return {
    kind: "join-token",
    description: "new join tokens: the Talos bootstrap and trustd tokens, or the k3s cluster token",
    rotate(store, lab) {
      const { secrets, ...rest } = distributionOf(lab).rotateJoinToken(store.secrets, lab);
      return { store: { ...store, secrets }, ...rest };
    },
  };
}
