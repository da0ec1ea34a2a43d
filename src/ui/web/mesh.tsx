// The WireGuard mesh as a drawing: nodes on a circle grouped by site, seats outside it.
import type { Topology } from "./api.js";

export function MeshDrawing({ topo }: { topo: Topology }) {
  const nodes = topo.sites.flatMap((s) => s.hosts.flatMap((h) => h.nodes.map((n) => ({ id: n.name, label: n.name, site: s.name, volatile: h.power === "volatile", cp: n.role === "controlplane" }))));
  const seats = topo.seats.map((s) => ({ id: `seat:${s.name}`, label: s.name }));
  const W = 640, H = 420, cx = W / 2, cy = H / 2, r = Math.min(W, H) / 2 - 70, rs = r + 50;
  const pos = new Map<string, [number, number]>();
  nodes.forEach((n, i) => { const a = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2; pos.set(n.id, [cx + r * Math.cos(a), cy + r * Math.sin(a)]); });
  seats.forEach((s, i) => { const a = (2 * Math.PI * (i + 0.5)) / Math.max(1, seats.length) - Math.PI / 2; pos.set(s.id, [cx + rs * Math.cos(a), cy + rs * Math.sin(a)]); });
  const edges = topo.mesh.edges.length > 600 ? topo.mesh.edges.slice(0, 600) : topo.mesh.edges;
  return (
    <svg class="mesh" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`WireGuard mesh: ${nodes.length} nodes, ${seats.length} seats, ${topo.mesh.edges.length} peerings`}>
      {edges.map((e) => {
        const a = pos.get(e.a), b = pos.get(e.b);
        if (!a || !b) return null;
        return <line key={`${e.a}-${e.b}`} x1={a[0]} y1={a[1]} x2={b[0]} y2={b[1]} class={e.a.startsWith("seat:") || e.b.startsWith("seat:") ? "edge seat" : "edge"} />;
      })}
      {nodes.map((n) => {
        const [x, y] = pos.get(n.id)!;
        return (
          <g key={n.id} class={`peer ${n.volatile ? "volatile" : ""} ${n.cp ? "cp" : ""}`} data-peer={n.id}>
            <circle cx={x} cy={y} r={n.cp ? 9 : 7} />
            <text x={x} y={y - 13} text-anchor="middle">{n.label}</text>
          </g>
        );
      })}
      {seats.map((s) => {
        const [x, y] = pos.get(s.id)!;
        return (
          <g key={s.id} class="peer seat" data-peer={s.id}>
            <rect x={x - 7} y={y - 7} width={14} height={14} rx={3} />
            <text x={x} y={y + 22} text-anchor="middle">{s.label}</text>
          </g>
        );
      })}
    </svg>
  );
}
