#!/usr/bin/env node
// Builds the dashboard's browser assets into dist/ui/public (shipped with the package, so `drover ui`
// needs no build step at run time). Deterministic: no timestamps, no hashes of the build time.
import { build } from "esbuild";
import { mkdirSync, copyFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "src/ui/web");
const out = join(root, "dist/ui/public");
mkdirSync(join(out, "assets"), { recursive: true });
await build({
  entryPoints: [join(web, "main.tsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  jsxImportSource: "preact",
  outfile: join(out, "assets/app.js"),
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(join(web, "styles.css"), join(out, "assets/styles.css"));
copyFileSync(join(web, "index.html"), join(out, "index.html"));
const js = readFileSync(join(out, "assets/app.js"));
writeFileSync(join(out, "assets/size.json"), JSON.stringify({ jsBytes: js.length, jsGzipBytes: gzipSync(js).length }) + "\n");
