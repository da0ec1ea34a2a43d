// k3s on Debian: the rendered cloud-init is checked by cloud-init itself (Debian's cloud-init package):
// `cloud-init schema --config-file` for every user-data, `cloud-init devel net-convert` for every
// network-config (to the renderers Debian uses). Then the k3s config's meaning, node by node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { sh } from "../../testing/netns.js";
import { debianTool } from "../../testing/paths.js";
import { exampleLab, loadTestLab, testSecrets } from "../../testing/apps-lab.js";
import { k3sLab } from "../../testing/k3s-lab.js";
import { meshLab } from "../../testing/mesh-lab.js";
import { renderK3s } from "./index.js";
import { FLANNEL_WIREGUARD_PORT } from "./config.js";
import { K3S_INSTALL_PATH, K3S_INSTALL_SCRIPT, RESOLV_CONF_SCRIPT } from "./cloud-init.js";
import { createServer } from "node:http";
import { loadSpec } from "../../spec/index.js";
import { k3sLabYaml } from "../../testing/k3s-lab.js";
import type { Lab } from "../../lab/types.js";

const CLOUD_INIT = debianTool("cloud-init");

function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "drover-k3s-"));
  return f(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function schema(text: string): Promise<{ ok: boolean; out: string }> {
  return withDir(async (dir) => {
    const file = join(dir, "user-data");
    writeFileSync(file, text, { mode: 0o600 });
    try {
      const r = await sh([CLOUD_INIT, "schema", "--config-file", file]);
      return { ok: true, out: r.stdout + r.stderr };
    } catch (e) {
      return { ok: false, out: (e as Error).message };
    }
  });
}

async function netConvert(text: string, output: "eni" | "networkd" | "netplan"): Promise<string> {
  return withDir(async (dir) => {
    const file = join(dir, "network-config");
    writeFileSync(file, text);
    const out = join(dir, "out");
    await sh([CLOUD_INIT, "devel", "net-convert", "-p", file, "-k", "yaml", "-d", out, "-D", "debian", "-O", output]);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : files.push(readFileSync(join(d, e.name), "utf8"));
    };
    walk(out);
    return files.join("\n");
  });
}

/** The k3s test lab with a storage class of every driver (their host packages and services in every seed). */
const STORAGE_K3S_YAML = `${k3sLabYaml()}storage:
  classes:
    - { name: nfs, type: nfs, server: 192.168.20.2, path: /export/k8s, default: true }
    - { name: iscsi, type: iscsi, portal: 192.168.20.3 }
    - { name: rbd, type: ceph-rbd, clusterID: c1, monitors: ["192.168.20.4:6789"], pool: k8s }
    - { name: lh, type: longhorn }
    - { name: local, type: local }
`;

const labs: [string, () => Lab][] = [
  ["k3s lab (flannel)", () => k3sLab()],
  ["k3s lab (every storage driver)", () => loadTestLab(STORAGE_K3S_YAML)],
  ["k3s lab (cilium)", () => k3sLab({ cni: "cilium" })],
  ["k3s lab (registry mirror)", () => k3sLab({ registryMirror: true })],
  ["mesh lab", () => meshLab()],
  ["example proxmox-k3s", () => exampleLab("proxmox-k3s")],
];

