// Credentials only the user has (DNS API tokens, S3 keys of backup targets, TSIG secrets, Ceph keys):
// kept in the secrets store under apps._external.<name>, set with `drover secrets set <name>`.
import type { LabSecrets } from "./types.js";
import { derivedSecret, takeAdditions } from "./generate.js";

export const EXTERNAL = "_external";

/** A name such as cloudflare-api-token or backup-b2-access-key. */
export const EXTERNAL_NAME = /^[a-z0-9][a-z0-9._-]{0,126}$/;

/** Why a value cannot be stored as given, or undefined when it can. */
export function externalValueProblem(value: string): string | undefined {
  if (value === "") return "the value is empty";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) return "the value holds control characters (a stray escape or a binary file?)";
  return undefined;
}

/** Stores (or replaces) the value; says what changed. The store's save() writes it. */
export function setExternalSecret(secrets: LabSecrets, name: string, value: string): "added" | "changed" | "unchanged" {
  if (!EXTERNAL_NAME.test(name)) throw new Error(`internal: bad external secret name ${name}`);
  const had = secrets.apps[EXTERNAL]?.[name];
  if (had === value) return "unchanged";
  derivedSecret(secrets, EXTERNAL, name, () => value, (have) => have !== value);
  return had === undefined || had === "" ? "added" : "changed";
}

export { takeAdditions };
