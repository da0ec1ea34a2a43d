// The multi-site example (three sites, site-leaders: home behind NAT with a forwarded port and a DNS
// name, a cabin behind NAT that only dials out, a cloud node on a public address; two seats) brought
// up for real under wireguard-go in network namespaces built from the lab itself: every node pair and
// every seat reaches every node over the overlay; then without the home leader (also the seats' hub),
// re-rendered and applied, the rest and the seats (with their new configs) still do.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { ensureSecrets } from "../../secrets/generate.js";
import { seatHub } from "../../lab/mesh.js";
import { exampleLab, loadTestLab, testSecrets } from "../../testing/apps-lab.js";
import { EXAMPLES } from "../../testing/paths.js";
import { MeshWorld } from "../../testing/mesh-world.js";
import { renderSeats, renderWireguard } from "./index.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

function confs(lab: Lab, secrets: LabSecrets): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, f] of renderWireguard(lab, secrets)) if (p.endsWith("/wg0.conf")) out.set(p.slice(0, -"/wg0.conf".length), f.content);
  for (const [p, f] of renderSeats(lab, secrets)) out.set(`seat/${p.slice(0, -".conf".length)}`, f.content);
  return out;
}

async function unreachable(world: MeshWorld, lab: Lab): Promise<string[]> {
  const jobs: Promise<string | undefined>[] = [];
  const from = [...lab.nodes.map((n) => n.name), ...lab.seats.map((s) => `seat/${s.name}`)];
  for (const a of from) for (const b of lab.nodes) if (a !== b.name) jobs.push(world.ping(a, b.overlayAddress, 20_000).then((ok) => (ok ? undefined : `${a} → ${b.name}`)));
  return (await Promise.all(jobs)).filter((x): x is string => x !== undefined);
}

test("multi-site example: three sites, site-leaders, seats; still connected without the home leader", { timeout: 240_000 }, async () => {
  const lab = exampleLab("multi-site");
  assert.equal(lab.overlay.topology, "site-leaders");
  const secrets = testSecrets(lab);
  const world = await MeshWorld.forLab(lab);
  try {
    await Promise.all([...confs(lab, secrets)].map(([name, conf]) => world.up(name, conf)));
    assert.deepEqual(await unreachable(world, lab), []);
    // the seats' DNS = line reached the resolver: the private DNS (pihole's load-balancer address)
    const dns = lab.apps.find((a) => a.catalog.name === "pihole")!.loadBalancerAddress!;
    for (const s of lab.seats) assert.match(world.resolver(`seat/${s.name}`) ?? "", new RegExp(`^nameserver ${dns.replaceAll(".", "\\.")}$`, "m"), s.name);

    const gone = seatHub(lab)!.name;
    assert.equal(gone, lab.overlay.leaders.home);
    const text = readFileSync(join(EXAMPLES, "multi-site", "lab.yaml"), "utf8");
    const line = text.split("\n").find((l) => l.includes(`{ name: ${gone},`))!;
    const smaller = loadTestLab(text.replace(`${line}\n`, ""));
    assert.ok(!smaller.nodes.some((n) => n.name === gone));
    assert.notEqual(smaller.overlay.leaders.home, gone, "home has a new leader");
    const c2 = confs(smaller, ensureSecrets(smaller, secrets).secrets);
    await world.down(gone);
    // the user points the home router's forwarded port at the new entry node (peers.txt says which)
    await world.natRules(smaller);
    for (const [name, conf] of c2) await world.apply(name, conf);
    assert.deepEqual(await unreachable(world, smaller), []);
  } finally {
    await world.close();
  }
});
