// The progress of `drover up` as the CLI shows it: trace events (each object Flux's install created or
// changed) reach the stream only with DROVER_TRACE, on a terminal or not, and never among the steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { makeOutput } from "../output.js";
import { upProgress } from "./up.js";

function sink(isTTY: boolean): Writable & { text: string; isTTY: boolean } {
  const w = new Writable({ write(chunk, _enc, cb) { w.text += String(chunk); cb(); } }) as Writable & { text: string; isTTY: boolean };
  w.text = "";
  w.isTTY = isTTY;
  return w;
}

test("up's progress: trace lines only with DROVER_TRACE, terminal or not; the progress line is cleared before one", () => {
  const o = makeOutput(false, { out: sink(false), err: sink(false) });
  for (const tty of [false, true]) {
    const quiet = sink(tty);
    const p = upProgress(o, quiet, false);
    p.event({ phase: "flux", status: "trace", message: "Deployment flux-system/helm-controller created" });
    assert.equal(quiet.text, "", `tty ${tty}: no trace without DROVER_TRACE`);
    const traced = sink(tty);
    const t = upProgress(o, traced, true);
    t.event({ phase: "flux", status: "start", message: "installing Flux from the render (CRDs first)" });
    t.event({ phase: "flux", status: "trace", message: "Deployment flux-system/helm-controller created" });
    t.done();
    assert.equal(traced.text, tty
      ? "flux: installing Flux from the render (CRDs first)\r\x1b[Kdrover up: Deployment flux-system/helm-controller created\n"
      : "drover up: Deployment flux-system/helm-controller created\n");
  }
});
