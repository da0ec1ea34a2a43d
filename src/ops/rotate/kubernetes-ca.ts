// drover keys rotate kubernetes-ca: a new Kubernetes CA, one phase per run, as the distribution rolls
// it (its rotateKubernetesCa): Talos in three phases like `talosctl rotate-ca --kubernetes`
// (render/talos/kubernetes-ca.ts), k3s through `k3s certificate rotate-ca` (render/k3s/rotate-ca.ts).
// After each run: roll the printed steps out, then run it again. With --plan nothing is written.
import { distributionOf } from "../../render/distributions.js";
import { kubernetesCaDryRun } from "../../render/talos/kubernetes-ca.js";
import type { Rotation } from "./types.js";

export function kubernetesCaRotation(now: () => Date = () => new Date()): Rotation {
  return {
    kind: "kubernetes-ca",
    description: "a new Kubernetes CA, one phase per run (Talos: accept, switch, drop, like talosctl rotate-ca; k3s: k3s certificate rotate-ca); run it again after each rollout",
    rotate(store, lab) {
      const { secrets, phase: _p, done: _d, ...rest } = distributionOf(lab).rotateKubernetesCa(store.secrets, lab, now());
      const check = lab.capabilities.osCertificateAuthority && !store.secrets.talos.nextK8sCa && !store.secrets.talos.acceptedK8sCas?.length ? kubernetesCaDryRun(lab) : undefined;
      return { store: { ...store, secrets }, ...rest, ...(check ? { check } : {}) };
    },
  };
}
