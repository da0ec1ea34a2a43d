// The dashboard's HTTP app: token-gated JSON API plus the prebuilt single-page UI.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { readFileSync, existsSync } from "node:fs";
import { join, extname, normalize } from "node:path";
import type { Lab } from "../lab/types.js";
import { requireToken } from "./token.js";
import { services, summary, topology } from "./view.js";
import { hostAllowed } from "./listen.js";
import type { LiveView, PlanView, WhatIfView } from "./api-views.js";

export interface DashboardSources {
  /** the current lab (re-read when lab.yaml changes) */
  lab(): Lab;
  whatIf(lab: Lab, hosts: readonly string[]): WhatIfView;
  /** live cluster facts; absent or offline without a kubeconfig */
  live?(lab: Lab): Promise<LiveView>;
  plan?(lab: Lab): Promise<PlanView>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

const PAGES = new Set(["/", "/services", "/nodes", "/whatif", "/plan"]);
const MAX_QUERY = 2048;

/** allowedHosts: the Host header values (name:port) answered; every other request gets 421 (DNS rebinding). */
export function createApp(opts: { token: string; assets: string; sources: DashboardSources; allowedHosts: readonly string[] }) {
  const app = new Hono();
  const { sources } = opts;

  app.onError((err, c) => {
    // never leak a stack trace to the browser
    console.error(`drover ui: ${err.message}`);
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => c.json({ error: "not found" }, 404));

  // security headers, DNS-rebinding guard, oversized requests
  app.use("*", async (c, next) => {
    if (c.req.url.length > MAX_QUERY) return c.json({ error: "request URL too long" }, 414);
    if (!hostAllowed(c.req.header("host"), opts.allowedHosts)) return c.json({ error: "unexpected Host header" }, 421);
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    c.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    c.header("Cache-Control", "no-store");
  });
  app.use("*", bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: "request body too large" }, 413) }));
  app.use("*", requireToken(opts.token));

  app.get("/api/summary", (c) => c.json(summary(sources.lab())));
  app.get("/api/services", async (c) => {
    const lab = sources.lab();
    const tiles = services(lab);
    const live = sources.live ? await sources.live(lab).catch((e: Error) => ({ online: false, reason: e.message, nodes: {}, apps: {} }) as LiveView) : undefined;
    if (live?.online) {
      for (const t of tiles) {
        const a = live.apps[t.name];
        if (a) t.health = a.ready >= a.desired && a.desired > 0 ? "healthy" : a.ready > 0 ? "degraded" : "down";
      }
    }
    return c.json({ online: !!live?.online, reason: live?.reason ?? (sources.live ? undefined : "no kubeconfig given"), services: tiles });
  });
  app.get("/api/topology", async (c) => {
    const lab = sources.lab();
    const topo = topology(lab);
    const live = sources.live ? await sources.live(lab).catch((e: Error) => ({ online: false, reason: e.message, nodes: {}, apps: {} }) as LiveView) : undefined;
    if (live?.online) for (const s of topo.sites) for (const h of s.hosts) for (const n of h.nodes) n.status = live.nodes[n.name] ?? "notready";
    return c.json({ online: !!live?.online, reason: live?.reason ?? (sources.live ? undefined : "no kubeconfig given"), ...topo });
  });
  app.get("/api/whatif", (c) => {
    const lab = sources.lab();
    const raw = c.req.query("down") ?? "";
    const hosts = raw === "" ? [] : raw.split(",");
    const known = new Set(lab.hosts.map((h) => h.name));
    const unknown = hosts.filter((h) => !known.has(h));
    if (unknown.length) return c.json({ error: `unknown host ${unknown.join(", ")}`, hosts: [...known] }, 400);
    if (new Set(hosts).size !== hosts.length) return c.json({ error: "a host is named twice" }, 400);
    return c.json(sources.whatIf(lab, hosts));
  });
  app.get("/api/plan", async (c) => {
    const lab = sources.lab();
    if (!sources.plan) return c.json({ online: false, reason: "no kubeconfig given: start drover ui with --kubeconfig to compare with the live cluster", changes: [] } satisfies PlanView);
    const plan = await sources.plan(lab).catch((e: Error): PlanView => ({ online: false, reason: e.message, changes: [] }));
    return c.json(plan);
  });
  app.all("/api/*", (c) => c.json({ error: "not found" }, 404));

  // static assets and the single page
  app.get("*", (c) => {
    const path = c.req.path;
    if (PAGES.has(path)) return c.html(readFileSync(join(opts.assets, "index.html"), "utf8"));
    const rel = normalize(path).replace(/^(\.\.[/\\])+/, "");
    if (!rel.startsWith("/assets/")) return c.json({ error: "not found" }, 404);
    const file = join(opts.assets, rel);
    if (!file.startsWith(opts.assets) || !existsSync(file)) return c.json({ error: "not found" }, 404);
    return c.body(readFileSync(file), 200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
  });
  app.on(["POST", "PUT", "DELETE", "PATCH"], "*", (c) => c.json({ error: "method not allowed" }, 405));
  return app;
}
