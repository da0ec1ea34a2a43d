// Secret values of the platform: generated ones (session keys, passwords) live in the secrets store
// under "_platform" and are made on first use; credentials only the user has (DNS API tokens, Ceph
// keys, backup-target keys) live under "_external" and are listed in the bootstrap README when missing.
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { appSecret, derivedSecret, type AppSecretKind } from "../../secrets/generate.js";

export const GENERATED = "_platform";
export { EXTERNAL } from "../../secrets/external.js";
import { EXTERNAL } from "../../secrets/external.js";

export interface SecretSource {
  /** a generated value, made once and kept in the store */
  generated(name: string, kind?: AppSecretKind): string;
  /** a value computed from others (a costly password hash), kept in the store and remade only when `stale` says so */
  derived(name: string, make: () => string, stale: (have: string) => boolean): string;
  /** a value the user puts in the store (apps._external.<name>); empty when missing (and reported) */
  external(name: string, purpose: string): string;
  /** external values asked for and missing: name → purpose */
  readonly missing: Map<string, string>;
}

export function secretSource(secrets: LabSecrets): SecretSource {
  const missing = new Map<string, string>();
  return {
    generated: (name, kind = "password") => appSecret(secrets, GENERATED, name, kind),
    derived: (name, make, stale) => derivedSecret(secrets, GENERATED, name, make, stale),
    external(name, purpose) {
      const v = secrets.apps[EXTERNAL]?.[name];
      if (v === undefined || v === "") missing.set(name, purpose);
      return v ?? "";
    },
    missing,
  };
}

/** `${secret:name}` references in spec strings (Apprise URLs) → the external values. */
export function substituteSecrets(text: string, s: SecretSource, purpose: string): string {
  return text.replace(/\$\{secret:([A-Za-z0-9_.-]+)\}/g, (_, n: string) => s.external(n, purpose));
}

export type { Lab };
