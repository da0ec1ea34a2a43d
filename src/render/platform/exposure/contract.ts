// The exposure-mode contract, render side: what a mode adds to the Flux tree (cloudflared for a
// Cloudflare Tunnel, the DDNS updater beside external-dns), as each mode's own file
// (render/platform/exposure/<name>.ts), found by name in index.ts. What a mode is (its public entry,
// port forwards, HTTP-01, credentials, lab.yaml checks) is src/exposure/.
import type { Lab } from "../../../lab/types.js";
import type { ExposureModeName } from "../../../exposure/index.js";
import type { Component, Obj } from "../../flux/layout.js";
import type { SecretSource } from "../secrets.js";

export interface ExposureRenderer {
  readonly name: ExposureModeName;
  /** its own platform component, after the ingress it sends traffic to (undefined: not used by this lab) */
  component?(lab: Lab, s: SecretSource, deps: readonly string[]): Component | undefined;
  /** objects in external-dns's namespace beside the public instance, reading its credentials Secret `tokenSecret`
   *  (asked only when network.dns.public is the mode's publicDns) */
  externalDns?(lab: Lab, tokenSecret: string): Obj[];
}
