// The dashboard draws the tunnels the mesh has: one peer graph (src/lab/mesh.ts), not a copy of it
// (issue 17, bug 2: the site-leaders copy drew 9 of multi-site's 12 tunnels).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../lab/load.js";
import { wireguardPeerPairs } from "../lab/mesh.js";
import { EXAMPLES } from "../testing/paths.js";
import { meshEdges } from "./view.js";

for (const example of ["multi-site", "talos-mixed", "proxmox-k3s", "pi-cluster", "starter"]) {
  test(`${example}: the dashboard's mesh edges are exactly the rendered peer pairs`, () => {
    const lab = loadLabText(readFileSync(join(EXAMPLES, example, "lab.yaml"), "utf8"), "lab.yaml").lab!;
    const id = (x: string) => (x.startsWith("seat:") ? `seat/${x.slice(5)}` : `node/${x}`);
    const drawn = meshEdges(lab).map((e) => [id(e.a), id(e.b)].sort().join("|")).sort();
    assert.deepEqual(drawn, wireguardPeerPairs(lab));
    if (example === "multi-site") {
      assert.equal(lab.overlay.topology, "site-leaders");
      // 6 inside home (4 nodes), 3 between the site leaders, 3 seats at the hub: 12 tunnels
      assert.equal(meshEdges(lab).length, 12);
      assert.equal(meshEdges(lab).filter((e) => e.a.startsWith("seat:")).length, 3);
    }
  });
}
