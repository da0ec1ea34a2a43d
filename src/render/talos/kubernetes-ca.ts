// The Kubernetes CA rotation on Talos (`drover keys rotate kubernetes-ca`), the steps `talosctl
// rotate-ca --kubernetes` takes (pkg/rotate/pki/kubernetes), one per run, with the CAs kept in the
// secrets store instead of made on the fly:
//   phase 1  a new CA; every node accepts it (cluster.acceptedCAs), the API server still issues with the old
//   phase 2  the new CA issues (cluster.ca; with its key on control planes), the old one stays accepted
//   phase 3  the old CA is dropped
// Each phase reaches a node as talosctl does it: apply the config without a reboot, then restart the
// kubelet so it reloads the CAs. Like talosctl, only the API server's issuing CA is rotated (not the
// front-proxy aggregator CA, not etcd's).
import type { Lab } from "../../lab/types.js";
import type { LabSecrets, TalosSecrets } from "../../secrets/types.js";
import { advanceCaRotation, caRotationPhase, type CaRotationState } from "../../secrets/ca-rotation.js";
import { newKubernetesCa } from "../../secrets/talos.js";
import type { RolloutStep } from "../distribution-contract.js";
import { controlPlanesFirst } from "../distribution-contract.js";

export const kubernetesCaState = (t: TalosSecrets): CaRotationState => ({
  current: t.certs.k8s,
  ...(t.nextK8sCa ? { next: t.nextK8sCa } : {}),
  ...(t.acceptedK8sCas?.length ? { accepted: t.acceptedK8sCas } : {}),
});

function withState(t: TalosSecrets, s: CaRotationState): TalosSecrets {
  const { nextK8sCa: _n, acceptedK8sCas: _a, ...rest } = t;
  return { ...rest, certs: { ...t.certs, k8s: s.current }, ...(s.next ? { nextK8sCa: s.next } : {}), ...(s.accepted?.length ? { acceptedK8sCas: s.accepted } : {}) };
}

const PHASES = {
  idle: ["phase 1 of 3: a new Kubernetes CA is made; every node is told to accept it (cluster.acceptedCAs); the API server still issues with the old one", "Kubernetes CA: new CA staged (accepted, not yet issuing)"],
  "accepting-next": ["phase 2 of 3: the new Kubernetes CA issues the API server's and the kubelets' certificates (cluster.ca); the old one stays accepted", "Kubernetes CA: new CA issuing, previous one still accepted"],
  "accepting-previous": ["phase 3 of 3: the old Kubernetes CA is no longer accepted; the rotation is complete", "Kubernetes CA: previous CA dropped"],
} as const;

/** talosctl's per-node step: the new config without a reboot, then a kubelet restart (it reloads its CAs). */
export function kubernetesCaRollout(lab: Lab): RolloutStep[] {
  return controlPlanesFirst(lab).map((n) => {
    const talosctl = ["talosctl", "--talosconfig", "talos/talosconfig", "--nodes", n.address];
    const commands = [[...talosctl, "apply-config", "--mode", "no-reboot", "--file", `talos/${n.name}.yaml`], [...talosctl, "service", "kubelet", "restart"]];
    return { node: n.name, file: `talos/${n.name}.yaml`, action: commands.map((c) => c.join(" ")).join(" && "), commands };
  });
}

/**
 * talosctl's own dry run of a Kubernetes CA rotation: it reads the cluster's topology and the current CA
 * and changes nothing — a check that talosctl reaches every node before the first phase.
 */
export function kubernetesCaDryRun(lab: Lab, outDir = "."): string[] {
  const cps = lab.controlPlanes().map((n) => n.address);
  const workers = lab.nodes.filter((n) => n.role !== "controlplane").map((n) => n.address);
  return [
    "talosctl", "--talosconfig", `${outDir}/talos/talosconfig`, "rotate-ca", "--nodes", cps[0]!,
    "--talos=false", "--kubernetes=true", "--dry-run=true",
    "--control-plane-nodes", cps.join(","), ...(workers.length ? ["--worker-nodes", workers.join(",")] : []),
  ];
}

export function rotateTalosKubernetesCa(s: LabSecrets, lab: Lab, now: Date) {
  const state = kubernetesCaState(s.talos);
  const from = caRotationPhase(state);
  const next = advanceCaRotation(state, () => newKubernetesCa(now));
  const done = caRotationPhase(next) === "idle";
  const [phase, changed] = PHASES[from];
  return {
    secrets: { ...s, talos: withState(s.talos, next) },
    changed: [changed],
    rollout: kubernetesCaRollout(lab),
    phase,
    done,
    notes: [
      phase,
      "run the talosctl commands in the output folder, control planes first; each node's kubelet restarts",
      ...(from === "accepting-next" ? ["the API server now presents a certificate of the new CA: fetch a new kubeconfig with `talosctl kubeconfig` once the control planes have their configs"] : []),
      ...(done ? [] : ["when every node has its new config and is Ready, run `drover keys rotate kubernetes-ca` again for the next phase"]),
    ],
  };
}
