// A CA replaced without cutting anyone off, in three steps, the way `talosctl rotate-ca` rolls the
// Talos and Kubernetes CAs (pkg/rotate/pki in Talos): each step is one store state, rendered and rolled
// out to every node before the next.
//   idle                 only the CA in use
//   accepting-next       a new CA is made; every node accepts it, nothing is issued by it yet
//   accepting-previous   the new CA issues; the previous one is still accepted while nodes switch
// then idle again, with only the new CA.
import type { CertAndKey } from "./types.js";

export type CaRotationPhase = "idle" | "accepting-next" | "accepting-previous";

export interface CaRotationState {
  readonly current: CertAndKey;
  /** the CA being rolled in (accepted, not used yet) */
  readonly next?: CertAndKey;
  /** PEM certificates of previous CAs still accepted */
  readonly accepted?: readonly string[];
}

export function caRotationPhase(s: CaRotationState): CaRotationPhase {
  if (s.next) return "accepting-next";
  if (s.accepted?.length) return "accepting-previous";
  return "idle";
}

/** The state after the next step; `make` makes the new CA (called only from idle). */
export function advanceCaRotation(s: CaRotationState, make: () => CertAndKey): CaRotationState {
  switch (caRotationPhase(s)) {
    case "idle":
      return { current: s.current, next: make() };
    case "accepting-next":
      return { current: s.next!, accepted: [s.current.crt] };
    case "accepting-previous":
      return { current: s.current };
  }
}

/** What every node accepts besides the CA in use, in the order Talos lists them: the next CA, then previous ones. */
export const acceptedCaCertificates = (s: CaRotationState): string[] => [...(s.next ? [s.next.crt] : []), ...(s.accepted ?? [])];
