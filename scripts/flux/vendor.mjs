#!/usr/bin/env node
// Refreshes vendor/flux/v<FLUX_VERSION>/crds.json (the Flux CRDs `drover render` writes into
// flux-system/crds) from the tool cache that `scripts/tools/install.sh platform` builds at the versions
// pinned in scripts/tools/versions.sh: source- and kustomize-controller's config/crd/bases, helm- and
// notification-controller's generated from their api modules with controller-gen. Each file is read as
// Kubernetes reads it (YAML 1.1) and kept as JSON, which renders read in milliseconds. Run after changing
// FLUX_VERSION (npm run build first). A test (dist/render/flux/flux-system.test.js) fails while the
// vendored CRDs differ from the cache.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { platformData } from "../../dist/testing/paths.js";
import { FLUX_VERSION } from "../../dist/render/flux/layout.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const from = join(platformData("crds"), "flux");
const to = join(root, "vendor", "flux", `v${FLUX_VERSION}`);
const files = readdirSync(from).filter((f) => f.endsWith(".yaml")).sort();
const crds = files.map((file) => {
  const doc = parseDocument(readFileSync(join(from, file), "utf8"), { version: "1.1" });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
  return { file, crd: doc.toJS() };
});
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
writeFileSync(join(to, "crds.json"), `${JSON.stringify(crds, null, 1)}\n`);
console.log(`vendor/flux/v${FLUX_VERSION}/crds.json: ${files.length} CRDs from ${from}`);
