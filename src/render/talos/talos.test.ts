import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, parse } from "yaml";
import { exampleLab, loadTestLab } from "../../testing/apps-lab.js";
import { exampleFiles, tool } from "../../testing/paths.js";
import { tempDir } from "../../testing/age-key.js";
import { generatedLab, realSecrets } from "../../testing/talos-labs.js";
import { talosSchemaErrors } from "../../testing/talos-schema.js";
import { readFileSync } from "node:fs";
import { renderTalos, talosContext, nodeDocuments } from "./index.js";
import { adminCredentials } from "./talosconfig.js";
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { wireguardPeerPairs } from "../../lab/mesh.js";
import { presharedKey } from "../../secrets/preshared-keys.js";
import { loadSpec } from "../../spec/load.js";

/** Writes every rendered node config, checks it against Talos's schema and `talosctl validate --mode metal --strict`. */
function validateAll(lab: Lab, secrets: LabSecrets): Map<string, string> {
  const t = renderTalos(lab, secrets);
  const dir = tempDir("drover-talos-");
  const files = new Map<string, string>();
  for (const [p, f] of t) {
    if (p === ".gitignore") continue;
    assert.equal(f.secret, true, `${p} holds secrets and must be written 0600`);
    files.set(p, f.content);
    writeFileSync(join(dir, p), f.content);
  }
  for (const n of lab.nodes) {
    const text = files.get(`${n.name}.yaml`)!;
    assert.equal(talosSchemaErrors(text), "", `${n.name}: Talos schema`);
    // cloud nodes boot the cloud's Talos image, which talosctl checks in cloud mode
    const mode = n.kind === "cloud" && lab.host(n.host).provider ? "cloud" : "metal";
    const r = spawnSync(tool("talosctl"), ["validate", "--config", join(dir, `${n.name}.yaml`), "--mode", mode, "--strict"], { encoding: "utf8" });
    assert.equal(r.status, 0, `talosctl validate ${n.name}:\n${r.stdout}${r.stderr}`);
  }
  return files;
}

test("the example lab's machine configs pass Talos's JSON schema and talosctl validate --mode metal --strict", () => {
  const lab = exampleLab();
  const files = validateAll(lab, realSecrets(lab));
  assert.equal(files.size, lab.nodes.length + 1);
  // a control plane carries the VIP, keys and the whole cluster PKI; a worker only certificates
  const cp = parseAllDocuments(files.get("talos01.yaml")!).map((d) => d.toJS());
  const w = parseAllDocuments(files.get("talos09.yaml")!).map((d) => d.toJS());
  assert.equal(cp[0].machine.type, "controlplane");
  assert.ok(cp[0].machine.ca.key && cp[0].cluster.etcd.ca.key);
  assert.equal(w[0].machine.type, "worker");
  assert.equal(w[0].machine.ca.key, undefined);
  assert.equal(w[0].cluster.ca.key, undefined);
  assert.ok(cp.some((d) => d.kind === "Layer2VIPConfig" && d.name === "192.168.10.5" && d.link === "net0"));
  assert.ok(!w.some((d) => d.kind === "Layer2VIPConfig"));
  // Cilium is the CNI: Talos installs none and runs no kube-proxy
  assert.deepEqual(cp[0].cluster.network.cni, { name: "none" });
  assert.equal(cp[0].cluster.proxy.disabled, true);
  // install disk (the Pi's SD card), static address, labels
  assert.equal(w[0].machine.install.disk, "/dev/mmcblk0");
  assert.match(w[0].machine.install.image, /^factory\.talos\.dev\/metal-installer\/[0-9a-f]{64}:v1\.12\.6$/);
  assert.deepEqual(w.find((d) => d.kind === "LinkConfig").addresses, [{ address: "192.168.10.29/24" }]);
  assert.equal(w[0].machine.nodeLabels["drover.dev/host"], "rpi4-1");
  // the GPU passthrough VM loads the NVIDIA modules its image carries; other nodes do not
  const gpu = parseAllDocuments(files.get("talos08.yaml")!).map((d) => d.toJS())[0];
  assert.deepEqual(gpu.machine.kernel.modules.map((m: { name: string }) => m.name), ["nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset"]);
  assert.equal(gpu.machine.sysctls["net.core.bpf_jit_harden"], "1");
  assert.equal(w[0].machine.kernel, undefined);
});

