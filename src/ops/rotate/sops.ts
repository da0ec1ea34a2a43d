// drover keys rotate sops: a new data key for the secrets store and a new manifest key for the
// rendered SOPS files, both encrypted to exactly the recipients lab.yaml lists now (or, without a
// secrets: section, the store's current ones). Removing a recipient from lab.yaml and rotating locks
// that key out: it opens neither the store nor anything rendered after. (Re-wrapping alone, which
// every render does when the recipients change, keeps the old data key — which that key may have kept.)
import { newEnvelope } from "../../secrets/sops/index.js";
import { newManifestKey } from "../../secrets/manifest.js";
import type { Rotation } from "./types.js";

export function sopsRotation(now: () => Date = () => new Date()): Rotation {
  return {
    kind: "sops",
    description: "new SOPS data keys for the secrets store and every rendered Secret, encrypted to lab.yaml's current age recipients",
    async rotate(store, lab) {
      const recipients = lab.secretsStore.recipients ?? store.envelope.age.map((s) => s.recipient);
      const envelope = await newEnvelope(recipients);
      const manifestKey = await newManifestKey(recipients, now());
      return {
        store: { secrets: { ...store.secrets, manifestKey }, envelope },
        changed: ["secrets store data key", "manifest data key"],
        rollout: [],
        notes: [
          `encrypted to ${recipients.length} recipient${recipients.length === 1 ? "" : "s"}: ${recipients.join(", ")}; keys not listed can no longer open the store or the rendered Secrets`,
          "commit the store and the rendered tree; Flux decrypts with its own age key, which must be one of the recipients",
        ],
      };
    },
  };
}
