// The rendered WireGuard configs, brought up for real: wireguard-go in network namespaces, one site
// behind a NAT router (so keepalives and the forwarded site port matter), every pair pinging over the
// overlay; then a re-render without one node, applied to the rest, which still reach each other.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { ensureSecrets } from "../../secrets/generate.js";
import { siteEntry } from "../../lab/mesh.js";
import { testSecrets } from "../../testing/apps-lab.js";
import { LB_ADDRESS, MESH_NODES, meshLab } from "../../testing/mesh-lab.js";
import { MeshWorld } from "../../testing/mesh-world.js";
import { renderSeats, renderWireguard } from "./index.js";

function confs(lab: Lab, secrets: LabSecrets): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, f] of renderWireguard(lab, secrets)) if (p.endsWith("/wg0.conf")) out.set(p.slice(0, -"/wg0.conf".length), f.content);
  for (const [p, f] of renderSeats(lab, secrets)) out.set(`seat/${p.slice(0, -".conf".length)}`, f.content);
  return out;
}

async function allPairsPing(world: MeshWorld, lab: Lab): Promise<string[]> {
  const jobs: Promise<string | undefined>[] = [];
  for (const a of lab.nodes) {
    for (const b of lab.nodes) {
      if (a === b) continue;
      jobs.push(world.ping(a.name, b.overlayAddress).then((ok) => (ok ? undefined : `${a.name} → ${b.name} (${b.overlayAddress})`)));
    }
  }
  for (const s of lab.seats) {
    for (const b of lab.nodes) jobs.push(world.ping(`seat/${s.name}`, b.overlayAddress).then((ok) => (ok ? undefined : `seat ${s.name} → ${b.name}`)));
    // a private service on the home LAN, through the hub's masquerade
    jobs.push(world.ping(`seat/${s.name}`, LB_ADDRESS).then((ok) => (ok ? undefined : `seat ${s.name} → load balancer ${LB_ADDRESS}`)));
  }
  return (await Promise.all(jobs)).filter((x): x is string => x !== undefined);
}

for (const topology of ["full-mesh", "site-leaders"] as const) {
  test(`${topology}: 4 nodes on 2 sites (one behind NAT) and a seat ping each other over wireguard-go; still after a re-render without a node`, { timeout: 180_000 }, async () => {
    const lab = meshLab({ topology });
    const secrets = testSecrets(lab);
    const world = await MeshWorld.start({ seats: ["phone"], homeEntry: siteEntry(lab, "home")!.address });
    try {
      const c = confs(lab, secrets);
      await Promise.all([...c].map(([name, conf]) => world.up(name, conf)));
      assert.deepEqual(await allPairsPing(world, lab), [], "pairs that could not ping");
      // the home LAN really is behind NAT: the cloud cannot reach it except through the tunnel
      assert.equal(await world.ping("vps1", "10.1.0.12", 1500), false, "vps1 reached w1's LAN address without the overlay");

      // the cloud site's leader (in site-leaders) goes away: re-render, apply to the rest
      const gone = "vps1";
      const smaller = meshLab({ topology, without: [gone] });
      const kept = ensureSecrets(smaller, secrets).secrets;
      const c2 = confs(smaller, kept);
      await world.down(gone);
      for (const [name, conf] of c2) await world.apply(name, conf);
      const goneKey = secrets.wireguard[`node/${gone}`]!.publicKey;
      for (const n of smaller.nodes) assert.ok(!(await world.dump(n.name)).includes(goneKey), `${n.name} still has ${gone} as a peer`);
      assert.deepEqual(await allPairsPing(world, smaller), [], "pairs that could not ping without vps1");
      assert.deepEqual(smaller.nodes.map((n) => n.name), MESH_NODES.filter((n) => n !== gone));
    } finally {
      await world.close();
    }
    assert.deepEqual(await world.leftovers(), [], "network namespaces left behind");
  });
}
