// drover keys rotate talos-ca: a new Talos OS CA (the one that signs the Talos API's certificates),
// rolled out the way `talosctl rotate-ca` does it, one phase per run so that talosctl never loses
// access to a node:
//   phase 1  a new CA is made and every node accepts it (machine.acceptedCAs); nothing uses it yet
//   phase 2  it becomes the CA (machine.ca, the talosconfig's client certificate); the old one stays
//            accepted, and the talosconfig trusts both while nodes switch over
//   phase 3  the old CA is dropped
// After each run: apply every node's config, then run the command again.
import { randomBytes } from "node:crypto";
import { CA_VALIDITY_MS } from "../../secrets/talos.js";
import { selfSignedCa } from "../../secrets/x509/certificate.js";
import type { CertAndKey, TalosSecrets } from "../../secrets/types.js";
import { UserError } from "../../errors.js";
import { advanceCaRotation, caRotationPhase, type CaRotationPhase, type CaRotationState } from "../../secrets/ca-rotation.js";
import type { Rotation } from "./types.js";
import { talosApplyRollout } from "../../render/talos/distribution.js";

/** A new Ed25519 OS CA shaped like the one `talosctl gen secrets` makes. */
export function newOsCa(now: Date): CertAndKey {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) || 1;
  return selfSignedCa({ subject: { organization: ["talos"] }, algorithm: "ed25519", notBefore, notAfter: new Date(notBefore.getTime() + CA_VALIDITY_MS), serial });
}

export type OsCaPhase = CaRotationPhase;

const osCaState = (t: TalosSecrets): CaRotationState => ({ current: t.certs.os, ...(t.nextOsCa ? { next: t.nextOsCa } : {}), ...(t.acceptedOsCas?.length ? { accepted: t.acceptedOsCas } : {}) });

export const osCaPhase = (t: TalosSecrets): OsCaPhase => caRotationPhase(osCaState(t));

const PHASES: Record<OsCaPhase, [string, string[]]> = {
  idle: ["phase 1 of 3: a new OS CA is made; every node is told to accept it (machine.acceptedCAs)", ["talos OS CA: new CA staged (accepted, not yet used)"]],
  "accepting-next": ["phase 2 of 3: the new OS CA signs the nodes' and talosctl's certificates; the old one stays accepted", ["talos OS CA: new CA in use, previous one still accepted", "talosconfig client certificate (signed by the new CA)"]],
  "accepting-previous": ["phase 3 of 3: the old OS CA is no longer accepted; the rotation is complete", ["talos OS CA: previous CA dropped"]],
};

/** The next state of the Talos secrets, and what the step was (the three steps of secrets/ca-rotation.ts). */
export function advanceOsCa(t: TalosSecrets, now: Date): { talos: TalosSecrets; phase: string; changed: string[] } {
  const { nextOsCa: _n, acceptedOsCas: _a, ...rest } = t;
  const s = advanceCaRotation(osCaState(t), () => newOsCa(now));
  const [phase, changed] = PHASES[osCaPhase(t)];
  return { talos: { ...rest, certs: { ...t.certs, os: s.current }, ...(s.next ? { nextOsCa: s.next } : {}), ...(s.accepted ? { acceptedOsCas: s.accepted } : {}) }, phase, changed };
}

export function talosCaRotation(now: () => Date = () => new Date()): Rotation {
  return {
    kind: "talos-ca",
    description: "a new Talos OS CA (the Talos API's certificates), in three phases like talosctl rotate-ca; run it again after each rollout",
    rotate(store, lab) {
      if (!lab.capabilities.osCertificateAuthority) throw new UserError(`lab ${lab.name} runs ${lab.distribution}, which has no Talos OS CA`, "rotate join-token, sops or wireguard instead");
      const next = advanceOsCa(store.secrets.talos, now());
      const last = osCaPhase(next.talos) === "idle";
      return {
        store: { ...store, secrets: { ...store.secrets, talos: next.talos } },
        changed: next.changed,
        rollout: talosApplyRollout(lab, "no-reboot"),
        notes: [
          next.phase,
          "run the talosctl commands in the output folder, control planes first",
          ...(last ? [] : ["when every node has its new config, run `drover keys rotate talos-ca` again for the next phase"]),
        ],
      };
    },
  };
}
