#!/usr/bin/env node
// Boot-to-ready of Drover's k3s seeds on real machines (issue 15, Tier 1): boots the machines lab
// (src/testing/machines-lab.ts: a k3s server and an agent, full WireGuard mesh) as QEMU TCG VMs from the
// image `scripts/tools/install.sh machines` builds, both at once, and reports per node, from QEMU start:
// the guest agent answering (booted into systemd), cloud-init done, and the mesh up (first ping over
// wg0 to every peer answered). Also prints the image's build time, recorded by install.sh.
// Run after `npm run build` and `scripts/tools/install.sh machines`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bootMachinesLab } from "../dist/testing/machines-boot.js";
import { machinesImage } from "../dist/testing/machines.js";

const image = machinesImage();
let build = "?";
try {
  build = `${readFileSync(join(image.dir, "build-seconds"), "utf8").trim()} s`;
} catch {
  /* built before install.sh recorded it */
}
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`machines image (Debian ${image.release}): built in ${build}; load average at start ${load()}`);
const t0 = Date.now();
const b = await bootMachinesLab();
try {
  for (const n of b.lab.nodes) {
    const vm = b.vms.get(n.name);
    for (const peer of b.lab.nodes.filter((p) => p.name !== n.name)) {
      for (;;) {
        const r = await vm.exec(["/bin/ping", "-c", "1", "-W", "2", peer.overlayAddress]);
        if (r.code === 0) break;
      }
    }
    vm.mark("mesh up");
  }
  console.log(`| node | agent answers | cloud-init done | mesh up | cloud-init errors |`);
  console.log(`|---|---|---|---|---|`);
  const s = (ms) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(0)} s`);
  for (const [name, vm] of b.vms) console.log(`| ${name} | ${s(vm.marks.agent)} | ${s(vm.marks["cloud-init done"])} | ${s(vm.marks["mesh up"])} | ${b.cloudInit.get(name).length} |`);
  console.log(`all ready after ${((Date.now() - t0) / 1000).toFixed(0)} s (2 VMs booted at once, 1 vCPU each, TCG); load average at end ${load()}`);
} finally {
  await b.close();
}
