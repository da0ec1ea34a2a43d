// The outside world as test processes see it: an HTTP proxy on loopback that refuses every request and
// every CONNECT tunnel (403, with the host named), so that a process started with its address in
// HTTP_PROXY/HTTPS_PROXY (Go and most clients honour them; loopback addresses are never proxied) fails
// fast and the same way on every machine, instead of reaching, or hanging on, the internet. It records
// which hosts were asked for, so a test can name what its subject tried to reach.
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";

export interface Egress {
  /** http://127.0.0.1:<port>, for HTTP_PROXY and HTTPS_PROXY */
  readonly proxyUrl: string;
  /** the environment to give a process: both proxies set, loopback exempt */
  readonly env: Readonly<Record<string, string>>;
  /** every host:port asked for so far (sorted, each once) */
  hostsAsked(): string[];
  stop(): Promise<void>;
}

export const EGRESS_REFUSAL = "refused by the test egress proxy: tests reach nothing outside loopback";

export async function startEgressProxy(): Promise<Egress> {
  const asked = new Set<string>();
  const server: Server = createServer((req, res) => {
    asked.add(new URL(req.url ?? "/", "http://unknown").host);
    res.writeHead(403, { "Content-Type": "text/plain" }).end(`${EGRESS_REFUSAL}\n`);
  });
  server.on("connect", (req, socket: Socket) => {
    asked.add(req.url ?? "?");
    socket.on("error", () => { /* the client gave up */ });
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${EGRESS_REFUSAL}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const proxyUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    proxyUrl,
    env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, http_proxy: proxyUrl, https_proxy: proxyUrl, NO_PROXY: "127.0.0.1,localhost,::1", no_proxy: "127.0.0.1,localhost,::1" },
    hostsAsked: () => [...asked].sort(),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
