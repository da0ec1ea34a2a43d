#!/usr/bin/env node
// WireGuard key rotation under continuous ping (root: network namespaces, wireguard-go): the 4-node,
// 2-site mesh test lab, every ordered node pair pinging every 20 ms, keys rotated and the new configs
// applied with `wg syncconf` one node at a time. Drover's rollout order (reachable nodes first, then the
// nodes behind NAT) against the reverse order (NAT first), in the same run, ROUNDS times each,
// alternating; prints the median of the longest reply gap across all pairs and the ratio.
import { meshLab } from "../dist/testing/mesh-lab.js";
import { MeshWorld, longestGap } from "../dist/testing/mesh-world.js";
import { testSecrets } from "../dist/testing/apps-lab.js";
import { siteEntry } from "../dist/secrets/peers.js";
import { renderWireguard } from "../dist/render/wireguard/index.js";
import { rolloutOrder, rotateWireguardSecrets } from "../dist/ops/rotate/wireguard.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STEP_MS = Number(process.env.STEP_MS ?? 0); // pause between nodes (an operator's ssh round trip)
const lab = meshLab({ seats: [] });
const confs = (s) => new Map([...renderWireguard(lab, s)].filter(([p]) => p.endsWith("/wg0.conf")).map(([p, f]) => [p.split("/")[0], f.content]));
const pairs = lab.nodes.flatMap((a) => lab.nodes.filter((b) => b !== a).map((b) => [a, b]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let secrets = testSecrets(lab);
const world = await MeshWorld.start({ homeEntry: siteEntry(lab, "home").address });
const gaps = { "reachable-first": [], "nat-first": [] };
try {
  await Promise.all([...confs(secrets)].map(([n, c]) => world.up(n, c)));
  for (const [a, b] of pairs) if (!(await world.ping(a.name, b.overlayAddress))) throw new Error(`${a.name} cannot reach ${b.name}`);
  const drover = rolloutOrder(lab);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, order] of [["reachable-first", drover], ["nat-first", [...drover].reverse()]]) {
      const pings = pairs.map(([a, b]) => world.continuousPing(a.name, b.overlayAddress, 20));
      await new Promise((r) => setTimeout(r, 500));
      secrets = rotateWireguardSecrets(secrets, lab).secrets;
      const next = confs(secrets);
      const start = Date.now();
      for (const node of order) {
        await world.apply(node, next.get(node));
        if (STEP_MS) await new Promise((r) => setTimeout(r, STEP_MS));
      }
      for (const [a, b] of pairs) if (!(await world.ping(a.name, b.overlayAddress, 30_000))) throw new Error(`${name}: ${a.name} never reached ${b.name} again`);
      await new Promise((r) => setTimeout(r, 500));
      let worst = 0;
      for (const p of pings) worst = Math.max(worst, longestGap((await p.stop()).filter((t) => t >= start - 500)));
      gaps[name].push(worst);
      console.log(`round ${round + 1} ${name.padEnd(15)} order ${order.join(",")}: longest gap ${worst} ms`);
    }
  }
} finally {
  await world.close();
}
const a = median(gaps["reachable-first"]);
const b = median(gaps["nat-first"]);
console.log(`\nlongest ping gap during rotation, median of ${ROUNDS} (pause between nodes ${STEP_MS} ms)`);
console.log(`| rollout order | longest gap |\n|---|---|\n| drover (reachable first) | ${a} ms |\n| reverse (NAT first) | ${b} ms |`);
console.log(`nat-first / reachable-first: ${(b / a).toFixed(1)}×`);
