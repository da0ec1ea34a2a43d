// Which generated secret values an app instance needs: its catalog's own (admin passwords, app keys),
// the password of its Postgres, and the restic repository password when it is backed up.
import type { App } from "../lab/types.js";
import type { SecretKind } from "./app.js";

export function appSecretSpecs(a: Pick<App, "catalog" | "backup">): Record<string, SecretKind> {
  const out: Record<string, SecretKind> = { ...(a.catalog.secrets ?? {}) };
  if (a.catalog.dependencies.includes("postgres")) out["postgres-password"] = "password";
  if (a.backup && a.catalog.volumes.length) out["restic-password"] = "password";
  return out;
}
