// The service address → host map, checked against answers worked out by hand from the example labs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "../spec/load.js";
import { resolveLab } from "./resolve.js";
import { addressHost } from "./services.js";
import { EXAMPLES } from "../testing/paths.js";

const load = (name: string, edit: (t: string) => string = (t) => t) => {
  const r = loadSpec(edit(readFileSync(join(EXAMPLES, name, "lab.yaml"), "utf8")));
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return resolveLab(r.spec);
};

test("addressHost takes the address out of host, host:port, URLs and scp-like Git addresses", () => {
  assert.equal(addressHost("10.10.10.20"), "10.10.10.20");
  assert.equal(addressHost("192.168.10.11:6789"), "192.168.10.11");
  assert.equal(addressHost("http://192.168.10.11:7480"), "192.168.10.11");
  assert.equal(addressHost("https://s3.us-west-000.backblazeb2.com"), "s3.us-west-000.backblazeb2.com");
  assert.equal(addressHost("ssh://git@10.0.0.5:2222/me/lab.git"), "10.0.0.5");
  assert.equal(addressHost("git@10.0.0.5:me/lab.git"), "10.0.0.5");
  assert.equal(addressHost("truenas.lan"), "truenas.lan");
});

test("proxmox-k3s: the TrueNAS guest VM's address is served by host pve3; external services by nobody in the lab", () => {
  const lab = load("proxmox-k3s");
  // by hand: 10.10.10.20 is hosts[pve3].guests[truenas]; 10.10.10.13 is pve3 itself; 10.10.10.31 is node k3s-server-1 on pve1
  assert.deepEqual({ ...lab.ownerOf("10.10.10.20") }, { host: "pve3", guest: "truenas", node: undefined, app: undefined });
  assert.deepEqual({ ...lab.ownerOf("10.10.10.21:8007") }, { host: "pve3", guest: "pbs", node: undefined, app: undefined });
  assert.deepEqual({ ...lab.ownerOf("10.10.10.13") }, { host: "pve3", guest: undefined, node: undefined, app: undefined });
  assert.deepEqual({ ...lab.ownerOf("10.10.10.31") }, { host: "pve1", guest: undefined, node: "k3s-server-1", app: undefined });
  assert.equal(lab.ownerOf("10.10.10.1"), undefined, "the router is not in the lab");
  const served = lab.services.map((s) => [s.kind, s.name, s.address, s.servedBy?.host, s.servedBy?.guest]);
  assert.deepEqual(served, [
    ["storage", "truenas-nfs", "10.10.10.20", "pve3", "truenas"],
    ["dns", "home", "10.10.10.1", undefined, undefined],
    ["gateway", "home", "10.10.10.1", undefined, undefined],
    ["git", "gitops", "https://github.com/example/homelab.git", undefined, undefined],
    ["backup", "truenas", "10.10.10.20", "pve3", "truenas"],
    ["backup", "offsite", "https://s3.us-west-000.backblazeb2.com", undefined, undefined],
  ]);
});

test("talos-mixed: Ceph monitors and the S3 backup endpoint map to the NUCs that run them", () => {
  const lab = load("talos-mixed");
  const mons = lab.services.filter((s) => s.kind === "ceph-monitor" && s.name === "ceph-block").map((s) => s.servedBy?.host);
  assert.deepEqual(mons, ["nuc1", "nuc2", "nuc3"]);
  assert.equal(lab.services.find((s) => s.kind === "backup" && s.name === "nas-s3")!.servedBy!.host, "nuc1");
});

test("a site DNS server at an app's load-balancer address is served by that app; a Git host and an S3 endpoint on lab guests map too", () => {
  const lab = load("proxmox-k3s", (t) => t
    .replace("dns: [10.10.10.1]", "dns: [10.10.10.202, 10.10.10.1]")
    .replace("url: https://github.com/example/homelab.git", "url: ssh://git@10.10.10.21/irish/homelab.git")
    .replace("storageClass: truenas-nfs # MinIO in the cluster, data on TrueNAS", "endpoint: http://10.10.10.20:9000"));
  // pihole is the only app with load-balanced raw ports: the pool's third address, after the two ingress addresses
  assert.equal(lab.loadBalancer.addresses["app/pihole"], "10.10.10.202");
  const dns = lab.services.filter((s) => s.kind === "dns");
  assert.deepEqual(dns.map((s) => s.servedBy?.app ?? s.servedBy?.host), ["pihole", undefined]);
  assert.deepEqual(lab.services.find((s) => s.kind === "git")!.servedBy, { host: "pve3", guest: "pbs", node: undefined, app: undefined });
  assert.equal(lab.services.find((s) => s.kind === "object-store")!.servedBy!.guest, "truenas");
});
