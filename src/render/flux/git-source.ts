// Where Flux pulls the repository from: an external Git host (gitops.url), or a Git forge running in
// the lab itself (gitops.forge: a Forgejo or Soft Serve app), reached on its in-cluster Service.
import type { Lab } from "../../lab/types.js";
import { scpGitUrl } from "../../net/host.js";

export interface GitSource {
  readonly url: string;
  readonly branch: string;
  /** Secret flux-system with credentials (SSH key and known_hosts, or username/token), made at bootstrap */
  readonly credentials: "ssh" | "token" | "none";
  /** "external", "drover" (gitops.serve: drover up / drover serve-git serve it) or the forge app's name */
  readonly host: string;
}

const PLACEHOLDER = "https://git.example.invalid/drover/lab.git";

/** The URL of the repository `drover up` / `drover serve-git` serve at gitops.serve (<address>:<port>). */
export function servedGitUrl(serve: string, labName: string): string {
  return `http://${serve}/${labName}.git`;
}

export function gitSource(lab: Lab): GitSource {
  const branch = lab.gitops.branch;
  if (lab.gitops.forge) {
    const a = lab.app(lab.gitops.forge);
    const http = a.catalog.ports.find((p) => p.http)!;
    const svc = `${a.name}.${a.namespace}.svc.cluster.local:${http.servicePort ?? http.port}`;
    // Forgejo: <owner>/<repo>.git behind a token; Soft Serve: <repo>, anonymous read over HTTP
    return a.catalog.name === "forgejo"
      ? { url: `http://${svc}/drover/${lab.name}.git`, branch, credentials: "token", host: a.name }
      : { url: `http://${svc}/${lab.name}.git`, branch, credentials: "none", host: a.name };
  }
  // served by drover itself from the user's machine (src/ops/up/git-serve.ts): anonymous, read-only
  if (lab.gitops.serve) return { url: servedGitUrl(lab.gitops.serve, lab.name), branch, credentials: "none", host: "drover" };
  const url = lab.gitops.url ?? PLACEHOLDER;
  const scp = scpGitUrl(url);
  const ssh = scp !== undefined || url.startsWith("ssh://");
  return { url: scp ? `ssh://${scp.user}@${scp.host}/${scp.path}` : url, branch, credentials: ssh ? "ssh" : "none", host: "external" };
}
