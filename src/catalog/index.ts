// catalog/: one file per app Drover can run, and what each needs (image, ports, volumes, secrets, resources).
import type { CatalogApp } from "./app.js";
import { apps } from "./apps/index.js";

export type { CatalogApp, CatalogPort, CatalogVolume, Arch } from "./app.js";

const byName: ReadonlyMap<string, CatalogApp> = new Map(apps.map((a) => [a.name, a]));

export function catalogApp(name: string): CatalogApp | undefined {
  return byName.get(name);
}

export function catalogNames(): string[] {
  return [...byName.keys()].sort();
}

export const catalog: readonly CatalogApp[] = apps;
