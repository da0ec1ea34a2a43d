// Function runtimes: a pinned image per file type, how a script is run, and the small HTTP runner
// (shipped in the function's ConfigMap) that turns a script into a webhook: the request body on
// stdin, REQUEST_METHOD/REQUEST_PATH/QUERY_STRING in the environment, stdout as the response
// (exit status 0 → 200, otherwise 500).

import { imageRef, type Versions } from "../../versions/defaults.js";

export type Runtime = "python" | "node" | "bash";

/** The image a script of this type runs in (the versions table's function-<runtime> entry). */
export const runtimeImage = (versions: Versions, runtime: Runtime): string => imageRef(versions.images[`function-${runtime}`]);

/** The interpreter command for a script at `path`. */
export function interpreter(runtime: Runtime, path: string): string[] {
  return runtime === "python" ? ["python3", path] : runtime === "node" ? ["node", path] : ["bash", path];
}

/** The image a webhook runs in: node scripts under node's runner, python and bash scripts under python's (python:slim has bash). */
export const webhookImage = (versions: Versions, runtime: Runtime): string => runtimeImage(versions, runtime === "node" ? "node" : "python");

export const PYTHON_RUNNER = `# Drover webhook runner: runs the function once per request.
import os, subprocess, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

CMD = sys.argv[1:]
BASE = os.environ.get("WEBHOOK_PATH", "/")

class Handler(BaseHTTPRequestHandler):
    def run(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self.reply(200, b"ok\\n")
            return
        if not url.path.startswith(BASE):
            self.reply(404, b"not found\\n")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = dict(os.environ, REQUEST_METHOD=self.command, REQUEST_PATH=url.path, QUERY_STRING=url.query)
        try:
            p = subprocess.run(CMD, input=body, capture_output=True, env=env, timeout=int(os.environ.get("WEBHOOK_TIMEOUT", "60")))
            sys.stderr.write(p.stderr.decode(errors="replace"))
            self.reply(200 if p.returncode == 0 else 500, p.stdout)
        except subprocess.TimeoutExpired:
            self.reply(504, b"timeout\\n")

    def reply(self, code, data):
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = run

ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
`;

export const NODE_RUNNER = `// Drover webhook runner: runs the function once per request.
import { createServer } from "node:http";
import { spawn } from "node:child_process";

const [cmd, ...args] = process.argv.slice(2);
const base = process.env.WEBHOOK_PATH ?? "/";
const timeout = Number(process.env.WEBHOOK_TIMEOUT ?? "60") * 1000;

createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/healthz") return void res.end("ok\\n");
  if (!url.pathname.startsWith(base)) { res.statusCode = 404; return void res.end("not found\\n"); }
  const env = { ...process.env, REQUEST_METHOD: req.method, REQUEST_PATH: url.pathname, QUERY_STRING: url.search.slice(1) };
  const p = spawn(cmd, args, { env, timeout });
  const out = [];
  p.stdout.on("data", (d) => out.push(d));
  p.stderr.pipe(process.stderr);
  p.on("close", (code) => { res.statusCode = code === 0 ? 200 : 500; res.end(Buffer.concat(out)); });
  req.pipe(p.stdin);
}).listen(8080, "0.0.0.0");
`;
