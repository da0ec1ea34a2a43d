import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { tempDir } from "../../testing/age-key.js";
import { generatedLabYaml, realSecrets } from "../../testing/talos-labs.js";
import { loadTestLab } from "../../testing/apps-lab.js";
import { renderProxmox } from "./index.js";
import { rootPasswordKey } from "./answer.js";
import { renderTalos } from "../talos/index.js";
import type { VmDefinition } from "./vms.js";

const toml = (text: string): Record<string, Record<string, unknown>> => {
  const r = spawnSync("python3", ["-c", "import sys,json,tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"], { input: text, encoding: "utf8" });
  assert.equal(r.status, 0, `answer.toml is not TOML:\n${r.stderr}\n${text}`);
  return JSON.parse(r.stdout);
};

/** bash -n and shellcheck (Debian package, installed by scripts/tools/install.sh debian) on a script file. */
function checkScript(file: string): void {
  const n = spawnSync("bash", ["-n", file], { encoding: "utf8" });
  assert.equal(n.status, 0, n.stderr);
  const sc = spawnSync("shellcheck", ["-S", "style", "-s", "bash", file], { encoding: "utf8" });
  if (sc.error) assert.fail(`shellcheck is not installed (${sc.error.message}); run scripts/tools/install.sh debian`);
  assert.equal(sc.status, 0, sc.stdout + sc.stderr);
}

async function proxmoxLab(distribution: "talos" | "k3s") {
  let text = await generatedLabYaml({ hosts: 4, nodesPerHost: 2, sites: 2 });
  text = text.replace(/(  - \{ name: host0, .*) \}\n/, "$1, address: 172.16.0.250, mac: \"AA:BB:CC:00:11:22\", disks: [{ device: /dev/nvme0n1, size: 1Ti, type: nvme, use: system }] }\n");
  if (distribution === "k3s") text = text.replace("cluster: { name: big,", "cluster: { name: big, distribution: k3s,");
  return loadTestLab(text);
}

test("answer.toml parses as TOML (python tomllib) with the installer's sections; the root hash is sha512-crypt of the stored password", async () => {
  const lab = await proxmoxLab("talos");
  const secrets = realSecrets(lab);
  const t = renderProxmox(lab, secrets);
  assert.deepEqual([...t.keys()].filter((p) => p.endsWith("answer.toml")).length, lab.hosts.length);
  const f = t.get("host0/answer.toml")!;
  assert.equal(f.secret, true);
  const a = toml(f.content);
  assert.deepEqual(Object.keys(a).sort(), ["disk-setup", "global", "network"]);
  assert.equal(a.global!.fqdn, "host0.big.internal");
  assert.equal(a.network!.source, "from-answer");
  assert.equal(a.network!.cidr, "172.16.0.250/16");
  assert.equal(a.network!.gateway, "172.16.0.1");
  assert.deepEqual(a.network!.filter, { ID_NET_NAME_MAC: "*aabbcc001122" });
  assert.deepEqual(a["disk-setup"], { filesystem: "ext4", disk_list: ["nvme0n1"] });
  // a host without address and MAC takes its address by DHCP
  assert.deepEqual(toml(t.get("host1/answer.toml")!.content).network, { source: "from-dhcp" });
  const hash = a.global!.root_password_hashed as string;
  const [app, name] = rootPasswordKey("host0");
  const password = secrets.apps[app]![name]!;
  const salt = hash.split("$")[2]!;
  const r = spawnSync("openssl", ["passwd", "-6", "-salt", salt, "-stdin"], { input: password + "\n", encoding: "utf8" });
  assert.equal(r.stdout.trim(), hash);
  // the same secrets render the same file
  assert.equal(renderProxmox(lab, secrets).get("host0/answer.toml")!.content, f.content);
});

