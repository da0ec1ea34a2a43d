// The DNS-provider contract, render side: how external-dns writes the provider's records and how
// cert-manager answers DNS-01 with it, as each provider's own file (render/platform/dns/<name>.ts),
// found by name in index.ts. What a provider is (its zones, DNS-01, its settings) is src/dns/.
import type { Lab } from "../../../lab/types.js";
import type { LabSecrets } from "../../../secrets/types.js";
import type { DnsProviderName } from "../../../dns/index.js";
import type { Obj } from "../../flux/layout.js";
import type { Entry } from "../contract.js";
import type { SecretSource } from "../secrets.js";

/** external-dns's provider-specific settings for one instance. */
export interface ExternalDnsSettings {
  readonly args: readonly string[];
  readonly env: readonly Obj[];
  /** "txt": ownership records beside each record (txtOwnerId); "noop": the provider keeps no TXT records */
  readonly registry: "txt" | "noop";
}

export interface DnsRenderer {
  readonly name: DnsProviderName;
  /** one external-dns instance per server that keeps its own records (Pi-hole: each replica); [undefined]: one instance */
  instances(lab: Lab): readonly (string | undefined)[];
  /** the instance's settings; `secretName` is the Secret holding credentials(), `server` one of instances() */
  externalDns(lab: Lab, e: Entry, secretName: string, server: string | undefined): ExternalDnsSettings;
  /** the Secret data external-dns reads */
  credentials(lab: Lab, store: LabSecrets, s: SecretSource): Record<string, string>;
  /** cert-manager's DNS-01 solver and the Secret (in cert-manager's namespace) it reads */
  dns01?(lab: Lab, s: SecretSource): { readonly solver: Obj; readonly secret: { readonly name: string; readonly data: Record<string, string> } } | undefined;
}
