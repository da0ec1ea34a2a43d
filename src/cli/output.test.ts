// Progress on a terminal only: one line replaced by the next on a TTY's stderr; nothing with --json,
// nothing when stderr is a pipe or TERM=dumb; control characters never reach the terminal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { makeOutput } from "./output.js";
import { runCli } from "../testing/cli-harness.js";

const sink = (tty: boolean) => {
  const s = Object.assign(new Writable({ write: (c, _e, cb) => ((s.text += String(c)), cb()) }), { text: "", isTTY: tty });
  return s;
};

test("progress: on a terminal's stderr, replaced in place; quiet with --json, piped or TERM=dumb", () => {
  const tty = { out: sink(true), err: sink(true) };
  const o = makeOutput(false, tty);
  o.progress("rendering 3 nodes");
  o.progress("writing\x1b[31m 9 files\n");
  o.progress("");
  assert.equal(tty.err.text, "\r\x1b[Krendering 3 nodes…\r\x1b[Kwriting [31m 9 files …\r\x1b[K");
  assert.equal(tty.out.text, "");
  for (const [json, err] of [[true, true], [false, false]] as const) {
    const s = { out: sink(true), err: sink(err) };
    makeOutput(json, s).progress("x");
    assert.equal(s.err.text, "");
  }
  const saved = process.env.TERM;
  process.env.TERM = "dumb";
  try {
    const s = { out: sink(true), err: sink(true) };
    makeOutput(false, s).progress("x");
    assert.equal(s.err.text, "");
  } finally {
    if (saved === undefined) delete process.env.TERM;
    else process.env.TERM = saved;
  }
});

test("render piped: no progress characters in its output", async () => {
  const r = await runCli(["render", "/nonexistent/lab.yaml"]);
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.err + r.out, /\r|\x1b\[K/);
});
