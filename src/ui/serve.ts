// Starting and stopping the dashboard's HTTP server.
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createApp } from "./server.js";
import { newToken } from "./token.js";
import { sources } from "./sources.js";
import type { DashboardSources } from "./server.js";

export interface Dashboard {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboard(opts: { labPath: string; host: string; port: number; assets: string; loopbackOnly: boolean; kubeconfig?: string; sources?: DashboardSources; token?: string }): Promise<Dashboard> {
  const token = opts.token ?? newToken();
  const src = opts.sources ?? sources(opts.labPath, opts.kubeconfig);
  const app0 = (port: number) =>
    createApp({ token, assets: opts.assets, sources: src, allowedHosts: opts.loopbackOnly ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`] : undefined });
  let handler = app0(opts.port);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: (req, env) => handler.fetch(req, env), hostname: opts.host, port: opts.port }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  if (port !== opts.port) handler = app0(port); // port 0: now we know the real one
  const hostPart = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostPart}:${port}/?token=${token}`,
    token,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
