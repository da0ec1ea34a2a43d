// Starting and stopping the dashboard's HTTP server. Loopback unless allowRemote is given; the Host
// header is checked on every request against the names of listen.ts's allow-list.
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createApp } from "./server.js";
import { newToken } from "./token.js";
import { sources } from "./sources.js";
import type { DashboardSources } from "./server.js";
import { ListenError, allowedHosts, parseListen } from "./listen.js";
import { UserError } from "../errors.js";

export interface Dashboard {
  url: string;
  token: string;
  port: number;
  /** the Host header values it answers to */
  hosts: readonly string[];
  close(): Promise<void>;
}

/** The address could not be bound (in use, not an address of this machine, a privileged port): exit 1, with the hint. */
export class BindError extends UserError {
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = "BindError";
  }
}

export interface DashboardOptions {
  labPath: string;
  /** an IPv4 or IPv6 literal, or localhost */
  host: string;
  port: number;
  assets: string;
  /** listen on a non-loopback address: refused without it */
  allowRemote?: boolean;
  /** more names the dashboard answers to (--allow-host) */
  allowHosts?: readonly string[];
  kubeconfig?: string;
  sources?: DashboardSources;
  token?: string;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const hostPart = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const addr = parseListen(`${hostPart}:${opts.port}`);
  if (!addr.loopback && !opts.allowRemote) {
    throw new ListenError(
      `--listen ${hostPart}:${opts.port} would open the dashboard to other machines; refusing without --allow-remote`,
      "keep the default 127.0.0.1 (and reach it through an SSH tunnel), or pass --allow-remote with --allow-host <name> for each name you open it by",
    );
  }
  const token = opts.token ?? newToken();
  const src = opts.sources ?? sources(opts.labPath, opts.kubeconfig);
  let hosts = allowedHosts(addr, opts.port, opts.allowHosts ?? []); // validates --allow-host before anything listens
  const app0 = () => createApp({ token, assets: opts.assets, sources: src, allowedHosts: hosts });
  let handler = app0();
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: (req, env) => handler.fetch(req, env), hostname: addr.host, port: addr.port }, () => resolve(s));
    s.once("error", (e: NodeJS.ErrnoException) => reject(bindError(e, `${hostPart}:${opts.port}`)));
  });
  const port = (server.address() as AddressInfo).port;
  if (port !== opts.port) {
    // port 0: now we know the real one
    hosts = allowedHosts(addr, port, opts.allowHosts ?? []);
    handler = app0();
  }
  return {
    url: `http://${hostPart}:${port}/?token=${token}`,
    token,
    port,
    hosts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function bindError(e: NodeJS.ErrnoException, listen: string): Error {
  const why: Record<string, [string, string]> = {
    EADDRINUSE: ["the port is in use", "stop what listens there, or choose another port"],
    EADDRNOTAVAIL: ["the address is not one of this machine's", "use 127.0.0.1, or an address of one of this machine's interfaces"],
    EACCES: ["a port below 1024 needs privileges", "choose a port above 1024, such as 7480"],
  };
  const w = e.code ? why[e.code] : undefined;
  return w ? new BindError(`cannot listen on ${listen}: ${w[0]} (${e.code})`, w[1]) : e;
}
