// How an app is reached, the one copy: what the lab says, else the catalog's default.
import type { AppSpec } from "../spec/schema.js";
import type { CatalogApp } from "../catalog/index.js";

export type ExposureKind = "public" | "private" | "none";

/** The effective exposure of an app entry: its own `exposure`, else its catalog app's default. */
export function exposureOf(app: Pick<AppSpec, "exposure">, catalog: Pick<CatalogApp, "exposure">): ExposureKind {
  return app.exposure ?? catalog.exposure;
}
