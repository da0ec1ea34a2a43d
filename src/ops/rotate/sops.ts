// drover keys rotate sops: a new data key for the secrets store and a new manifest key for the
// rendered SOPS files, both wrapped for exactly the recipients lab.yaml lists now. Removing a recipient
// from lab.yaml and rotating locks that key out: it can open neither the store nor anything rendered
// after (re-wrapping alone would keep the old data key, which the removed key may have kept).
import { newEnvelope } from "../../secrets/sops/index.js";
import { newManifestKey } from "../../secrets/manifest.js";
import type { Rotation } from "./types.js";

export const sopsRotation: Rotation = {
  name: "sops",
  description: "new SOPS data keys for the secrets store and the rendered Secrets, encrypted to lab.yaml's current age recipients",
  async rotate({ store, recipients, now }) {
    const envelope = await newEnvelope(recipients);
    const manifestKey = await newManifestKey(recipients, now);
    return {
      store: { secrets: { ...store.secrets, manifestKey }, envelope },
      changed: [`secrets store data key (encrypted to ${recipients.length} recipient${recipients.length === 1 ? "" : "s"})`, "manifest data key (every rendered SOPS file re-encrypted)"],
    };
  },
  rollout({ lab }) {
    return [{
      title: `commit the re-encrypted store and rendered tree; Flux decrypts with its own age key${lab.gitops.url || lab.gitops.forge ? "" : " (when GitOps is set up)"}, which must be one of the recipients`,
      commands: ["git add -A && git commit -m 'rotate SOPS data keys'"],
    }];
  },
};