test("wg0 peers are exactly the pairs of the secrets store, with their preshared keys; LAN endpoints inside a site", () => {
  const lab = exampleLab();
  const secrets = realSecrets(lab);
  const ctx = talosContext(lab, secrets);
  const pubToPeer = new Map(Object.entries(secrets.wireguard).map(([name, k]) => [k.publicKey, name]));
  const seen = new Set<string>();
  for (const n of lab.nodes) {
    const wg = nodeDocuments(ctx, n).find((d) => d.kind === "WireguardConfig") as { privateKey: string; peers: { publicKey: string; presharedKey: string; endpoint?: string }[] };
    assert.equal(wg.privateKey, secrets.wireguard[`node/${n.name}`]!.privateKey);
    for (const p of wg.peers) {
      const other = pubToPeer.get(p.publicKey)!;
      const pair = [`node/${n.name}`, other].sort().join("|");
      assert.equal(p.presharedKey, presharedKey(secrets.wireguardPresharedKeys, `node/${n.name}`, other), pair);
      seen.add(pair);
      if (other.startsWith("node/")) assert.equal(p.endpoint, `${lab.node(other.slice(5)).address}:51820`);
      else assert.equal(p.endpoint, undefined);
    }
  }
  // every pair of the store appears (seen from the node side; seat-only pairs are seen from their node)
  assert.deepEqual([...seen].sort(), wireguardPeerPairs(lab));
});

test("generated labs (3 sites; full mesh and site leaders) validate, and site leaders carry the other sites", async () => {
  for (const topology of ["full-mesh", "site-leaders"] as const) {
    const lab = await generatedLab({ hosts: 9, nodesPerHost: 2, sites: 3, topology });
    const secrets = realSecrets(lab);
    validateAll(lab, secrets);
    if (topology === "site-leaders") {
      const ctx = talosContext(lab, secrets);
      const leader = lab.node(lab.overlay.leaders["site0"]!);
      const follower = lab.nodes.find((n) => n.site === "site0" && n.name !== leader.name)!;
      const peersOf = (n: typeof leader) => (nodeDocuments(ctx, n).find((d) => d.kind === "WireguardConfig") as { peers: { publicKey: string; allowedIPs: string[] }[] }).peers;
      const toLeader = peersOf(follower).find((p) => p.publicKey === secrets.wireguard[`node/${leader.name}`]!.publicKey)!;
      // a follower reaches the other sites through its leader
      for (const n of lab.nodes.filter((x) => x.site !== "site0")) assert.ok(toLeader.allowedIPs.includes(`${n.overlayAddress}/32`), n.name);
      const otherLeader = lab.node(lab.overlay.leaders["site1"]!);
      const toOther = peersOf(leader).find((p) => p.publicKey === secrets.wireguard[`node/${otherLeader.name}`]!.publicKey)!;
      assert.equal(toOther.allowedIPs.length, lab.nodes.filter((n) => n.site === "site1").length);
      // etcd and kubelet use the overlay when nodes span sites
      const v1 = nodeDocuments(ctx, leader)[0] as { machine: { kubelet: { nodeIP: { validSubnets: string[] } } } };
      assert.deepEqual(v1.machine.kubelet.nodeIP.validSubnets, ["10.200.0.0/20"]);
    }
  }
});

test("rendering is deterministic: same lab and secrets give byte-identical configs and talosconfig", () => {
  const lab = exampleLab();
  const secrets = realSecrets(lab);
  const a = renderTalos(lab, secrets);
  const b = renderTalos(exampleLab(), structuredClone(secrets));
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [p, f] of a) assert.equal(f.content, b.get(p)!.content, p);
});

test("the talosconfig's admin certificate is issued by the OS CA (openssl verifies it) and talosctl reads the file", () => {
  const lab = exampleLab();
  const secrets = realSecrets(lab);
  const dir = tempDir("drover-talosconfig-");
  const t = renderTalos(lab, secrets);
  writeFileSync(join(dir, "talosconfig"), t.get("talosconfig")!.content);
  const admin = adminCredentials(secrets.talos);
  writeFileSync(join(dir, "ca.crt"), secrets.talos.certs.os.crt);
  writeFileSync(join(dir, "admin.crt"), admin.crt);
  const v = spawnSync("openssl", ["verify", "-CAfile", join(dir, "ca.crt"), "-purpose", "sslclient", join(dir, "admin.crt")], { encoding: "utf8" });
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const text = spawnSync("openssl", ["x509", "-in", join(dir, "admin.crt"), "-noout", "-subject", "-ext", "extendedKeyUsage"], { encoding: "utf8" }).stdout;
  assert.match(text, /O\s*=\s*os:admin/);
  assert.match(text, /TLS Web Client Authentication/);
  const info = spawnSync(tool("talosctl"), ["--talosconfig", join(dir, "talosconfig"), "config", "info"], { encoding: "utf8" });
  assert.equal(info.status, 0, info.stdout + info.stderr);
  assert.match(info.stdout, /roper/);
  assert.match(info.stdout, /os:admin/);
  const cfg = parse(t.get("talosconfig")!.content);
  assert.deepEqual(cfg.contexts.roper.endpoints, ["192.168.10.21", "192.168.10.22", "192.168.10.23"]);
});

