// Rotating the mesh's WireGuard keys under load: the 4-node, 2-site lab runs in network namespaces
// with wireguard-go, every ordered pair pings continuously, the keys are rotated and the new configs
// rolled out reachable-first with `wg syncconf`; every pair recovers, and the longest gap is reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { siteEntry } from "../../lab/mesh.js";
import { presharedKey, presharedKeyEntries } from "../../secrets/preshared-keys.js";
import { testSecrets } from "../../testing/apps-lab.js";
import { meshLab } from "../../testing/mesh-lab.js";
import { MeshWorld, longestGap } from "../../testing/mesh-world.js";
import { renderWireguard } from "../../render/wireguard/index.js";
import { rolloutOrder, rotateWireguardSecrets, wireguardRotation } from "./wireguard.js";
import { publicKeyOf } from "../../secrets/wireguard.js";

const confs = (lab: Lab, s: LabSecrets) => new Map([...renderWireguard(lab, s)].filter(([p]) => p.endsWith("/wg0.conf")).map(([p, f]) => [p.split("/")[0]!, f.content]));

test("rotation replaces every node key and node-to-node preshared key, nothing else; seats are told", async () => {
  const lab = meshLab();
  const s = testSecrets(lab);
  const { secrets, changed } = rotateWireguardSecrets(s, lab);
  for (const n of lab.nodes) {
    const kp = secrets.wireguard[`node/${n.name}`]!;
    assert.notEqual(kp.privateKey, s.wireguard[`node/${n.name}`]!.privateKey);
    assert.equal(publicKeyOf(kp.privateKey), kp.publicKey);
  }
  assert.deepEqual(secrets.wireguard["seat/phone"], s.wireguard["seat/phone"]);
  for (const [a, b, k] of presharedKeyEntries(secrets.wireguardPresharedKeys)) assert.equal(k === presharedKey(s.wireguardPresharedKeys, a, b), `${a}|${b}`.includes("seat/"), `${a}|${b}`);
  assert.equal(changed.filter((c) => c.startsWith("wireguard key")).length, 4);
  assert.equal(secrets.k3s, s.k3s);
  const r = await wireguardRotation().rotate({ secrets: s, envelope: undefined as never }, lab);
  assert.deepEqual(r.rollout.map((x) => x.node), ["vps1", "vps2", "cp1", "w1"], "reachable first: the cloud nodes, then the home entry (forwarded port), then w1 behind NAT");
  assert.match(r.rollout[0]!.action, /wg syncconf wg0 <\(wg-quick strip wg0\)/);
  assert.match(r.notes.join(), /phone/);
});

test("rotation under continuous ping: every pair recovers; the longest gap is measured", { timeout: 180_000 }, async (t) => {
  const lab = meshLab({ seats: [] });
  const before = testSecrets(lab);
  const world = await MeshWorld.start({ homeEntry: siteEntry(lab, "home")!.address });
  try {
    const old = confs(lab, before);
    await Promise.all([...old].map(([n, c]) => world.up(n, c)));
    const pairs = lab.nodes.flatMap((a) => lab.nodes.filter((b) => b !== a).map((b) => [a, b] as const));
    const warm = await Promise.all(pairs.map(([a, b]) => world.ping(a.name, b.overlayAddress)));
    assert.ok(warm.every(Boolean), "the mesh is up before the rotation");

    const pings = pairs.map(([a, b]) => ({ pair: `${a.name}→${b.name}`, p: world.continuousPing(a.name, b.overlayAddress, 20) }));
    await new Promise((r) => setTimeout(r, 1000));
    const { secrets } = rotateWireguardSecrets(before, lab);
    const next = confs(lab, secrets);
    const started = Date.now();
    for (const node of rolloutOrder(lab)) await world.apply(node, next.get(node)!);
    const rolled = Date.now() - started;
    const back = await Promise.all(pairs.map(([a, b]) => world.ping(a.name, b.overlayAddress, 20_000)));
    await new Promise((r) => setTimeout(r, 1000));
    const gaps: Record<string, number> = {};
    for (const { pair, p } of pings) {
      const times = (await p.stop()).filter((x) => x >= started - 1000);
      gaps[pair] = longestGap(times);
    }
    assert.ok(back.every(Boolean), `pairs that did not recover: ${pairs.filter((_, i) => !back[i]).map(([a, b]) => `${a.name}→${b.name}`).join(", ")}`);
    for (const n of lab.nodes) assert.ok((await world.dump(n.name)).includes(secrets.wireguard[`node/${n.name}`]!.publicKey), `${n.name} runs its new key`);
    const worst = Math.max(...Object.values(gaps));
    t.diagnostic(`rollout of 4 nodes took ${rolled} ms; longest ping gap ${worst} ms; per pair: ${Object.entries(gaps).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    assert.ok(Object.values(gaps).every((g) => g > 0), "every pair was measured");
  } finally {
    await world.close();
  }
});
