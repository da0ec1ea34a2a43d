#!/usr/bin/env node
// Boot-to-ready of Drover's k3s seeds on real machines (issue 15, Tier 1), as QEMU TCG VMs from the image
// `scripts/tools/install.sh machines` builds, all VMs of a lab at once. Reports per node, from QEMU start:
// the guest agent answering (booted into systemd), cloud-init done, and the mesh up (first ping over wg0
// to every peer answered). Also prints the image's build time, recorded by install.sh.
//   node bench/machines.mjs           the machines lab (src/testing/machines-lab.ts: a k3s server and an
//                                     agent on one LAN, full WireGuard mesh)
//   node bench/machines.mjs --sites   the site-leaders lab (src/testing/machines-sites-lab.ts: srv1 at home
//                                     behind a port-forwarding NAT, c1 a cloud VM behind a NAT that lets
//                                     nothing in; the mesh is up once c1's tunnel carries a ping), then a
//                                     seat (wg-quick over wireguard-go): tunnel up to the private service's answer
// Run after `npm run build` and `scripts/tools/install.sh machines`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bootMachinesLab } from "../dist/testing/machines-boot.js";
import { bootMachinesSites } from "../dist/testing/machines-sites.js";
import { SITES_PRIVATE_SERVICE } from "../dist/testing/machines-sites-lab.js";
import { machinesImage } from "../dist/testing/machines.js";

const sites = process.argv.includes("--sites");
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
const b = sites ? await bootMachinesSites() : await bootMachinesLab();
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
  let seat = "";
  if (sites) {
    const s0 = Date.now();
    await b.seatUp();
    const fetch = `fetch("http://${SITES_PRIVATE_SERVICE}/", { signal: AbortSignal.timeout(10000) }).then((r) => process.exit(r.ok ? 0 : 1))`;
    while (!(await b.seat.exec([process.execPath, "-e", fetch], { timeoutMs: 20_000 }).then(() => true, () => false)));
    seat = `; seat: tunnel up to the private service answering ${((Date.now() - s0) / 1000).toFixed(1)} s`;
  }
  console.log(`| node | agent answers | cloud-init done | mesh up | cloud-init errors |`);
  console.log(`|---|---|---|---|---|`);
  const s = (ms) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(0)} s`);
  for (const [name, vm] of b.vms) console.log(`| ${name} | ${s(vm.marks.agent)} | ${s(vm.marks["cloud-init done"])} | ${s(vm.marks["mesh up"])} | ${b.cloudInit.get(name).length} |`);
  console.log(`all ready after ${((Date.now() - t0) / 1000).toFixed(0)} s (${b.vms.size} VMs booted at once, 1 vCPU each, TCG)${seat}; load average at end ${load()}`);
} finally {
  await b.close();
}
