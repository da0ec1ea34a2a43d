// Which generated secret values an app instance needs: its catalog's own (admin passwords, app keys),
// the password of its Postgres, and the restic repository password when it is backed up.
import type { CatalogApp, SecretKind } from "./app.js";

/** `a` is an app instance (the resolved lab's App): its catalog entry and whether it is backed up. */
export function appSecretSpecs(a: { readonly catalog: CatalogApp; readonly backup: boolean }): Record<string, SecretKind> {
  const out: Record<string, SecretKind> = { ...(a.catalog.secrets ?? {}) };
  if (a.catalog.dependencies.includes("postgres")) out["postgres-password"] = "password";
  if (a.backup && a.catalog.volumes.length) out["restic-password"] = "password";
  return out;
}
