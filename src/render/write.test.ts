import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addFile, tree, type FileTree } from "./tree.js";
import { writeTree } from "./write.js";

function read(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1)] = `${(statSync(join(e.parentPath, e.name)).mode & 0o777).toString(8)} ${readFileSync(join(e.parentPath, e.name), "utf8")}`;
  }
  return out;
}

function make(files: Record<string, string>, secret: string[] = []): FileTree {
  const t = tree();
  for (const [p, c] of Object.entries(files)) addFile(t, p, c, secret.includes(p) ? { secret: true } : {});
  return t;
}

const base = { "a/x.yaml": "x: 1\n", "a/b/y.yaml": "y: 2\n", "top.yaml": "t\n", "s/secret.yaml": "k: v\n" };

test("a re-render writes only what changed, adds and removes files and folders, keeps modes", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-write-"));
  const out = join(dir, "out");
  try {
    assert.deepEqual(writeTree(make(base, ["s/secret.yaml"]), out), { files: 4, written: 4 });
    assert.equal(statSync(join(out, "s/secret.yaml")).mode & 0o777, 0o600);
    const before = statSync(join(out, "a/x.yaml")).mtimeMs;
    assert.deepEqual(writeTree(make(base, ["s/secret.yaml"]), out), { files: 4, written: 0 });
    assert.equal(statSync(join(out, "a/x.yaml")).mtimeMs, before);
    const next = { "a/x.yaml": "x: 1\n", "a/b/y.yaml": "y: 3\n", "n/m/z.yaml": "z\n", "s/secret.yaml": "k: v\n" };
    assert.deepEqual(writeTree(make(next, ["s/secret.yaml"]), out), { files: 4, written: 2 });
    assert.deepEqual(read(out), { "a/x.yaml": "644 x: 1\n", "a/b/y.yaml": "644 y: 3\n", "n/m/z.yaml": "644 z\n", "s/secret.yaml": "600 k: v\n" });
    // a file that lost its secret flag gets its mode back; one changed by hand is rewritten; strays go
    writeFileSync(join(out, "a/x.yaml"), "edited\n");
    writeFileSync(join(out, "stray.txt"), "?");
    assert.equal(writeTree(make(next), out).written, 2);
    assert.deepEqual(read(out), { "a/x.yaml": "644 x: 1\n", "a/b/y.yaml": "644 y: 3\n", "n/m/z.yaml": "644 z\n", "s/secret.yaml": "644 k: v\n" });
    // a file where a folder was (and the reverse) falls back to the folder swap
    assert.equal(writeTree(make({ a: "now a file\n", "top.yaml/inner": "i\n" }), out).written, 2);
    assert.deepEqual(read(out), { a: "644 now a file\n", "top.yaml/inner": "644 i\n" });
    assert.deepEqual(readdirSync(dir), ["out"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an error half-way through an update leaves the previous output exactly as it was", () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-write-"));
  const out = join(dir, "out");
  try {
    writeTree(make(base), out);
    const before = read(out);
    const next = { "a/x.yaml": "x: changed\n", "a/b/y.yaml": "y: 2\n", "new/dir/n.yaml": "n\n", "z.yaml": "z\n" };
    let n = 0;
    assert.throws(() => writeTree(make(next), out, { onFile: () => { if (++n === 4) throw new Error("disk full (simulated)"); } }), /disk full/);
    assert.deepEqual(read(out), before);
    assert.deepEqual(readdirSync(out).sort(), ["a", "s", "top.yaml"]);
    assert.deepEqual(readdirSync(dir), ["out"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
