import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "../load.js";
import { appsLabYaml } from "../../testing/apps-lab.js";
import { loadLab, InvalidLab } from "../../lab/file.js";
import { tempDir } from "../../testing/age-key.js";

const errorsOf = (text: string) => loadSpec(text, "lab.yaml").diagnostics.filter((d) => d.severity === "error");

test("arch: an app pinned to hosts it has no image for is an error at its placement, with line and column", () => {
  // jellyfin (amd64 only here) pinned to the arm64 Pi
  const text = appsLabYaml().replace("{ name: jellyfin, placement: { arch: [amd64] }, resources: { cpu: 2, memory: 2Gi } }", "{ name: jellyfin, placement: { arch: [amd64], hosts: [pi1] } }");
  const errs = errorsOf(text);
  assert.equal(errs.length, 1, JSON.stringify(errs));
  const e = errs[0]!;
  assert.equal(e.path, `apps[${text.split("\napps:\n")[1]!.split("\n").findIndex((l) => l.includes("jellyfin"))}].placement.hosts`);
  const line = text.split("\n").findIndex((l) => l.includes("name: jellyfin")) + 1;
  assert.equal(e.line, line);
  assert.ok(e.column > 1);
  assert.match(e.message, /Jellyfin has images for amd64 but the nodes its placement allows \(w3\) are arm64/);
  assert.ok(e.hint);
});

test("arch: a nodeSelector that matches no node, and one that matches only the wrong arch", () => {
  const none = appsLabYaml().replace("{ name: atuin, replicas: 3 }", "{ name: atuin, placement: { nodeSelector: { disk: ssd } } }");
  assert.match(errorsOf(none)[0]!.message, /no node matches Atuin's placement \(nodeSelector disk=ssd\)/);
  const arm = appsLabYaml().replace("{ name: atuin, replicas: 3 }", "{ name: atuin, placement: { arch: [amd64], nodeSelector: { kubernetes.io/arch: arm64 } } }");
  assert.match(errorsOf(arm)[0]!.message, /Atuin has images for amd64 but the nodes its placement allows \(w3, w4\) are arm64/);
  assert.deepEqual(errorsOf(appsLabYaml()), []);
});

test("a patch for a kind Drover does not render is located at its kind; a required serial device nobody has is a warning", () => {
  const text = appsLabYaml().replace("{ name: atuin, replicas: 3 }", "{ name: atuin, patches: [{ target: { kind: DaemonSet }, patch: {} }] }");
  const e = errorsOf(text)[0]!;
  assert.match(e.path, /^apps\[\d+\]\.patches\[0\]\.target\.kind$/);
  assert.match(e.message, /renders no DaemonSet/);
  const noDev = appsLabYaml().replace("devices: [/dev/ttyUSB0], ", "").replace("{ name: octoprint, placement: { hosts: [printer-pi] }, storage: { class: local } }", "{ name: octoprint }");
  const w = loadSpec(noDev, "lab.yaml").diagnostics.find((d) => d.severity === "warning" && /serial device/.test(d.message));
  assert.ok(w, "warning for octoprint");
});

test("the loader reads function sources next to lab.yaml and locates a missing one", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "lab.yaml"), appsLabYaml());
  mkdirSync(join(dir, "functions"));
  writeFileSync(join(dir, "functions/report.py"), "print(1)\n");
  writeFileSync(join(dir, "functions/hook.mjs"), "console.log(1)\n");
  assert.throws(() => loadLab(join(dir, "lab.yaml")), (e: unknown) => {
    assert.ok(e instanceof InvalidLab);
    const d = e.diagnostics.find((x) => x.path === "functions[2].file")!;
    assert.match(d.message, /functions\/cleanup\.sh does not exist/);
    assert.equal(d.line, appsLabYaml().split("\n").findIndex((l) => l.includes("cleanup.sh")) + 1);
    return true;
  });
  writeFileSync(join(dir, "functions/cleanup.sh"), "echo hi\n");
  const loaded = loadLab(join(dir, "lab.yaml"));
  assert.equal(loaded.lab.functions.find((f) => f.name === "cleanup")!.source, "echo hi\n");
});

test("function scripts: a symlink, a symlinked folder or a path out of the lab folder is refused where it is named", () => {
  const outside = tempDir();
  writeFileSync(join(outside, "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n");
  const cases: [string, (dir: string) => void, RegExp][] = [
    ["functions/report.py", (dir) => symlinkSync(join(outside, "id_ed25519"), join(dir, "functions/report.py")), /through a symlink/],
    ["functions/report.py", (dir) => { rmSync(join(dir, "functions"), { recursive: true }); symlinkSync(outside, join(dir, "functions")); writeFileSync(join(outside, "report.py"), "print(1)\n"); }, /through a symlink \(functions\)/],
    ["../outside/id_ed25519", () => {}, /(outside|inside) the lab folder/],
    [join(outside, "id_ed25519"), () => {}, /(outside|inside) the lab folder/],
  ];
  for (const [file, arrange, message] of cases) {
    const dir = tempDir();
    writeFileSync(join(dir, "lab.yaml"), appsLabYaml().replace("functions/report.py", file));
    mkdirSync(join(dir, "functions"));
    for (const f of ["report.py", "hook.mjs", "cleanup.sh"]) if (!(file === "functions/report.py" && f === "report.py")) writeFileSync(join(dir, "functions", f), "echo\n");
    arrange(dir);
    assert.throws(() => loadLab(join(dir, "lab.yaml")), (e: unknown) => {
      assert.ok(e instanceof InvalidLab, String(e));
      const d = e.diagnostics.find((x) => x.path.endsWith(".file") && x.severity === "error");
      assert.ok(d, JSON.stringify(e.diagnostics));
      assert.match(d.message, message);
      assert.ok(d.line > 1 && d.column > 1);
      return true;
    }, file);
  }
});
