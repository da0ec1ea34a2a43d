// One HTTP request answered by Git's own smart-HTTP server program, `git http-backend`, run as a CGI
// program (RFC 3875): the request's variables as a web server gives them, the body piped in, and the
// CGI answer (header lines, an empty line, the body) turned back into the HTTP response. Used by
// `drover serve-git` (read-only, one repository) and by the test suite's Git server (fetch and push).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";

/** Where `git http-backend` is for this git binary, or undefined when Git has none. */
export function gitHttpBackendPath(git = "git", env?: NodeJS.ProcessEnv): { path?: string; error?: string } {
  const exec = spawnSync(git, ["--exec-path"], { encoding: "utf8", ...(env ? { env } : {}) });
  if (exec.status !== 0) return { error: `${git} --exec-path failed: ${exec.stderr || exec.error?.message || ""}`.trim() };
  const path = join(exec.stdout.trim(), "git-http-backend");
  return existsSync(path) ? { path } : { error: `${path} is missing` };
}

export interface GitCgiRequest {
  /** the git-http-backend program */
  readonly backend: string;
  /** the variables that say what is served (GIT_PROJECT_ROOT or PATH_TRANSLATED, HOME, PATH, REMOTE_USER…) */
  readonly env: NodeJS.ProcessEnv;
  /** PATH_INFO: the repository path and what in it is asked for */
  readonly pathInfo: string;
  readonly query: string;
  readonly serverSoftware: string;
}

export function answerWithGitHttpBackend(req: IncomingMessage, res: ServerResponse, o: GitCgiRequest): void {
  const h = req.headers;
  const env: NodeJS.ProcessEnv = {
    ...o.env,
    GATEWAY_INTERFACE: "CGI/1.1", SERVER_PROTOCOL: `HTTP/${req.httpVersion}`, SERVER_SOFTWARE: o.serverSoftware,
    REQUEST_METHOD: req.method ?? "GET", PATH_INFO: o.pathInfo, QUERY_STRING: o.query,
    REMOTE_ADDR: req.socket.remoteAddress ?? "",
    ...(h["content-type"] ? { CONTENT_TYPE: h["content-type"] } : {}),
    ...(h["content-length"] ? { CONTENT_LENGTH: h["content-length"] } : {}),
    ...(h["content-encoding"] ? { HTTP_CONTENT_ENCODING: String(h["content-encoding"]) } : {}),
    ...(h["git-protocol"] ? { GIT_PROTOCOL: String(h["git-protocol"]) } : {}),
  };
  const cgi = spawn(o.backend, [], { env, stdio: ["pipe", "pipe", "pipe"] });
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
      const c = line.indexOf(":");
      if (c < 0) continue;
      const [k, v] = [line.slice(0, c).trim(), line.slice(c + 1).trim()];
      if (k.toLowerCase() === "status") status = Number.parseInt(v, 10);
      else res.setHeader(k, v);
    }
    res.statusCode = status;
    inBody = true;
    res.write(head.subarray(end + (crlf >= 0 ? 4 : 2)));
  });
  cgi.on("close", (code) => {
    if (inBody) res.end();
    else res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end(`git http-backend exited ${code}: ${stderr.trim()}\n`);
  });
  res.on("close", () => { if (cgi.exitCode === null) cgi.kill("SIGKILL"); });
}
