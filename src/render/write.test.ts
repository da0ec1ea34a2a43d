import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { addFile, tree, type FileTree } from "./tree.js";
import { checkOutputFolder, writeTree, OutputFolderError } from "./write.js";
import { MANIFEST } from "./output-manifest.js";
import { gitignorePattern } from "./gitignore.js";

/** Every file below dir as "mode content"; the writer's bookkeeping (manifest, .gitignore files) left out unless asked. */
function read(dir: string, opts: { all?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = join(e.parentPath, e.name).slice(dir.length + 1);
    if (!opts.all && (rel === MANIFEST || e.name === ".gitignore")) continue;
    out[rel] = `${(statSync(join(e.parentPath, e.name)).mode & 0o777).toString(8)} ${readFileSync(join(e.parentPath, e.name), "utf8")}`;
  }
  return out;
}

function make(files: Record<string, string>, secret: string[] = []): FileTree {
  const t = tree();
  for (const [p, c] of Object.entries(files)) addFile(t, p, c, secret.includes(p) ? { secret: true } : {});
  return t;
}

function scratch(): { dir: string; out: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "drover-write-"));
  return { dir, out: join(dir, "out"), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const manifest = (out: string) => JSON.parse(readFileSync(join(out, MANIFEST), "utf8")) as { files: string[]; dirs: string[] };

const base = { "a/x.yaml": "x: 1\n", "a/b/y.yaml": "y: 2\n", "top.yaml": "t\n", "s/secret.yaml": "k: v\n" };

test("a re-render writes only what changed, adds and removes its own files and folders, keeps modes", () => {
  const { dir, out, done } = scratch();
  try {
    // 4 files and s/.gitignore, derived from the secret one
    assert.deepEqual(writeTree(make(base, ["s/secret.yaml"]), out), { files: 5, written: 5, removed: 0 });
    assert.equal(statSync(join(out, "s/secret.yaml")).mode & 0o777, 0o600);
    assert.deepEqual(manifest(out).files, ["a/b/y.yaml", "a/x.yaml", "s/.gitignore", "s/secret.yaml", "top.yaml"]);
    assert.deepEqual(manifest(out).dirs, ["a", "a/b", "s"]);
    const before = statSync(join(out, "a/x.yaml")).mtimeMs;
    const manifestBefore = statSync(join(out, MANIFEST)).mtimeMs;
    assert.deepEqual(writeTree(make(base, ["s/secret.yaml"]), out), { files: 5, written: 0, removed: 0 });
    assert.equal(statSync(join(out, "a/x.yaml")).mtimeMs, before);
    assert.equal(statSync(join(out, MANIFEST)).mtimeMs, manifestBefore, "an unchanged render writes nothing at all");
    const next = { "a/x.yaml": "x: 1\n", "a/b/y.yaml": "y: 3\n", "n/m/z.yaml": "z\n", "s/secret.yaml": "k: v\n" };
    assert.deepEqual(writeTree(make(next, ["s/secret.yaml"]), out), { files: 5, written: 2, removed: 1 });
    assert.deepEqual(read(out), { "a/x.yaml": "644 x: 1\n", "a/b/y.yaml": "644 y: 3\n", "n/m/z.yaml": "644 z\n", "s/secret.yaml": "600 k: v\n" });
    // a file that lost its secret flag gets its mode back (and its .gitignore goes); one changed by hand is rewritten
    writeFileSync(join(out, "a/x.yaml"), "edited\n");
    assert.deepEqual(writeTree(make(next), out), { files: 4, written: 2, removed: 1 });
    assert.deepEqual(read(out), { "a/x.yaml": "644 x: 1\n", "a/b/y.yaml": "644 y: 3\n", "n/m/z.yaml": "644 z\n", "s/secret.yaml": "644 k: v\n" });
    assert.equal(existsSync(join(out, "s/.gitignore")), false);
    // a file where its folder was, and a folder where its file was
    assert.equal(writeTree(make({ a: "now a file\n", "n/m/z.yaml/inner": "i\n" }), out).written, 2);
    assert.deepEqual(read(out), { a: "644 now a file\n", "n/m/z.yaml/inner": "644 i\n" });
    assert.deepEqual(manifest(out), { ...manifest(out), files: ["a", "n/m/z.yaml/inner"], dirs: ["n", "n/m", "n/m/z.yaml"] });
    assert.deepEqual(readdirSync(dir), ["out"]);
    assert.deepEqual(readdirSync(out).sort(), [MANIFEST, "a", "n"], "no staging folder left behind");
  } finally {
    done();
  }
});

test("an error half-way through an update leaves the previous output exactly as it was", () => {
  const { dir, out, done } = scratch();
  try {
    writeTree(make(base), out);
    const before = read(out, { all: true });
    const next = { "a/x.yaml": "x: changed\n", "a/b/y.yaml": "y: 2\n", "new/dir/n.yaml": "n\n", "z.yaml": "z\n" };
    let n = 0;
    assert.throws(() => writeTree(make(next), out, { onFile: () => { if (++n === 4) throw new Error("disk full (simulated)"); } }), /disk full/);
    assert.deepEqual(read(out, { all: true }), before);
    assert.deepEqual(readdirSync(out).sort(), [MANIFEST, "a", "s", "top.yaml"]);
    assert.deepEqual(readdirSync(dir), ["out"]);
  } finally {
    done();
  }
});

test("a user's files beside the rendered ones survive every re-render: files, folders, .git, .gitignored files", () => {
  const { out, done } = scratch();
  try {
    writeTree(make(base), out);
    writeFileSync(join(out, "notes.md"), "mine\n");
    writeFileSync(join(out, "a/mine.txt"), "mine too\n");
    mkdirSync(join(out, "photos/2026"), { recursive: true });
    writeFileSync(join(out, "photos/2026/cat.jpg"), "jpeg");
    mkdirSync(join(out, "a/b/.git/objects"), { recursive: true });
    writeFileSync(join(out, "a/b/.git/HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(out, "a/b/.gitignore"), "local.env\n");
    writeFileSync(join(out, "a/b/local.env"), "TOKEN=mine\n");
    // a re-render without a/ at all: its files go, the folders stay because they hold the user's files
    writeTree(make({ "top.yaml": "t2\n" }), out);
    assert.deepEqual(read(out), {
      "top.yaml": "644 t2\n", "notes.md": "644 mine\n", "a/mine.txt": "644 mine too\n", "photos/2026/cat.jpg": "644 jpeg", "a/b/.git/HEAD": "644 ref: refs/heads/main\n", "a/b/local.env": "644 TOKEN=mine\n",
    });
    assert.equal(readFileSync(join(out, "a/b/.gitignore"), "utf8"), "local.env\n");
    assert.ok(existsSync(join(out, "a/b/.git/objects")));
    assert.deepEqual(manifest(out).dirs, ["a", "a/b"], "the folders drover made stay its own, removed once empty");
    // and a render bringing them back
    writeTree(make(base), out);
    assert.equal(readFileSync(join(out, "a/x.yaml"), "utf8"), "x: 1\n");
    assert.equal(readFileSync(join(out, "notes.md"), "utf8"), "mine\n");
    // once the user's files are gone, a render without a/ removes the folders drover made
    rmSync(join(out, "a/mine.txt"));
    rmSync(join(out, "a/b/.git"), { recursive: true });
    rmSync(join(out, "a/b/.gitignore"));
    rmSync(join(out, "a/b/local.env"));
    writeTree(make({ "top.yaml": "t\n" }), out);
    assert.deepEqual(readdirSync(out).sort(), [MANIFEST, "notes.md", "photos", "top.yaml"]);
  } finally {
    done();
  }
});

test("a non-empty folder without a manifest is refused, nothing touched; an empty one is taken", () => {
  const { out, done } = scratch();
  try {
    mkdirSync(join(out, "sub"), { recursive: true });
    writeFileSync(join(out, "precious.txt"), "keep\n");
    writeFileSync(join(out, "top.yaml"), "the user's own\n");
    const err = (() => { try { writeTree(make(base), out); } catch (e) { return e; } return undefined; })();
    assert.ok(err instanceof OutputFolderError, String(err));
    assert.match(err.message, /out is not empty and has no \.drover-render\.json: .*nothing was changed/);
    assert.match(err.hint ?? "", /render into a new or empty folder with -o/);
    assert.deepEqual(read(out, { all: true }), { "precious.txt": "644 keep\n", "top.yaml": "644 the user's own\n" });
    assert.deepEqual(readdirSync(out).sort(), ["precious.txt", "sub", "top.yaml"]);
    // an empty folder is taken over
    const empty = join(out, "sub");
    writeTree(make(base), empty);
    assert.equal(readFileSync(join(empty, "top.yaml"), "utf8"), "t\n");
    // a manifest that is not drover's is refused too
    writeFileSync(join(empty, MANIFEST), JSON.stringify({ version: 1, files: ["../precious.txt"], dirs: [] }));
    assert.throws(() => writeTree(make({}), empty), (e: Error) => e instanceof OutputFolderError && /lists "\.\.\/precious\.txt"/.test(e.message));
    writeFileSync(join(empty, MANIFEST), JSON.stringify({ version: 1, files: ["x/.git/config"], dirs: [] }));
    assert.throws(() => writeTree(make({}), empty), OutputFolderError);
    assert.equal(readFileSync(join(out, "precious.txt"), "utf8"), "keep\n");
  } finally {
    done();
  }
});

test("a user's file where the render puts one of its own is refused before anything is written", () => {
  const { out, done } = scratch();
  try {
    writeTree(make(base), out);
    writeFileSync(join(out, "new.yaml"), "the user's\n");
    const before = read(out, { all: true });
    assert.throws(() => writeTree(make({ ...base, "new.yaml": "drover's\n", "zz/z.yaml": "z\n" }), out), (e: Error) => e instanceof OutputFolderError && /new\.yaml exists and was not written by drover render/.test(e.message));
    assert.throws(() => checkOutputFolder(make({ ...base, "new.yaml": "drover's\n" }), out), OutputFolderError);
    // a user's folder where the render puts a file, a user's file where it puts a folder
    mkdirSync(join(out, "dir.yaml"));
    writeFileSync(join(out, "dir.yaml/mine"), "m");
    assert.throws(() => writeTree(make({ ...base, "dir.yaml": "d\n" }), out), /is a folder holding files drover did not write/);
    assert.throws(() => writeTree(make({ ...base, "new.yaml/inner": "i\n" }), out), /new\.yaml is a file drover did not write, where the render puts a folder/);
    assert.deepEqual(read(out, { all: true }), { ...before, "dir.yaml/mine": "644 m" });
    assert.deepEqual(readdirSync(out).sort(), [MANIFEST, "a", "dir.yaml", "new.yaml", "s", "top.yaml"]);
  } finally {
    done();
  }
});

test("never writes or deletes through a symbolic link a user put in place of a folder", () => {
  const { dir, out, done } = scratch();
  try {
    writeTree(make(base), out);
    const elsewhere = join(dir, "elsewhere");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "y.yaml"), "not drover's\n");
    rmSync(join(out, "a/b"), { recursive: true });
    symlinkSync(elsewhere, join(out, "a/b"));
    assert.throws(() => writeTree(make(base), out), /a\/b is a symbolic link drover did not write, where the render puts a folder/);
    writeTree(make({ "top.yaml": "t\n" }), out); // a/b/y.yaml is stale, but behind a link: left alone
    assert.equal(readFileSync(join(elsewhere, "y.yaml"), "utf8"), "not drover's\n");
  } finally {
    done();
  }
});

test("an output folder that is, or holds, the lab file, the secrets store or the age key is refused", () => {
  const { dir, done } = scratch();
  try {
    const lab = join(dir, "lab", "lab.yaml");
    mkdirSync(join(dir, "lab"));
    writeFileSync(lab, "cluster: {}\n");
    const protect = [{ path: lab, what: "the lab file" }];
    for (const out of [dir, join(dir, "lab")]) {
      assert.throws(() => writeTree(make(base), out, { protect }), (e: Error) => e instanceof OutputFolderError && /refusing to render into .*: it (is|contains) the lab file .*lab\.yaml, and nothing was changed/.test(e.message));
    }
    // through a symbolic link to the lab folder's parent, too
    symlinkSync(dir, join(dir, "..", `${dir.split("/").pop()}-link`));
    try {
      assert.throws(() => writeTree(make(base), `${dir}-link`, { protect }), OutputFolderError);
    } finally {
      rmSync(`${dir}-link`);
    }
    assert.deepEqual(readdirSync(dir), ["lab"]);
    assert.deepEqual(readdirSync(join(dir, "lab")), ["lab.yaml"]);
    assert.throws(() => writeTree(make(base), join(dir, "lab", ".git", "out")), /inside a \.git folder/);
    writeTree(make(base), join(dir, "lab", "out"), { protect }); // beside it is fine
  } finally {
    done();
  }
});

test("derived .gitignore files name exactly the secret files, escaped; git ignores them and nothing else", () => {
  assert.equal(gitignorePattern("a b/[x]*?.conf "), "/a b/\\[x\\]\\*\\?.conf\\ ");
  assert.throws(() => gitignorePattern("a\nb"), /internal/);
  const { dir, out, done } = scratch();
  try {
    const files = { "w/n1/wg0.conf": "k\n", "w/peers.txt": "p\n", "w/odd [name]*.conf": "k\n", "root-secret": "k\n", "kube/app.yaml": "a\n", "t/a.yaml": "s\n" };
    writeTree(make(files, ["w/n1/wg0.conf", "w/odd [name]*.conf", "root-secret", "t/a.yaml"]), out);
    assert.match(readFileSync(join(out, "w/.gitignore"), "utf8"), /^\/n1\/wg0\.conf$/m);
    assert.equal(existsSync(join(out, "kube/.gitignore")), false);
    assert.equal(spawnSync("git", ["init", "-q", dir]).status, 0);
    assert.equal(spawnSync("git", ["-C", dir, "add", "-A"]).status, 0);
    const staged = spawnSync("git", ["-C", dir, "ls-files"], { encoding: "utf8" }).stdout.trim().split("\n").sort();
    assert.deepEqual(staged, ["out/.drover-render.json", "out/.gitignore", "out/kube/app.yaml", "out/t/.gitignore", "out/w/.gitignore", "out/w/peers.txt"]);
  } finally {
    done();
  }
});