test("create-vms.sh passes bash -n and shellcheck; VM definitions carry the node's size and a MAC that the Talos link selector matches", async () => {
  const lab = await proxmoxLab("talos");
  const secrets = realSecrets(lab);
  const t = renderProxmox(lab, secrets);
  const configs = renderTalos(lab, secrets);
  const dir = tempDir("drover-proxmox-");
  for (const h of lab.hosts) {
    const script = t.get(`${h.name}/create-vms.sh`)!;
    assert.equal(script.mode, 0o755);
    writeFileSync(join(dir, `${h.name}.sh`), script.content);
    checkScript(join(dir, `${h.name}.sh`));
    const vms = (JSON.parse(t.get(`${h.name}/vms.json`)!.content) as { vms: VmDefinition[] }).vms;
    assert.equal(vms.length, 2);
    for (const vm of vms) {
      const node = lab.node(vm.name);
      assert.equal(vm.cores, 8);
      assert.equal(vm.memoryMiB, 30 * 1024);
      assert.equal(vm.diskGiB, 64);
      assert.equal(vm.boot.kind, "talos-iso");
      assert.match(script.content, new RegExp(`qm create ${vm.vmid} --name ${vm.name} `));
      assert.match(script.content, new RegExp(`virtio=${vm.mac},bridge=vmbr0`));
      const alias = parseAllDocuments(configs.get(`${node.name}.yaml`)!.content).map((d) => d.toJS()).find((d) => d.kind === "LinkAliasConfig");
      assert.equal(alias.selector.match, `mac(link.permanent_addr) == "${vm.mac}"`);
    }
  }
  const ids = lab.hosts.flatMap((h) => (JSON.parse(t.get(`${h.name}/vms.json`)!.content) as { vms: VmDefinition[] }).vms.map((v) => v.vmid));
  assert.equal(new Set(ids).size, ids.length, "VM ids are unique");
});

test("k3s labs boot VMs from the Debian cloud image with the node's cloud-init user data", async () => {
  const lab = await proxmoxLab("k3s");
  const t = renderProxmox(lab, realSecrets(lab));
  const script = t.get("host0/create-vms.sh")!.content;
  const dir = tempDir("drover-proxmox-k3s-");
  writeFileSync(join(dir, "s.sh"), script);
  checkScript(join(dir, "s.sh"));
  assert.match(script, /debian-13-genericcloud-amd64\.qcow2/);
  assert.match(script, /--cicustom "user=\$SNIPPETS_STORAGE:snippets\/big-node0-user-data\.yaml,network=\$SNIPPETS_STORAGE:snippets\/big-node0-network-config\.yaml"/);
  // the snippets are the k3s renderer's files for the node, next to this folder in the rendered tree
  assert.match(script, /install -D -m 0600 "\$K3S_DIR\/node0\/user-data"/);
  const { renderLab } = await import("../index.js");
  const all = renderLab(lab, realSecrets(lab));
  assert.ok(all.has("k3s/node0/user-data") && all.has("k3s/node0/network-config") && all.has("proxmox/host0/create-vms.sh"));
});

test("the proxmox-k3s example: an answer file per Proxmox host that tomllib reads, scripts bash accepts", async () => {
  const { exampleLab } = await import("../../testing/apps-lab.js");
  const lab = exampleLab("proxmox-k3s");
  const t = renderProxmox(lab, realSecrets(lab));
  const hosts = lab.hosts.filter((h) => h.hypervisor === "proxmox");
  assert.ok(hosts.length >= 1);
  const dir = tempDir("drover-proxmox-example-");
  for (const h of hosts) {
    const a = toml(t.get(`${h.name}/answer.toml`)!.content);
    assert.match(String(a.global!.root_password_hashed), /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    writeFileSync(join(dir, `${h.name}.sh`), t.get(`${h.name}/create-vms.sh`)!.content);
    checkScript(join(dir, `${h.name}.sh`));
    const vms = (JSON.parse(t.get(`${h.name}/vms.json`)!.content) as { vms: VmDefinition[] }).vms;
    assert.equal(vms.length, lab.nodes.filter((n) => n.host === h.name && n.kind === "vm").length);
    for (const vm of vms) assert.equal(vm.boot.kind, "debian-cloud-image");
  }
});
