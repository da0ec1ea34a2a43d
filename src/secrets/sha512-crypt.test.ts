import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cryptSalt, sha512Crypt } from "./sha512-crypt.js";

test("sha512-crypt matches openssl passwd -6 (passwords of every length class, UTF-8, short and long salts)", () => {
  const cases: [string, string][] = [
    ["x", "ab"], ["hunter2", "saltsalt"], ["correct horse battery staple", cryptSalt("a")], ["ünïcødé ✓", cryptSalt("b")],
    ["A".repeat(64), "0123456789abcdef"], ["B".repeat(65), "./AZaz09"]
  ];
  for (const [pw, salt] of cases) {
    const r = spawnSync("openssl", ["passwd", "-6", "-salt", salt, "-stdin"], { input: pw + "\n", encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(sha512Crypt(pw, salt), r.stdout.trim(), `password ${JSON.stringify(pw)} salt ${salt}`);
  }
  // explicit rounds are written into the hash, as crypt(3) does
  assert.match(sha512Crypt("x", "ab", 1000), /^\$6\$rounds=1000\$ab\$/);
  assert.equal(cryptSalt("seed"), cryptSalt("seed"));
  assert.match(cryptSalt("seed"), /^[./0-9A-Za-z]{16}$/);
});
