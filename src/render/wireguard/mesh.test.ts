// The mesh rules on the rendered text: determinism, secret files, endpoints only where reachable,
// keepalive behind NAT, relays in site-leaders, the seat hub, example labs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { meshLab } from "../../testing/mesh-lab.js";
import { exampleLab, testSecrets } from "../../testing/apps-lab.js";
import { renderSeats, renderWireguard } from "./index.js";
import { parseWgQuick, stripWgQuick } from "./conf.js";
import { rangeToCidrs } from "./ranges.js";
import { publicKeyOf } from "../../secrets/wireguard.js";
import { meshReport } from "../../analyze/mesh.js";

test("same lab and secrets: byte-identical files; every file with a private key is secret", () => {
  const lab = meshLab();
  const s = testSecrets(lab);
  const a = renderWireguard(lab, s);
  const b = renderWireguard(lab, s);
  assert.deepEqual([...a], [...b]);
  for (const [p, f] of [...a, ...renderSeats(lab, s)]) {
    assert.equal(!!f.secret, f.content.includes("PrivateKey"), p);
    if (!f.secret) for (const kp of Object.values(s.wireguard)) assert.ok(!f.content.includes(kp.privateKey), `${p} leaks a private key`);
  }
});

test("full-mesh: LAN endpoints on the site, public ones across sites, none for NATed peers; keepalive only from behind NAT", () => {
  const lab = meshLab();
  const s = testSecrets(lab);
  const t = renderWireguard(lab, s);
  const conf = (n: string) => parseWgQuick(t.get(`${n}/wg0.conf`)!.content);
  const peer = (n: string, of: string) => conf(n).peers.find((p) => p.publicKey === s.wireguard[`node/${of}`]!.publicKey)!;
  assert.equal(peer("cp1", "w1").endpoint, "10.1.0.12:51820");
  assert.equal(peer("cp1", "vps1").endpoint, "203.0.113.11:51820");
  assert.equal(peer("vps1", "w1").endpoint, undefined, "w1 is behind NAT and not the site's entry");
  assert.equal(peer("vps1", "cp1").endpoint, undefined, "a reachable node waits for the NATed entry to call (keepalive) and answers where the call came from");
  assert.equal(peer("vps1", "vps2").endpoint, "10.2.0.12:51820");
  const text = t.get("w1/wg0.conf")!.content;
  assert.match(text, /# node vps1[^\n]*\n\[Peer\][^[]*PersistentKeepalive = 25/);
  assert.doesNotMatch(t.get("vps1/wg0.conf")!.content, /PersistentKeepalive/);
  assert.match(t.get("peers.txt")!.content, /# site home: its router forwards UDP 51820 \(198\.51\.100\.2:51820\) to cp1 10\.1\.0\.11:51820/);
  assert.doesNotMatch(t.get("w1/wg0.conf")!.content.split("# node vps1")[0]!, /PersistentKeepalive/, "no keepalive on the same LAN");
  // the interface's own key matches the public key its peers know
  const priv = /PrivateKey = (\S+)/.exec(text)![1]!;
  assert.equal(publicKeyOf(priv), s.wireguard["node/w1"]!.publicKey);
});

test("site-leaders: non-leaders peer only with their leader, which carries the rest of the lab", () => {
  const lab = meshLab({ topology: "site-leaders" });
  const s = testSecrets(lab);
  const t = renderWireguard(lab, s);
  assert.deepEqual(lab.overlay.leaders, { home: "cp1", cloud: "vps1" });
  const w1 = parseWgQuick(t.get("w1/wg0.conf")!.content);
  assert.equal(w1.peers.length, 1);
  const others = lab.nodes.filter((n) => n.name !== "w1").map((n) => `${n.overlayAddress}/32`);
  for (const o of others) assert.ok(w1.peers[0]!.allowedIps.includes(o), o);
  const cp1 = parseWgQuick(t.get("cp1/wg0.conf")!.content);
  assert.ok(cp1.postUp.some((c) => c.includes("ip_forward=1")), "leaders forward");
  // every overlay address appears once per config (WireGuard routes each to exactly one peer)
  for (const [p, f] of t) {
    if (!p.endsWith(".conf")) continue;
    const all = parseWgQuick(f.content).peers.flatMap((x) => x.allowedIps);
    assert.equal(new Set(all).size, all.length, p);
  }
});

test("a seat talks to the hub only: overlay and private services, private DNS, keepalive", () => {
  const lab = meshLab();
  const s = testSecrets(lab);
  const phone = parseWgQuick(renderSeats(lab, s).get("phone.conf")!.content);
  assert.equal(phone.peers.length, 1);
  assert.deepEqual(phone.peers[0]!.allowedIps, ["10.200.0.0/24", "10.1.0.200/29"]);
  assert.equal(phone.peers[0]!.endpoint, "198.51.100.2:51820");
  assert.equal(phone.peers[0]!.publicKey, s.wireguard["node/cp1"]!.publicKey);
  assert.match(stripWgQuick(renderSeats(lab, s).get("phone.conf")!.content), /^\[Interface\]\nPrivateKey = \S+\n\[Peer\]\n/);
});

test("ranges become the fewest covering CIDRs", () => {
  assert.deepEqual(rangeToCidrs("192.168.10.200-192.168.10.220"), ["192.168.10.200/29", "192.168.10.208/29", "192.168.10.216/30", "192.168.10.220/32"]);
  assert.deepEqual(rangeToCidrs("10.0.0.0/24"), ["10.0.0.0/24"]);
  assert.deepEqual(rangeToCidrs("10.0.0.5"), ["10.0.0.5/32"]);
});

test("every example lab: a config per node, each overlay address routed to one peer, no tunnel that cannot connect", () => {
  for (const name of ["starter", "talos-mixed", "pi-cluster", "proxmox-k3s", "multi-site"]) {
    const lab = exampleLab(name);
    const s = testSecrets(lab);
    const t = renderWireguard(lab, s);
    assert.equal([...t.keys()].filter((p) => p.endsWith("/wg0.conf")).length, lab.nodes.length, name);
    for (const [p, f] of [...t, ...renderSeats(lab, s)]) {
      if (!p.endsWith(".conf")) continue;
      const all = parseWgQuick(f.content).peers.flatMap((x) => x.allowedIps);
      assert.equal(new Set(all).size, all.length, `${name} ${p}`);
    }
    assert.deepEqual(meshReport(lab).stuck, [], name);
  }
});

test("the example lab renders a config per node and per seat", () => {
  const lab = exampleLab();
  const s = testSecrets(lab);
  const t = renderWireguard(lab, s);
  assert.equal([...t.keys()].filter((p) => p.endsWith("/wg0.conf")).length, lab.nodes.length);
  assert.deepEqual([...renderSeats(lab, s).keys()], ["laptop.conf", "phone.conf"]);
});
