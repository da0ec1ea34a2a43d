// The `drover check` section for the WireGuard mesh: topology, tunnels, where seats connect, and
// warnings for tunnels that can never connect or a full mesh grown too big (src/analyze/mesh.ts).
import { summarySections } from "./check.js";
import { meshReport } from "../../analyze/mesh.js";

summarySections.push((lab) => {
  const r = meshReport(lab);
  const lines = [`${r.topology}, ${r.nodes} node${r.nodes === 1 ? "" : "s"}, ${r.tunnels} tunnel${r.tunnels === 1 ? "" : "s"}${r.hub ? `; ${lab.seats.length} seat${lab.seats.length === 1 ? "" : "s"} through ${r.hub.node}${r.hub.endpoint ? ` (${r.hub.endpoint})` : ""}` : ""}`];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return { title: "wireguard", lines, json: { ...r } };
});
