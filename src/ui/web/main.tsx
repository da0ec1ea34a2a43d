import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { getJson, type Plan, type Services, type Summary, type Topology, type WhatIf, type Tile, type THost } from "./api.js";
import { MeshDrawing } from "./mesh.js";

type Page = "/" | "/nodes" | "/whatif" | "/plan";
const PAGES: [Page, string][] = [["/", "Services"], ["/nodes", "Nodes & mesh"], ["/whatif", "What-if"], ["/plan", "Plan"]];

function usePath(): [Page, (p: Page) => void] {
  const norm = (p: string): Page => (p === "/services" ? "/" : (PAGES.some(([x]) => x === p) ? p : "/") as Page);
  const [path, setPath] = useState<Page>(norm(location.pathname));
  useEffect(() => {
    const on = () => setPath(norm(location.pathname));
    addEventListener("popstate", on);
    return () => removeEventListener("popstate", on);
  }, []);
  return [path, (p) => { history.pushState(null, "", p); setPath(p); }];
}

function useJson<T>(path: string | null): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    if (!path) return;
    let live = true;
    getJson<T>(path).then((data) => live && setState({ data }), (e: Error) => live && setState({ error: e.message }));
    return () => { live = false; };
  }, [path]);
  return state;
}

function App() {
  const [path, go] = usePath();
  const summary = useJson<Summary>("/api/summary");
  return (
    <div class="app">
      <header>
        <div class="brand">
          <span class="logo">▲</span> Drover <span class="lab">{summary.data ? `${summary.data.name} · ${summary.data.distribution} · k8s ${summary.data.kubernetesVersion}` : ""}</span>
        </div>
        <nav>
          {PAGES.map(([p, label]) => (
            <a href={p} class={p === path ? "active" : ""} onClick={(e) => { e.preventDefault(); go(p); }}>{label}</a>
          ))}
        </nav>
      </header>
      <main>
        {path === "/" && <ServicesPage />}
        {path === "/nodes" && <NodesPage />}
        {path === "/whatif" && <WhatIfPage />}
        {path === "/plan" && <PlanPage />}
      </main>
    </div>
  );
}

function Offline({ online, reason }: { online: boolean; reason?: string }) {
  return online ? <span class="badge live">live</span> : <span class="badge offline" title={reason}>offline{reason ? `: ${reason}` : ""}</span>;
}

