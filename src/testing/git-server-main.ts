// The process behind src/testing/git-server.ts: a tiny HTTP server on 127.0.0.1 (a free port) that runs
// the real `git http-backend` CGI program for each request, serving the bare repositories under the
// folder given as its argument (anonymous fetch and push). Prints "listening <url>" once ready; each
// request is appended to <root>/.requests.log. Ends on SIGTERM.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { git, gitEnv } from "./git-server.js";

const root = process.argv[2];
if (!root) {
  console.error("usage: git-server-main.js <root>");
  process.exit(2);
}
const home = join(root, ".home");
const backend = join(git(["--exec-path"], { home }).trim(), "git-http-backend");

function serve(req: IncomingMessage, res: ServerResponse): void {
  const u = new URL(req.url ?? "/", "http://127.0.0.1");
  appendFileSync(join(root!, ".requests.log"), `${req.method} ${u.pathname}${u.search}\n`);
  const h = req.headers;
  // RFC 3875 CGI variables, as a web server gives them to git http-backend
  const env: NodeJS.ProcessEnv = {
    ...gitEnv(home),
    GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1", SERVER_PROTOCOL: `HTTP/${req.httpVersion}`, SERVER_SOFTWARE: "drover-test-git",
    REQUEST_METHOD: req.method ?? "GET", PATH_INFO: decodeURIComponent(u.pathname), QUERY_STRING: u.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1", REMOTE_USER: "drover-test",
    ...(h["content-type"] ? { CONTENT_TYPE: h["content-type"] } : {}),
    ...(h["content-length"] ? { CONTENT_LENGTH: h["content-length"] } : {}),
    ...(h["content-encoding"] ? { HTTP_CONTENT_ENCODING: String(h["content-encoding"]) } : {}),
    ...(h["git-protocol"] ? { GIT_PROTOCOL: String(h["git-protocol"]) } : {}),
  };
  const cgi = spawn(backend, [], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  cgi.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  cgi.stdin.on("error", () => { /* the backend may answer before reading the whole body */ });
  req.pipe(cgi.stdin);
  // the CGI answer: header lines up to an empty line, then the body
  let head = Buffer.alloc(0);
  let inBody = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (inBody) { res.write(chunk); return; }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const end = crlf >= 0 ? crlf : head.indexOf("\n\n");
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
      const i = line.indexOf(":");
      if (i < 0) continue;
      const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
      if (k.toLowerCase() === "status") status = Number.parseInt(v, 10);
      else res.setHeader(k, v);
    }
    res.statusCode = status;
    inBody = true;
    res.write(head.subarray(end + (crlf >= 0 ? 4 : 2)));
  });
  cgi.on("close", (code) => {
    if (inBody) res.end();
    else res.writeHead(500, { "Content-Type": "text/plain" }).end(`git http-backend exited ${code}: ${stderr}`);
  });
  res.on("close", () => { if (cgi.exitCode === null) cgi.kill("SIGKILL"); });
}

const server = createServer(serve);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