const exampleText = () => readFileSync(exampleFiles().find((f) => f.includes("talos-mixed"))!, "utf8");
const withNodePatch = (text: string) => text.replace('{ name: talos09, host: rpi4-1, address: 192.168.10.29 }', '{ name: talos09, host: rpi4-1, address: 192.168.10.29, patches: [{ machine: { kubelet: { extraArgs: { max-pods: "150" } } } }] }');
const withPatch = (patch: string) => exampleText().replace('{ name: talos09, host: rpi4-1, address: 192.168.10.29 }', `{ name: talos09, host: rpi4-1, address: 192.168.10.29, patches: ${patch} }`);

test("node patches merge strategically: maps merge, lists append, typed documents merge or are added; the result validates", () => {
  const lab = loadTestLab(withPatch('[{ machine: { kubelet: { extraArgs: { max-pods: "150" } }, certSANs: [talos09.lab.roper.internal] } }, { apiVersion: v1alpha1, kind: LinkConfig, name: net0, mtu: 9000 }, { apiVersion: v1alpha1, kind: StaticHostConfig, name: 192.168.10.11, hostnames: [nuc1] }]'));
  const secrets = realSecrets(lab);
  const files = validateAll(lab, secrets);
  const docs = parseAllDocuments(files.get("talos09.yaml")!).map((d) => d.toJS());
  assert.deepEqual(docs[0].machine.kubelet.extraArgs, { "max-pods": "150" });
  assert.equal(docs[0].machine.kubelet.image, "ghcr.io/siderolabs/kubelet:v1.35.4");
  assert.deepEqual(docs[0].machine.certSANs, ["192.168.10.29", lab.node("talos09").overlayAddress, "talos09.lab.roper.internal"]);
  const link = docs.find((d) => d.kind === "LinkConfig");
  assert.equal(link.mtu, 9000);
  assert.deepEqual(link.addresses, [{ address: "192.168.10.29/24" }]);
  assert.ok(docs.some((d) => d.kind === "StaticHostConfig" && d.hostnames[0] === "nuc1"));
});

const errorsOf = (text: string) => loadSpec(text, "lab.yaml").diagnostics.filter((d) => d.severity === "error");

test("drover check: a patch that does not fit is a positioned error at the patch; so is an unknown field or kind", () => {
  const text = withPatch("[{ machine: { install: { disk: { path: /dev/sda } } } }]");
  const errs = errorsOf(text);
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.equal(errs[0]!.path, "nodes[8].patches[0].machine.install.disk");
  assert.equal(errs[0]!.line, text.split("\n").findIndex((l) => l.includes("name: talos09")) + 1);
  assert.ok(errs[0]!.column > 1);
  assert.match(errs[0]!.message, /machine\.install\.disk is a string in a Talos machine config, but the patch gives a map/);
  const unknown = errorsOf(withPatch("[{ machine: { kubelett: { extraArgs: {} } } }]"));
  assert.equal(unknown[0]!.path, "nodes[8].patches[0].machine.kubelett");
  assert.match(unknown[0]!.hint!, /kubelet/);
  const kind = errorsOf(withPatch("[{ apiVersion: v1alpha1, kind: LinkConfg, name: net0 }]"));
  assert.equal(kind[0]!.path, "nodes[8].patches[0].kind");
  assert.match(kind[0]!.hint!, /LinkConfig/);
  const unnamed = errorsOf(withPatch("[{ apiVersion: v1alpha1, kind: LinkConfig, mtu: 9000 }]"));
  assert.equal(unnamed[0]!.path, "nodes[8].patches[0].kind");
  assert.match(unnamed[0]!.message, /needs a name/);
  const list = errorsOf(withPatch("[{ apiVersion: v1alpha1, kind: WireguardConfig, name: wg0, peers: { a: 1 } }]"));
  assert.equal(list[0]!.path, "nodes[8].patches[0].peers");
});

