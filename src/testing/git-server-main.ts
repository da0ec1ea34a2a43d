// The process behind src/testing/git-server.ts: a tiny HTTP server on 127.0.0.1 (a free port) that runs
// the real `git http-backend` CGI program for each request (ops/up/git-http-backend.ts, as drover serve-git), serving the bare repositories under the
// folder given as its argument (anonymous fetch and push). Prints "listening <url>" once ready; each
// request is appended to <root>/.requests.log. Ends on SIGTERM.
import { appendFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { git, gitEnv } from "./git-server.js";
import { answerWithGitHttpBackend } from "../ops/up/git-http-backend.js";

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
  answerWithGitHttpBackend(req, res, {
    backend, serverSoftware: "drover-test-git", pathInfo: decodeURIComponent(u.pathname), query: u.search.slice(1),
    env: { ...gitEnv(home), GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: "1", REMOTE_USER: "drover-test" },
  });
}

const server = createServer(serve);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
