// The outside world as test processes see it: an HTTP proxy on loopback that refuses every request and
// every CONNECT tunnel (403, with the host named), so that a process started with its address in
// HTTP_PROXY/HTTPS_PROXY (Go and most clients honour them; loopback addresses are never proxied) fails
// fast and the same way on every machine, instead of reaching, or hanging on, the internet. It records
// which hosts were asked for, so a test can name what its subject tried to reach.
// Given `answer` (chart-hosts.ts), it answers for those hosts itself instead: a CONNECT tunnel to one of
// them is accepted and its TLS terminated here with their test certificate (the client trusts the test
// CA through SSL_CERT_FILE, which `env` then sets), every other host is still refused.
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface Egress {
  /** http://127.0.0.1:<port>, for HTTP_PROXY and HTTPS_PROXY */
  readonly proxyUrl: string;
  /** the environment to give a process: both proxies set, loopback exempt */
  readonly env: Readonly<Record<string, string>>;
  /** every host:port asked for so far (sorted, each once) */
  hostsAsked(): string[];
  /** the hosts asked for that were refused (all of hostsAsked() unless some are answered) */
  hostsRefused(): string[];
  stop(): Promise<void>;
}

export const EGRESS_REFUSAL = "refused by the test egress proxy: tests reach nothing outside loopback";

/** Hosts the proxy answers for itself (chart-hosts.ts). */
export interface Answered {
  readonly hosts: ReadonlySet<string>;
  readonly caFile: string;
  readonly tls: { readonly cert: string; readonly key: string };
  handle(host: string, req: IncomingMessage, res: ServerResponse): void;
}

export async function startEgressProxy(opts: { answer?: Answered } = {}): Promise<Egress> {
  const answer = opts.answer;
  const tlsServer = answer && createHttpsServer({ cert: answer.tls.cert, key: answer.tls.key }, (req, res) => {
    answer.handle(String(req.headers.host ?? "").replace(/:\d+$/, ""), req, res);
  });
  tlsServer?.on("tlsClientError", () => { /* a client that gave up */ });
  const asked = new Set<string>();
  const refused = new Set<string>();
  const server: Server = createServer((req, res) => {
    asked.add(new URL(req.url ?? "/", "http://unknown").host);
    refused.add(new URL(req.url ?? "/", "http://unknown").host);
    res.writeHead(403, { "Content-Type": "text/plain" }).end(`${EGRESS_REFUSAL}\n`);
  });
  server.on("connect", (req, socket: Socket) => {
    asked.add(req.url ?? "?");
    socket.on("error", () => { /* the client gave up */ });
    const [host, port] = (req.url ?? "").split(":");
    if (tlsServer && answer!.hosts.has(host!) && port === "443") {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      tlsServer.emit("connection", socket);
      return;
    }
    refused.add(req.url ?? "?");
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${EGRESS_REFUSAL}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const proxyUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    proxyUrl,
    env: {
      HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, http_proxy: proxyUrl, https_proxy: proxyUrl, NO_PROXY: "127.0.0.1,localhost,::1", no_proxy: "127.0.0.1,localhost,::1",
      ...(answer ? { SSL_CERT_FILE: answer.caFile } : {}),
    },
    hostsAsked: () => [...asked].sort(),
    hostsRefused: () => [...refused].sort(),
    stop: () => new Promise<void>((resolve) => {
      tlsServer?.closeAllConnections();
      tlsServer?.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
