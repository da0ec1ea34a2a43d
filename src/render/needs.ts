// What a lab still needs from its owner before it can run: credentials only the user has (DNS API
// tokens, S3 keys of backup targets, TSIG secrets, …; stored with `drover secrets set <name>`) and
// placeholders the render had to put in (the Git remote Flux pulls from). `drover check` and
// `drover render` list them; nothing is left silently empty.
import type { Lab } from "../lab/types.js";
import type { LabSecrets } from "../secrets/types.js";
import { platformComponents } from "./platform/index.js";
import { publicApps, publicTarget } from "../lab/public-entry.js";
import { internalCaPermits } from "../secrets/internal-ca.js";

export interface Need {
  readonly name: string;
  readonly kind: "credential" | "placeholder";
  /** what it is for */
  readonly what: string;
  /** how to provide it */
  readonly fix: string;
}

/** Everything the lab still needs, credentials first (by name), then placeholders. */
export function labNeeds(lab: Lab, secrets: LabSecrets): Need[] {
  const { missing } = platformComponents(lab, secrets);
  const out: Need[] = [...missing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, what]) => ({ name, kind: "credential", what, fix: `drover secrets set ${name}` }));
  if (!lab.gitops.url && !lab.gitops.forge && !lab.gitops.serve) {
    out.push({ name: "gitops.url", kind: "placeholder", what: "the Git remote Flux pulls the kubernetes/ tree from (rendered as https://git.example.invalid/drover/lab.git until set)", fix: "set gitops.url in lab.yaml (gitops.forge for an in-lab forge, or gitops.serve for drover to serve it from this machine) and render again" });
  }
  if (publicApps(lab).length && lab.network.dns.public !== "none" && !publicTarget(lab)) {
    out.push({ name: "sites[].publicAddress", kind: "placeholder", what: "the public address public DNS records point at (without it external-dns publishes the load balancer's LAN address)", fix: "set publicAddress on the site that serves the public services" });
  }
  if (secrets.internalCa && !internalCaPermits(secrets.internalCa.crt, lab.domains.private)) {
    out.push({ name: "internal CA", kind: "placeholder", what: `the internal CA was made for another private domain: clients reject its certificates for ${lab.domains.private}`, fix: "drover keys rotate internal-ca, then trust the new CA on every device (drover ca export)" });
  }
  return out;
}
