import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, PORT_LOCKS, TEST_PORTS } from "./ports.js";

test("test ports: distinct, below the ephemeral range, locked for this process; a port a live process holds is skipped", async () => {
  const got: number[] = [];
  for (let i = 0; i < 50; i++) got.push(await freePort());
  assert.equal(new Set(got).size, got.length);
  for (const p of got) {
    assert.ok(p >= TEST_PORTS.first && p <= TEST_PORTS.last, `${p}`);
    assert.equal(readFileSync(join(PORT_LOCKS, String(p)), "utf8"), String(process.pid));
  }
  // the next ports are held by a live process (PID 1): they are passed over
  const last = got.at(-1)!;
  const held = [1, 2, 3].map((k) => last + k).filter((p) => p <= TEST_PORTS.last);
  for (const p of held) writeFileSync(join(PORT_LOCKS, String(p)), "1");
  try {
    const next = await freePort();
    assert.ok(!held.includes(next), `${next} is held by another process`);
  } finally {
    for (const p of held) rmSync(join(PORT_LOCKS, String(p)), { force: true });
  }
});