function ServicesPage() {
  const { data, error } = useJson<Services>("/api/services");
  const [q, setQ] = useState("");
  const groups = useMemo(() => {
    const m = new Map<string, Tile[]>();
    for (const t of data?.services ?? []) {
      const hay = `${t.name} ${t.title} ${t.group} ${t.description} ${t.url ?? ""}`.toLowerCase();
      if (q && !hay.includes(q.toLowerCase())) continue;
      m.set(t.group, [...(m.get(t.group) ?? []), t]);
    }
    return [...m.entries()];
  }, [data, q]);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="loading">Loading…</p>;
  return (
    <section>
      <div class="toolbar">
        <h1>Services</h1>
        <input type="search" placeholder="Search services" aria-label="Search services" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <Offline online={data.online} reason={data.reason} />
      </div>
      {groups.length === 0 && <p class="muted">No service matches “{q}”.</p>}
      {groups.map(([group, tiles]) => (
        <div class="group" key={group}>
          <h2>{group}</h2>
          <div class="tiles">
            {tiles.map((t) => (
              <a class="tile" data-app={t.name} href={t.url ?? undefined} target="_blank" rel="noreferrer noopener" key={t.name}>
                <span class="icon" aria-hidden="true">{t.title.slice(0, 1).toUpperCase()}</span>
                <span class="body">
                  <span class="title">{t.title} <span class={`health ${t.health}`} title={`health: ${t.health}`} /></span>
                  <span class="url">{t.url ?? "internal only"}</span>
                  <span class="meta">
                    <span class={`badge ${t.exposure}`}>{t.exposure}</span>
                    {t.groups === null ? <span class="muted">no sign-in</span> : t.groups.length ? <span class="muted">for {t.groups.join(", ")}</span> : <span class="muted">any signed-in user</span>}
                  </span>
                </span>
              </a>
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}

function HostCard({ h }: { h: THost }) {
  return (
    <div class={`host ${h.power}`} data-host={h.name}>
      <div class="host-head">
        <strong>{h.name}</strong>
        <span class="muted">{h.arch} · {h.cpu} cores · {h.memory}{h.gpus ? ` · ${h.gpus} GPU` : ""}{h.hypervisor !== "none" ? ` · ${h.hypervisor}` : ""}</span>
        {h.power === "volatile" && <span class="badge volatile" title="switched off at times">volatile</span>}
      </div>
      <ul>
        {h.nodes.map((n) => (
          <li key={n.name} data-node={n.name}>
            <span class={`dot ${n.status}`} title={n.status} /> <strong>{n.name}</strong> <span class={`badge ${n.role}`}>{n.role === "controlplane" ? "control plane" : "worker"}</span>
            <span class="muted"> {n.kind} · {n.cpu} CPU · {n.memory} · {n.address} · wg {n.overlayAddress}</span>
          </li>
        ))}
        {h.nodes.length === 0 && <li class="muted">no Kubernetes node</li>}
      </ul>
    </div>
  );
}

function NodesPage() {
  const { data, error } = useJson<Topology>("/api/topology");
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="loading">Loading…</p>;
  return (
    <section>
      <div class="toolbar"><h1>Nodes &amp; mesh</h1><span class="muted">API {data.endpoint}</span><Offline online={data.online} reason={data.reason} /></div>
      {data.sites.map((s) => (
        <div class="site" key={s.name} data-site={s.name}>
          <h2>{s.name} <span class="muted">{s.kind} · {s.lan}{s.nat ? " · behind NAT" : ""}</span></h2>
          <div class="hosts">{s.hosts.map((h) => <HostCard h={h} key={h.name} />)}</div>
        </div>
      ))}
      <h2>WireGuard mesh <span class="muted">{data.mesh.topology} on {data.mesh.subnet} · {data.mesh.edges.length} peerings</span></h2>
      <MeshDrawing topo={data} />
    </section>
  );
}

const OUTCOME_LABEL: Record<string, string> = { unaffected: "unaffected", degraded: "degraded", restarted: "restarted elsewhere", down: "down" };

function WhatIfPage() {
  const topo = useJson<Topology>("/api/topology");
  const [down, setDown] = useState<string[]>([]);
  const result = useJson<WhatIf>(`/api/whatif?down=${encodeURIComponent(down.join(","))}`);
  const hosts = topo.data?.sites.flatMap((s) => s.hosts) ?? [];
  const toggle = (h: string) => setDown((d) => (d.includes(h) ? d.filter((x) => x !== h) : [...d, h].sort()));
  const r = result.data;
  const worst = r ? r.apps.filter((a) => a.outcome !== "unaffected") : [];
  return (
    <section>
      <div class="toolbar"><h1>What if…</h1><span class="muted">switch hosts off to see what survives</span></div>
      <div class="switches">
        {hosts.map((h) => (
          <button key={h.name} data-host={h.name} aria-pressed={down.includes(h.name)} class={`switch ${down.includes(h.name) ? "off" : "on"} ${h.power}`} onClick={() => toggle(h.name)}>
            <span class="state">{down.includes(h.name) ? "OFF" : "ON"}</span> {h.name}{h.power === "volatile" ? " ⚡" : ""}
          </button>
        ))}
        <button class="link" onClick={() => setDown(hosts.filter((h) => h.power === "volatile").map((h) => h.name))}>volatile hosts off</button>
        <button class="link" onClick={() => setDown([])}>all on</button>
      </div>
      {result.error && <p class="error">{result.error}</p>}
      {r && (
        <div class="outcome">
          <div class={`verdict ${r.etcd.ok ? "ok" : "bad"}`} data-testid="etcd">
            etcd: {r.etcd.remaining} of {r.etcd.members} members remain, quorum needs {r.etcd.quorum} — {r.etcd.ok ? "quorum kept" : "QUORUM LOST"}
          </div>
          <div class={`verdict ${r.api.ok ? "ok" : "bad"}`} data-testid="api">Kubernetes API: {r.api.ok ? "available" : `unavailable${r.api.reason ? ` (${r.api.reason})` : ""}`}</div>
          {r.spofs.length > 0 && <ul class="spofs">{r.spofs.map((s) => <li key={`${s.component}: ${s.reason}`}><strong>{s.component}</strong>: {s.reason}</li>)}</ul>}
          {r.notes.length > 0 && <ul class="notes" data-testid="notes">{r.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
          <p class="muted">{down.length === 0 ? "All hosts on." : `${worst.length} of ${r.apps.length} apps affected.`}</p>
          <table>
            <thead><tr><th>App</th><th>Replicas</th><th>Outcome</th><th>Why</th></tr></thead>
            <tbody>
              {r.apps.map((a) => (
                <tr key={a.name} data-app={a.name} data-outcome={a.outcome}>
                  <td>{a.name}</td><td>{a.before} → {a.after}</td>
                  <td><span class={`badge ${a.outcome}`}>{OUTCOME_LABEL[a.outcome]}</span></td>
                  <td class="muted">{a.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function PlanPage() {
  const { data, error } = useJson<Plan>("/api/plan");
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="loading">Loading…</p>;
  const counts = data.changes.reduce<Record<string, number>>((m, c) => ((m[c.action] = (m[c.action] ?? 0) + 1), m), {});
  return (
    <section>
      <div class="toolbar"><h1>Plan</h1><Offline online={data.online} reason={data.reason} /></div>
      {!data.online && <p class="muted" data-testid="plan-offline">The plan compares the rendered lab with the live cluster; {data.reason}.</p>}
      {data.online && (
        <>
          <p>{Object.entries(counts).map(([k, v]) => `${v} to ${k}`).join(", ") || "Nothing to change: the cluster matches the lab."}</p>
          <ul class="plan">
            {data.changes.filter((c) => c.action !== "unchanged").map((c) => (
              <li key={`${c.kind}/${c.namespace}/${c.name}`} class={c.action}>
                <span class={`badge ${c.action}`}>{c.action}</span> {c.kind} {c.namespace ? `${c.namespace}/` : ""}{c.name}
                {c.diff && <pre>{c.diff}</pre>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const root = document.getElementById("app")!;
root.textContent = "";
render(<App />, root);
