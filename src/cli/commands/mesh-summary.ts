// The `drover check` section for the WireGuard mesh: topology, tunnels, where seats connect, and
// warnings for tunnels that can never connect or a full mesh grown too big (src/analyze/mesh.ts).
import { summarySections } from "./check.js";
import { meshReport } from "../../analyze/mesh.js";

/** Above this many nodes the per-tunnel checks are skipped in the summary (hundreds of thousands of pairs). */
export const MESH_SUMMARY_LIMIT = 300;

summarySections.push((lab) => {
  if (lab.nodes.length > MESH_SUMMARY_LIMIT) {
    const n = lab.nodes.length;
    const lines = [`${lab.overlay.topology}, ${n} nodes; per-tunnel checks not run for more than ${MESH_SUMMARY_LIMIT} nodes (drover render writes every peer)`];
    if (lab.overlay.topology === "full-mesh") lines.push(`warning: a full mesh of ${n} nodes has ${(n * (n - 1)) / 2} tunnels (every node holds ${n - 1} peers); use topology: site-leaders`);
    return { title: "wireguard", lines, json: { topology: lab.overlay.topology, nodes: n, skipped: true, limit: MESH_SUMMARY_LIMIT } };
  }
  const r = meshReport(lab);
  const lines = [`${r.topology}, ${r.nodes} node${r.nodes === 1 ? "" : "s"}, ${r.tunnels} tunnel${r.tunnels === 1 ? "" : "s"}${r.hub ? `; ${lab.seats.length} seat${lab.seats.length === 1 ? "" : "s"} through ${r.hub.node}${r.hub.endpoint ? ` (${r.hub.endpoint})` : ""}` : ""}`];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return { title: "wireguard", lines, json: { ...r } };
});