test("drover check rejects Talos older than 1.12 at cluster.talosVersion", () => {
  const text = exampleText().replace("talosVersion: 1.12.6", "talosVersion: 1.11.5");
  const errs = errorsOf(text);
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.equal(errs[0]!.path, "cluster.talosVersion");
  assert.equal(errs[0]!.line, text.split("\n").findIndex((l) => l.includes("talosVersion")) + 1);
  assert.match(errs[0]!.message, /Talos 1\.11\.5 is not supported/);
  assert.ok(errs[0]!.hint);
  mkdirSync(tempDir(), { recursive: true });
});

test("the fast YAML emitter round-trips through a YAML 1.1 reader and a 1.2 one, quoting what either could misread", async () => {
  const { emitYaml } = await import("./yaml.js");
  const { parse: parse12 } = await import("yaml");
  const tricky = { a: "yes", b: "1.12", c: "192.168.10.1", d: "", e: [], f: {}, g: [{ x: 1, y: [1, 2] }, [3, 4]], h: "a: b", i: "-x", j: "2024-01-01", k: "v1.35.4", l: "ab=", m: 'mac(link) == "x"', n: null, o: "0x1f", p: "1e5", q: "multi\nline", r: "~", s: "Y", "t/u.v": "NoSchedule", w: "12:30", x: "+abc/def==", y: "#x", z: "a #b", on: "off", "": "empty key" };
  for (const version of ["1.1", "1.2"] as const) assert.deepEqual(parse12(emitYaml(tricky), { version }), tricky, version);
  const lab = exampleLab();
  const ctx = talosContext(lab, realSecrets(lab));
  for (const n of lab.nodes) for (const d of nodeDocuments(ctx, n)) assert.deepEqual(parse12(emitYaml(d), { version: "1.1" }), d);
});

test("with network.registryMirror every node pulls through the lab's Zot mirror (RegistryMirrorConfig per upstream), and still validates", () => {
  const lab = loadTestLab(exampleText().replace("network:\n", "network:\n  registryMirror: true\n"));
  const files = validateAll(lab, realSecrets(lab));
  const docs = parseAllDocuments(files.get("talos05.yaml")!).map((d) => d.toJS()).filter((d) => d.kind === "RegistryMirrorConfig");
  assert.deepEqual(docs.map((d) => d.name).sort(), ["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"]);
  assert.deepEqual(docs.find((d) => d.name === "ghcr.io").endpoints, [{ url: "http://127.0.0.1:30500/v2/ghcr.io", overridePath: true }]);
  assert.equal(docs[0].skipFallback, undefined);
});

test("cluster-wide and per-role patches apply before the node's own; a bad role patch is located in cluster.patches", () => {
  const text = exampleText().replace("  talosVersion: 1.12.6\n", "  talosVersion: 1.12.6\n  patches:\n    all: [{ machine: { sysctls: { vm.max_map_count: \"262144\" } } }]\n    controlplane: [{ cluster: { allowSchedulingOnControlPlanes: true } }]\n    worker: [{ machine: { kubelet: { extraArgs: { max-pods: \"200\" } } } }]\n");
  const lab = loadTestLab(withNodePatch(text));
  const files = validateAll(lab, realSecrets(lab));
  const cp = parseAllDocuments(files.get("talos01.yaml")!).map((d) => d.toJS())[0];
  const w = parseAllDocuments(files.get("talos09.yaml")!).map((d) => d.toJS())[0];
  assert.equal(cp.machine.sysctls["vm.max_map_count"], "262144");
  assert.equal(cp.cluster.allowSchedulingOnControlPlanes, true);
  assert.equal(cp.machine.kubelet.extraArgs, undefined);
  assert.equal(w.cluster.allowSchedulingOnControlPlanes, undefined);
  // the node's own patch wins over its role's
  assert.equal(w.machine.kubelet.extraArgs["max-pods"], "150");
  const bad = text.replace("controlplane: [{ cluster: { allowSchedulingOnControlPlanes: true } }]", "controlplane: [{ cluster: { network: [] } }]");
  const errs = errorsOf(bad);
  assert.equal(errs[0]!.path, "cluster.patches.controlplane[0].cluster.network");
  assert.equal(errs[0]!.line, bad.split("\n").findIndex((l) => l.includes("controlplane: [")) + 1);
});

