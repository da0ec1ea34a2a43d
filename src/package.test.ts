// The published package (what `npm pack` puts in the tarball) carries the product, not its tests:
// no compiled test files, no test helpers (dist/testing), checked with npm's own file selection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { ROOT } from "./testing/paths.js";

test("npm pack ships bin, dist, examples, schema and vendor, and no test file or test helper", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
  assert.ok(files.includes("bin/drover.js"), "bin/drover.js is in the package");
  assert.ok(files.includes("dist/cli/main.js"), "the compiled CLI is in the package");
  assert.ok(files.some((f) => f.startsWith("examples/")) && files.some((f) => f.startsWith("schema/")));
  const tests = files.filter((f) => /\.test\.js(\.map)?$/.test(f) || f.startsWith("dist/testing/") || /fixture/.test(f));
  assert.deepEqual(tests, [], "test files in the package");
});
