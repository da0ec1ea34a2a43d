// The lab's repository served to the cluster by drover itself, for a lab without a Git host yet
// (gitops.serve: <address>:<port>): Git's own smart-HTTP server program, `git http-backend` (the CGI
// program every Git forge's HTTP side is), behind a small Node HTTP server on that address, serving the
// local bare repository `drover up` pushes to (.drover/remote.git) as http://<address>:<port>/<lab>.git —
// the URL the rendered GitRepository names (render/flux/git-source.ts). Read-only and anonymous: only
// fetches (git-upload-pack) are answered; a push (git-receive-pack) is refused, as is every other path.
// `drover up` serves it while it runs; `drover serve-git` serves it until stopped (Ctrl-C).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../errors.js";
import { parseHostPort } from "../../net/host.js";
import { servedGitUrl } from "../../render/flux/git-source.js";
import { answerWithGitHttpBackend, gitHttpBackendPath } from "./git-http-backend.js";

export interface GitServeOptions {
  /** the bare repository (.drover/remote.git) */
  readonly repo: string;
  /** the lab's name: the repository is served as /<name>.git */
  readonly name: string;
  /** gitops.serve: <address>:<port> */
  readonly listen: string;
  /** the git binary (default "git" on PATH) */
  readonly git?: string;
  /** each answered request, for --verbose and tests */
  readonly onRequest?: (line: string) => void;
}

export interface GitServe {
  /** http://<address>:<port>/<name>.git */
  readonly url: string;
  /** how many fetches (upload-pack requests) it answered */
  readonly fetches: number;
  close(): Promise<void>;
}

/** The request paths a fetch uses, relative to the repository: the ref advertisement and the pack. */
const FETCH = /^\/(info\/refs|git-upload-pack|HEAD|objects\/info\/(?:alternates|http-alternates|packs))$/;

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(`${text}\n`);
}

/** Starts serving; throws a UserError when the address is not this machine's or the port is taken. */
export async function serveGit(o: GitServeOptions): Promise<GitServe> {
  if (!existsSync(join(o.repo, "HEAD"))) throw new UserError(`${o.repo} is not a Git repository`, "run drover up first: it creates the repository and pushes the render to it");
  const git = o.git ?? "git";
  const found = gitHttpBackendPath(git);
  if (!found.path) throw new UserError(found.error!, "install Git (it provides its HTTP server program, git http-backend)");
  const backend = found.path;
  // the one host:port parser drover check reads gitops.serve with: [IPv6]:port listens on the bare IPv6 address
  const at = parseHostPort(o.listen);
  if ("error" in at || at.port === undefined) throw new UserError(`gitops.serve ${o.listen}: ${"error" in at ? at.error : "has no port"}`, "set gitops.serve to <address>:<port> of this machine (e.g. 192.168.1.10:8418 or [2001:db8::10]:8418); drover check says what is wrong");
  const { host, port } = at;
  const prefix = `/${o.name}.git`;
  let fetches = 0;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? "/", "http://localhost");
    const rest = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) : undefined;
    const service = u.searchParams.get("service");
    const ok = rest !== undefined && FETCH.test(rest) && (req.method === "GET" || (req.method === "POST" && rest === "/git-upload-pack"))
      && (rest !== "/info/refs" || service === null || service === "git-upload-pack");
    o.onRequest?.(`${req.method} ${u.pathname}${u.search} ${ok ? "" : "refused"}`.trim());
    if (!ok) {
      reply(res, rest !== undefined && (rest === "/git-receive-pack" || service === "git-receive-pack") ? 403 : 404,
        rest !== undefined ? "read-only: drover serves this repository for fetching only" : `not here: the lab's repository is ${prefix}`);
      return;
    }
    if (rest === "/git-upload-pack") fetches++;
    // PATH_TRANSLATED names the file in the one repository served (no GIT_PROJECT_ROOT: nothing else can be reached)
    answerWithGitHttpBackend(req, res, {
      backend, serverSoftware: "drover-serve-git", pathInfo: `${prefix}${rest}`, query: u.search.slice(1),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: "1", GIT_HTTP_EXPORT_ALL: "1", PATH_TRANSLATED: join(o.repo, rest) },
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRNOTAVAIL") reject(new UserError(`gitops.serve ${o.listen}: ${host} is not an address of this machine`, "set gitops.serve to an address of the machine running drover that the cluster's nodes reach (ip -br addr), and render again"));
      else if (e.code === "EADDRINUSE") reject(new UserError(`gitops.serve ${o.listen}: port ${port} is in use`, "stop what listens there (another drover serve-git?) or pick another port in gitops.serve and render again"));
      else if (e.code === "EACCES") reject(new UserError(`gitops.serve ${o.listen}: port ${port} needs privileges`, "use a port above 1023, e.g. 8418"));
      else if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") reject(new UserError(`gitops.serve ${o.listen}: this machine cannot resolve ${host}`, "set gitops.serve to an address of this machine (ip -br addr), or a name that resolves to one, and render again"));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
  return {
    url: servedGitUrl(o.listen, o.name),
    get fetches() { return fetches; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