for (const [name, make] of labs) {
  test(`${name}: every user-data passes cloud-init schema; every network-config converts to Debian's network setup`, { timeout: 120_000 }, async () => {
    const lab = make();
    const t = renderK3s(lab, testSecrets(lab));
    await Promise.all(
      lab.nodes.map(async (n) => {
        const ud = t.get(`${n.name}/user-data`)!;
        assert.ok(ud.secret, "user-data holds the token");
        assert.match(ud.content, /^#cloud-config\n/);
        const r = await schema(ud.content);
        assert.ok(r.ok, `${n.name}/user-data: ${r.out}`);
        assert.match(r.out, /Valid cloud-config/);
        const nc = t.get(`${n.name}/network-config`)!.content;
        const rendered = n.mac ? await netConvert(nc, "eni") : await netConvert(nc, "netplan");
        assert.ok(rendered.includes(`${n.address}/${n.prefix}`), `${n.name}: address missing from\n${rendered}`);
        if (n.gateway) assert.ok(rendered.includes(n.gateway), `${n.name}: gateway missing`);
        if (n.mac && n.gateway) {
          // Debian 12's ifupdown: the default route must be ifupdown's own `gateway` (iproute2), never
          // `post-up route add` (net-tools, absent from a minimal image)
          assert.match(rendered, new RegExp(`^\\s*gateway ${n.gateway.replaceAll(".", "\\.")}$`, "m"), `${n.name}: no ifupdown gateway line in\n${rendered}`);
          assert.doesNotMatch(rendered, /\broute (add|del)\b/, `${n.name}: the ENI config needs net-tools:\n${rendered}`);
        }
        if (n.mac) {
          const networkd = await netConvert(nc, "networkd");
          assert.match(networkd, new RegExp(`MACAddress=${n.mac}`, "i"));
          if (n.gateway) assert.ok(networkd.includes(`Gateway=${n.gateway}`), `${n.name}: networkd default route`);
          for (const d of n.dns) assert.ok(networkd.includes(`DNS=${d}`), `${n.name}: DNS ${d}`);
        }
      }),
    );
  });
}

test("cloud-init schema really rejects a broken user-data (the check is live)", async () => {
  const r = await schema("#cloud-config\nruncmd: 5\nwrite_files: [{ path: 3 }]\n");
  assert.equal(r.ok, false);
  assert.match(r.out, /runcmd/);
});

test("k3s config: the first server starts etcd, others join; labels, taints, patches, external IPs, flannel port", () => {
  const lab = k3sLab();
  const s = testSecrets(lab);
  const t = renderK3s(lab, s);
  const cfg = (n: string) => parse(t.get(`${n}/config.yaml`)!.content) as Record<string, unknown>;
  assert.equal(cfg("srv1")["cluster-init"], true);
  assert.equal(cfg("srv1").server, undefined);
  for (const n of ["srv2", "srv3", "gpu1", "edge1"]) {
    // same site: the first server's LAN address; another site (its LAN does not route there): its overlay address
    assert.equal(cfg(n).server, lab.node(n).site === lab.node("srv1").site ? "https://192.168.20.11:6443" : `https://${lab.node("srv1").overlayAddress}:6443`, n);
    assert.equal(cfg(n).token, s.k3s.token);
  }
  assert.notEqual(lab.node("edge1").site, lab.node("srv1").site);
  assert.ok((cfg("srv1")["tls-san"] as string[]).includes(lab.node("srv1").overlayAddress), "the server's certificate names the overlay address cloud nodes join on");
  assert.deepEqual(cfg("gpu1")["node-taint"], ["nvidia.com/gpu=true:NoSchedule"]);
  assert.ok((cfg("gpu1")["node-label"] as string[]).includes("accelerator=nvidia"));
  assert.equal(cfg("gpu1")["tls-san"], undefined, "agents have no API server");
  assert.deepEqual(cfg("srv3")["kubelet-arg"], ["max-pods=150"], "per-node patch");
  assert.equal(cfg("edge1")["node-external-ip"], "203.0.113.50");
  assert.equal(cfg("srv1")["node-external-ip"], lab.node("srv1").overlayAddress, "a NATed node is reached over the overlay from other sites");
  assert.equal(cfg("srv1")["flannel-backend"], "wireguard-native");
  assert.equal(cfg("srv1")["flannel-external-ip"], true);
  assert.deepEqual(cfg("srv1").disable, ["servicelb", "traefik"]);
  assert.ok((cfg("srv1")["tls-san"] as string[]).includes("k3s.debby.example.net"));
  const ud = parse(t.get("srv1/user-data")!.content) as { write_files: { path: string; content: string }[] };
  const net = JSON.parse(ud.write_files.find((f) => f.path.endsWith("flannel-net-conf.json"))!.content);
  assert.equal(net.Backend.ListenPort, FLANNEL_WIREGUARD_PORT);
  assert.notEqual(FLANNEL_WIREGUARD_PORT, lab.overlay.port);
  assert.equal(ud.write_files.find((f) => f.path === "/etc/wireguard/wg0.conf")!.content.includes(s.wireguard["node/srv1"]!.privateKey), true);
  const cilium = parse(renderK3s(k3sLab({ cni: "cilium" }), s).get("srv2/config.yaml")!.content);
  assert.equal(cilium["flannel-backend"], "none");
  assert.equal(cilium["disable-network-policy"], true);
});

test("registry mirror: every node's containerd pulls each upstream through the lab's Zot mirror, the image name under the upstream's prefix", () => {
  const lab = k3sLab({ registryMirror: true });
  const t = renderK3s(lab, testSecrets(lab));
  const reg = parse(t.get("registries.yaml")!.content) as { mirrors: Record<string, { endpoint: string[]; rewrite: Record<string, string> }> };
  assert.deepEqual(Object.keys(reg.mirrors), ["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"]);
  assert.deepEqual(reg.mirrors["ghcr.io"], { endpoint: ["http://127.0.0.1:30500"], rewrite: { "^(.*)$": "ghcr.io/$1" } });
  // the rewrite regexp (Go RE2 in k3s; the same in JS here) turns library/nginx into the path Zot keeps docker.io under
  assert.equal("library/nginx".replace(new RegExp(Object.keys(reg.mirrors["docker.io"]!.rewrite)[0]!), "docker.io/$1"), "docker.io/library/nginx");
  for (const n of lab.nodes) {
    const ud = parse(t.get(`${n.name}/user-data`)!.content) as { write_files: { path: string; content: string }[] };
    assert.equal(ud.write_files.find((f) => f.path === "/etc/rancher/k3s/registries.yaml")?.content, t.get("registries.yaml")!.content, n.name);
  }
  assert.equal(renderK3s(k3sLab(), testSecrets(k3sLab())).has("registries.yaml"), false, "no mirror, no file");
});

test("same lab and secrets: byte-identical; a Talos lab renders no k3s files", () => {
  const lab = k3sLab();
  const s = testSecrets(lab);
  assert.deepEqual([...renderK3s(lab, s)], [...renderK3s(lab, s)]);
  const talos = exampleLab();
  assert.equal(renderK3s(talos, testSecrets(talos)).size, 0);
});

test("k3s install step: runcmd stops at the first failure; the installer runs from a file with the lab's version and the node's role", () => {
  const lab = k3sLab();
  const t = renderK3s(lab, testSecrets(lab));
  for (const [node, exec] of [["srv1", "server"], ["gpu1", "agent"]] as const) {
    const ud = parse(t.get(`${node}/user-data`)!.content) as { runcmd: unknown[]; write_files: { path: string; content: string; permissions: string }[] };
    assert.deepEqual(ud.runcmd, [
      "set -e",
      ["systemctl", "enable", "--now", "wg-quick@wg0"],
      ["env", "INSTALL_K3S_VERSION=v1.35.4+k3s1", `INSTALL_K3S_EXEC=${exec}`, K3S_INSTALL_PATH, "https://get.k3s.io"],
    ]);
    const script = ud.write_files.find((f) => f.path === K3S_INSTALL_PATH)!;
    assert.equal(script.content, K3S_INSTALL_SCRIPT);
    assert.equal(script.permissions, "0755");
  }
  assert.doesNotMatch(t.get("srv1/user-data")!.content, /\| *sh\b/, "nothing is piped into a shell");
});

// issue 17: the drivers declared open-iscsi/nfs-common for k3s nodes, but the seed never installed them
// (Longhorn and iSCSI volumes of examples/proxmox-k3s could not attach). The seed installs the union of
// every driver's packages and starts their services before k3s; cloud-init's own schema check of these
// seeds is the "every storage driver" lab of the loop above.
test("storage host needs: every node installs the packages every storage driver of the lab needs and starts iscsid before k3s", () => {
  const seed = (lab: Lab, node: string) => parse(renderK3s(lab, testSecrets(lab)).get(`${node}/user-data`)!.content) as { packages: string[]; runcmd: unknown[] };
  const base = ["curl", "ca-certificates", "wireguard-tools", "nftables"];
  const all = loadTestLab(STORAGE_K3S_YAML);
  for (const n of all.nodes) {
    const ud = seed(all, n.name);
    assert.deepEqual(ud.packages, [...base, "nfs-common", "open-iscsi"], n.name);
    assert.deepEqual(ud.runcmd.slice(0, 3), ["set -e", ["systemctl", "enable", "--now", "wg-quick@wg0"], ["systemctl", "enable", "--now", "iscsid"]], n.name);
    assert.equal((ud.runcmd[3] as string[])[0], "env", `${n.name}: iscsid runs before the k3s install step`);
  }
  const nfsOnly = loadTestLab(`${k3sLabYaml()}storage:\n  classes: [{ name: nfs, type: nfs, server: 192.168.20.2, path: /export/k8s, default: true }]\n`);
  assert.deepEqual(seed(nfsOnly, "srv1").packages, [...base, "nfs-common"]);
  assert.equal(seed(nfsOnly, "srv1").runcmd.length, 3, "NFS needs no service of its own");
  assert.deepEqual(seed(k3sLab(), "gpu1").packages, base, "no storage classes: nothing more");
  // the bundled example: Longhorn on every k3s VM and Pi worker
  const example = exampleLab("proxmox-k3s");
  assert.ok(example.storageClasses.some((c) => c.type === "longhorn"));
  for (const n of example.nodes) {
    const ud = seed(example, n.name);
    for (const p of ["open-iscsi", "nfs-common"]) assert.ok(ud.packages.includes(p), `${n.name}: ${p}`);
    assert.deepEqual(ud.runcmd[2], ["systemctl", "enable", "--now", "iscsid"], n.name);
  }
});

test("k3s installer URL: cluster.k3sInstallerUrl names a mirror; anything but a plain http(s) URL is refused", () => {
  const mirror = "http://192.168.20.1:8080/k3s/install.sh";
  const yaml = (url: string) => k3sLabYaml().replace("  k3sVersion: v1.35.4+k3s1\n", `  k3sVersion: v1.35.4+k3s1\n  k3sInstallerUrl: ${JSON.stringify(url)}\n`);
  const lab = loadSpec(yaml(mirror), "lab.yaml");
  assert.ok(lab.spec, JSON.stringify(lab.diagnostics));
  const t = renderK3s(loadTestLab(yaml(mirror)), testSecrets(k3sLab()));
  const runcmd = (parse(t.get("srv1/user-data")!.content) as { runcmd: string[][] }).runcmd;
  assert.equal(runcmd[2]!.at(-1), mirror);
  for (const bad of ["ftp://mirror/install.sh", "get.k3s.io", "https://x/$(reboot)", "https://x/a'b", "https://x/a b", "https://x/a\nb", "javascript:alert(1)"]) {
    const r = loadSpec(yaml(bad), "lab.yaml");
    assert.equal(r.spec, undefined, bad);
    const d = r.diagnostics.find((x) => x.path === "cluster.k3sInstallerUrl");
    assert.ok(d, `${JSON.stringify(bad)}: ${JSON.stringify(r.diagnostics)}`);
    assert.match(d.message, /http:\/\/ or https:\/\/ URL|valid URL/);
    assert.equal(d.line, 7, "the error points at the field's line");
  }
});

test("the k3s install step and the resolv.conf step pass shellcheck", async () => {
  await withDir(async (dir) => {
    writeFileSync(join(dir, "install-k3s"), K3S_INSTALL_SCRIPT);
    writeFileSync(join(dir, "resolv-conf"), `#!/bin/sh\n${RESOLV_CONF_SCRIPT}`);
    await sh([debianTool("shellcheck"), "-s", "sh", join(dir, "install-k3s"), join(dir, "resolv-conf")]);
  });
});

test("DNS: bootcmd hands the site's servers and the private domain to the resolv.conf step", () => {
  const lab = k3sLab();
  const t = renderK3s(lab, testSecrets(lab));
  const bootcmd = (node: string) => (parse(t.get(`${node}/user-data`)!.content) as { bootcmd?: string[][] }).bootcmd;
  assert.deepEqual(bootcmd("srv1"), [["sh", "-c", RESOLV_CONF_SCRIPT, "drover-resolv-conf", "debby.internal", "192.168.20.53"]]);
  assert.deepEqual(bootcmd("edge1")![0]!.slice(3), ["drover-resolv-conf", "debby.internal", "10.0.0.1"], "each node its own site's servers (the gateway by default)");
});

// The step itself, run on this machine against an HTTP stand-in on loopback: a download that fails (404,
// connection refused, an empty or non-script answer) fails the step loudly and runs nothing; a good
// installer runs with exactly the environment it was given, and its own failure is the step's.
test("k3s install step: a failed download fails loudly and runs nothing; the installer gets exactly its environment", { timeout: 120_000 }, async () => {
  await withDir(async (dir) => {
    const record = join(dir, "env");
    const answers: Record<string, [number, string]> = {
      "/good": [200, `#!/bin/sh\nenv | grep '^INSTALL_K3S_' | sort > ${record}\necho installed\n`],
      "/fails": [200, "#!/bin/sh\necho 'installer: no such release' >&2\nexit 3\n"],
      "/empty": [200, ""],
      "/html": [200, "<html>captive portal</html>"],
    };
    const server = createServer((req, res) => {
      const [status, body] = answers[req.url ?? ""] ?? [404, "not found"];
      res.writeHead(status, { "content-type": "text/plain" }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const script = join(dir, "install-k3s");
    writeFileSync(script, K3S_INSTALL_SCRIPT, { mode: 0o755 });
    const env = { PATH: process.env.PATH!, INSTALL_K3S_VERSION: "v1.35.4+k3s1", INSTALL_K3S_EXEC: "agent" };
    const step = async (path: string) => {
      try {
        const r = await sh(["env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), script, `http://127.0.0.1:${port}${path}`], { timeoutMs: 60_000 });
        return { ok: true, out: r.stdout + r.stderr };
      } catch (e) {
        return { ok: false, out: (e as Error).message };
      }
    };
    try {
      const good = await step("/good");
      assert.ok(good.ok, good.out);
      assert.equal(readFileSync(record, "utf8"), "INSTALL_K3S_EXEC=agent\nINSTALL_K3S_VERSION=v1.35.4+k3s1\n");
      rmSync(record);
      for (const [path, why] of [["/missing", /downloading the k3s installer from http:\/\/127\.0\.0\.1:\d+\/missing failed/], ["/empty", /did not return a shell script/], ["/html", /did not return a shell script \(first bytes: <html>captive/], ["/fails", /no such release/]] as const) {
        const r = await step(path);
        assert.equal(r.ok, false, `${path} must fail: ${r.out}`);
        assert.match(r.out, why, path);
        assert.throws(() => readFileSync(record), path);
      }
    } finally {
      server.close();
    }
  });
});
