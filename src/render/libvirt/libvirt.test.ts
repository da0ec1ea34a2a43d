// libvirt/<host>/libvirt-guests: read the way the libvirt-guests service reads it (sourced by a
// shell), and checked by shellcheck; only libvirt hosts with Kubernetes VM nodes get one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { exampleLab, testSecrets } from "../../testing/apps-lab.js";
import { debianTool } from "../../testing/paths.js";
import { renderLibvirt, LIBVIRT_SHUTDOWN_TIMEOUT } from "./index.js";

test("talos-mixed: every libvirt host with VM nodes shuts its guests down on host shutdown; sourced, the settings say so", () => {
  const lab = exampleLab("talos-mixed");
  const t = renderLibvirt(lab, testSecrets(lab));
  // by hand: nuc1..nuc3, nixos and gamer are libvirt hosts with Talos VMs; the Pis are bare metal
  assert.deepEqual([...t.keys()].sort(), ["gamer/libvirt-guests", "nixos/libvirt-guests", "nuc1/libvirt-guests", "nuc2/libvirt-guests", "nuc3/libvirt-guests"]);
  const dir = mkdtempSync(join(tmpdir(), "drover-libvirt-"));
  try {
    const file = join(dir, "libvirt-guests");
    writeFileSync(file, t.get("gamer/libvirt-guests")!.content);
    // libvirt-guests.sh sources its sysconfig file in sh
    const vars = execFileSync("sh", ["-eu", "-c", `. "$1"; echo "$ON_BOOT $ON_SHUTDOWN $SHUTDOWN_TIMEOUT $PARALLEL_SHUTDOWN"`, "sh", file], { encoding: "utf8" }).trim();
    assert.equal(vars, `start shutdown ${LIBVIRT_SHUTDOWN_TIMEOUT} 2`); // talos03 and talos08
    execFileSync(debianTool("shellcheck"), ["-s", "sh", "-e", "SC2034", file]); // assignments only: "unused" is expected
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(renderLibvirt(exampleLab("proxmox-k3s"), testSecrets(exampleLab("proxmox-k3s"))).size, 0);
});
