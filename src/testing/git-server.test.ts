// The test Git server serves the real git client over smart HTTP: push into an empty repository, clone
// it back elsewhere, push again and see the new commit from a third clone (protocol v2 and v0).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cloneWorkTree, git, startGitServer } from "./git-server.js";
import { tempDir } from "./age-key.js";

test("git server: push, clone and fetch over smart HTTP with the real git", async () => {
  const server = await startGitServer();
  const a = cloneWorkTree(server.createRepo("lab").url);
  try {
    writeFileSync(join(a.dir, "kustomization.yaml"), "resources: []\n");
    const first = a.commitAndPush("first");
    assert.match(first, /^[0-9a-f]{40}$/);
    const b = cloneWorkTree(`${server.url}/lab.git`);
    assert.equal(b.head(), first);
    assert.equal(readFileSync(join(b.dir, "kustomization.yaml"), "utf8"), "resources: []\n");
    writeFileSync(join(b.dir, "kustomization.yaml"), "resources: [a.yaml]\n");
    writeFileSync(join(b.dir, "a.yaml"), "{}\n");
    const second = b.commitAndPush("second");
    assert.notEqual(second, first);
    assert.equal(b.commitAndPush("nothing changed"), second, "an unchanged tree makes no commit");
    const home = tempDir();
    for (const protocol of ["version=2", "version=0"]) {
      const out = git(["-c", `protocol.${protocol.split("=")[0]}=${protocol.split("=")[1]}`, "ls-remote", `${server.url}/lab.git`, "refs/heads/main"], { home });
      assert.equal(out.split("\t")[0], second, protocol);
    }
    assert.throws(() => git(["ls-remote", `${server.url}/missing.git`], { home }), /not found|exit 128/);
    assert.throws(() => server.createRepo("../x"), /repository name/);
    assert.ok(server.requests >= 6);
    b.remove();
  } finally {
    a.remove();
    await server.stop();
  }
});
