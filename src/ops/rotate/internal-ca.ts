// drover keys rotate internal-ca: a new internal CA (key and certificate, under the lab's current
// private domain) in the secrets store. Once rendered and reconciled, cert-manager's `internal-ca`
// ClusterIssuer signs with it; certificates it signed before stay valid until cert-manager renews
// them. Every device that trusted the old CA must trust the new one: nothing else can do that.
import { generateInternalCa } from "../../secrets/internal-ca.js";
import type { Rotation } from "./types.js";

export function internalCaRotation(make: typeof generateInternalCa = generateInternalCa): Rotation {
  return {
    kind: "internal-ca",
    description: "a new internal CA for the private domain (devices must trust it again)",
    rotate(store, lab) {
      const internalCa = make(lab.name, [lab.domains.private]);
      return {
        store: { ...store, secrets: { ...store.secrets, internalCa } },
        changed: ["internal CA"],
        rollout: [],
        warnings: ["devices must trust the new internal CA again: until each device installs it (drover ca export, or the seat bundle's internal-ca.crt), browsers and apps on it reject every private-domain certificate cert-manager signs from now on"],
        notes: [
          "commit and push the render (drover up) or drover apply: cert-manager's internal-ca issuer then signs with the new CA; renew what the old one signed now with cmctl renew --all-namespaces --all (or wait for cert-manager's renewals)",
        ],
      };
    },
  };
}