test("every bundled Talos example renders configs that pass the schema and talosctl validate", () => {
  const names = exampleFiles().map((f) => f.split("/").slice(-2)[0]!);
  let checked = 0;
  for (const name of names) {
    const lab = exampleLab(name);
    if (lab.distribution !== "talos" || name === "talos-mixed") continue;
    const files = validateAll(lab, realSecrets(lab));
    assert.equal(files.size, lab.nodes.length + 1, name);
    checked++;
  }
  assert.ok(checked >= 3, `checked ${checked} Talos examples besides talos-mixed`);
});

test("git ignores every rendered file that holds secrets (talos/, proxmox answer files), even inside a repository", async () => {
  const { renderLab, writeTree } = await import("../index.js");
  const lab = exampleLab();
  const secrets = realSecrets(lab);
  const dir = tempDir("drover-gitignore-");
  const t = renderLab(lab, secrets);
  const out = join(dir, "out");
  writeTree(t, out);
  assert.equal(spawnSync("git", ["init", "-q", dir]).status, 0);
  const secretPaths = [...t].filter(([p, f]) => f.secret && (p.startsWith("talos/") || p.startsWith("proxmox/"))).map(([p]) => `out/${p}`);
  assert.ok(secretPaths.length > lab.nodes.length);
  const r = spawnSync("git", ["-C", dir, "check-ignore", "--stdin"], { input: secretPaths.join("\n") + "\n", encoding: "utf8" });
  assert.deepEqual(r.stdout.trim().split("\n").sort(), secretPaths.sort());
  // the .gitignore files themselves, boot media and VM scripts stay visible
  const visible = ["out/talos/.gitignore", "out/boot/media.json"];
  const v = spawnSync("git", ["-C", dir, "check-ignore", "--stdin"], { input: visible.join("\n") + "\n", encoding: "utf8" });
  assert.equal(v.stdout.trim(), "");
});

test("with flannel as the CNI Talos runs its default CNI and kube-proxy; the configs validate", () => {
  const lab = loadTestLab(exampleText().replace("  talosVersion: 1.12.6\n", "  talosVersion: 1.12.6\n  cni: flannel\n"));
  assert.equal(lab.cni, "flannel");
  const files = validateAll(lab, realSecrets(lab));
  const cp = parseAllDocuments(files.get("talos01.yaml")!).map((d) => d.toJS())[0];
  assert.equal(cp.cluster.network.cni, undefined);
  assert.equal(cp.cluster.proxy.disabled, undefined);
});

test("drover check warns when a Talos lab's site is reached by a DNS name (Talos peers take an IP), at the site's endpoint", () => {
  const text = readFileSync(exampleFiles().find((f) => f.includes("multi-site"))!, "utf8");
  const ws = loadSpec(text, "lab.yaml").diagnostics.filter((d) => d.severity === "warning" && /cannot dial/.test(d.message));
  const named = text.split("\n").filter((l) => /^\s+endpoint: [a-z]/.test(l));
  assert.equal(ws.length, named.length, JSON.stringify(ws));
  for (const w of ws) assert.match(w.path, /^sites\[\d+\]\.endpoint$/);
  const ip = text.replace(/(\n\s+endpoint: )[a-z][^\n]*/g, "$1198.51.100.7:51820");
  assert.equal(loadSpec(ip, "lab.yaml").diagnostics.filter((d) => /cannot dial/.test(d.message)).length, 0);
});

test("Longhorn and local-path storage: the kubelet gets bind mounts of their folders on every node; the configs validate", () => {
  const text = exampleText().replace("storage:\n  classes:\n", "storage:\n  classes:\n    - { name: longhorn, type: longhorn }\n    - { name: local, type: local }\n").replace("      default: true\n", "");
  const lab = loadTestLab(text);
  const files = validateAll(lab, realSecrets(lab));
  const v1 = parseAllDocuments(files.get("talos05.yaml")!).map((d) => d.toJS())[0];
  assert.deepEqual(v1.machine.kubelet.extraMounts, [
    { destination: "/var/lib/longhorn", type: "bind", source: "/var/lib/longhorn", options: ["bind", "rshared", "rw"] },
    { destination: "/var/mnt/local-path", type: "bind", source: "/var/mnt/local-path", options: ["bind", "rshared", "rw"] },
  ]);
});
