// The dashboard's access token: random, printed at start, required on every request.
// First visit with ?token=… sets an HttpOnly, SameSite=Strict cookie and redirects to a clean URL;
// API clients may send "Authorization: Bearer …" instead.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { localPath } from "./listen.js";

export const COOKIE = "drover_token";

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const q = c.req.query("token");
    if (q !== undefined) {
      if (!same(q, token)) return c.text("invalid token", 401);
      setCookie(c, COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      // path-only, on this server: `//evil.example/x?token=…` must not send the browser off-site
      return c.redirect(localPath(url.pathname) + (url.search || ""), 302);
    }
    const auth = c.req.header("authorization");
    const bearer = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    const cookie = getCookie(c, COOKIE);
    if ((bearer && same(bearer, token)) || (cookie && same(cookie, token))) return next();
    if (c.req.path.startsWith("/api/")) return c.json({ error: "missing or invalid access token" }, 401);
    return c.html(
      `<!doctype html><meta charset="utf-8"><title>Drover</title><body style="font-family:system-ui;padding:2rem"><h1>Access token required</h1><p>Open the URL that <code>drover ui</code> printed (it carries <code>?token=…</code>).</p></body>`,
      401,
    );
  };
}
