// Reading a kubeconfig: which API server, how to trust it, and who we are. Follows kubectl's rules
// for the file (--kubeconfig, else $KUBECONFIG — a list, first file to set a name wins — else
// ~/.kube/config) and the context (--context, else current-context). Every error names the file
// and the context and says how to fix it.
import { readFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, delimiter } from "node:path";
import { parse } from "yaml";
import { UserError } from "../errors.js";

/** Everything the client needs to talk to one API server. */
export interface ClusterAccess {
  /** https://host:port (no trailing slash) */
  readonly server: string;
  /** PEM of the CA that signed the server's certificate; undefined = the system's roots */
  readonly ca?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly token?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly username?: string;
  readonly password?: string;
  /** where this came from, for messages: "kubeconfig /x/config, context lab" */
  readonly source: string;
  readonly file: string;
  readonly context: string;
  /** the context's default namespace ("default" when unset) */
  readonly namespace: string;
}

interface Named<T> { name?: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }

/** The kubeconfig files in effect, in precedence order. */
export function kubeconfigFiles(explicit?: string): string[] {
  if (explicit) return [explicit];
  const env = process.env.KUBECONFIG;
  if (env) return env.split(delimiter).filter((p) => p.length > 0);
  return [join(homedir(), ".kube", "config")];
}

function readB64(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? Buffer.from(v, "base64").toString("utf8") : undefined;
}

export function loadKubeconfig(opts: { kubeconfig?: string; context?: string } = {}): ClusterAccess {
  const files = kubeconfigFiles(opts.kubeconfig);
  const where = files.join(delimiter);
  const clusters = new Map<string, { cfg: Record<string, unknown>; file: string }>();
  const users = new Map<string, { cfg: Record<string, unknown>; file: string }>();
  const contexts = new Map<string, { cfg: Record<string, unknown>; file: string }>();
  let current: string | undefined;
  let read = 0;
  for (const file of files) {
    if (!existsSync(file)) {
      if (opts.kubeconfig) throw new UserError(`kubeconfig ${file} does not exist`, "pass the path of a kubeconfig with --kubeconfig (talosctl kubeconfig / k3s write one)");
      continue;
    }
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new UserError(`kubeconfig ${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`, "fix the file or point --kubeconfig at another one");
    }
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== "object" || Array.isArray(doc)) throw new UserError(`kubeconfig ${file}: expected a mapping (apiVersion: v1, kind: Config)`, "point --kubeconfig at a kubeconfig file");
    read++;
    const d = doc as Record<string, unknown>;
    const take = (key: "clusters" | "users" | "contexts", inner: "cluster" | "user" | "context", into: Map<string, { cfg: Record<string, unknown>; file: string }>) => {
      const list = d[key];
      if (list === undefined || list === null) return;
      if (!Array.isArray(list)) throw new UserError(`kubeconfig ${file}: ${key} must be a list`, `write ${key}: as a list of {name, ${inner}} entries`);
      for (const [i, e] of (list as Named<Record<string, unknown>>[]).entries()) {
        if (!e || typeof e.name !== "string") throw new UserError(`kubeconfig ${file}: ${key}[${i}] has no name`, `give every entry of ${key} a name`);
        if (!into.has(e.name)) into.set(e.name, { cfg: (e[inner] as Record<string, unknown>) ?? {}, file });
      }
    };
    take("clusters", "cluster", clusters);
    take("users", "user", users);
    take("contexts", "context", contexts);
    if (current === undefined && typeof d["current-context"] === "string" && d["current-context"]) current = d["current-context"];
  }
  if (read === 0) throw new UserError(`no kubeconfig found (looked at ${where})`, "pass --kubeconfig <file>, set KUBECONFIG, or write ~/.kube/config (talosctl kubeconfig / k3s write one)");
  const contextName = opts.context ?? current;
  if (!contextName) throw new UserError(`kubeconfig ${where} has no current-context`, `pass --context with one of: ${[...contexts.keys()].join(", ") || "(none defined)"}`);
  const ctx = contexts.get(contextName);
  const source = `kubeconfig ${where}, context ${contextName}`;
  if (!ctx) throw new UserError(`${source}: no such context`, `use one of: ${[...contexts.keys()].join(", ") || "(none defined)"}`);
  const clusterName = ctx.cfg.cluster;
  if (typeof clusterName !== "string" || !clusterName) throw new UserError(`${source}: the context names no cluster`, "set contexts[].context.cluster");
  const cluster = clusters.get(clusterName);
  if (!cluster) throw new UserError(`${source}: cluster ${clusterName} is not defined`, `add it under clusters: (defined: ${[...clusters.keys()].join(", ") || "none"})`);
  const userName = ctx.cfg.user;
  const user = typeof userName === "string" && userName ? users.get(userName) : undefined;
  if (typeof userName === "string" && userName && !user) throw new UserError(`${source}: user ${userName} is not defined`, `add it under users: (defined: ${[...users.keys()].join(", ") || "none"})`);

  const rel = (file: string, p: string) => (isAbsolute(p) ? p : join(dirname(file), p));
  const readRef = (file: string, field: string, p: unknown): string | undefined => {
    if (typeof p !== "string" || !p) return undefined;
    const full = rel(file, p);
    try {
      return readFileSync(full, "utf8");
    } catch (e) {
      throw new UserError(`${source}: ${field} ${full} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `fix the path in ${file}`);
    }
  };

  const c = cluster.cfg;
  const serverRaw = c.server;
  if (typeof serverRaw !== "string" || !serverRaw) throw new UserError(`${source}: cluster ${clusterName} has no server`, "set clusters[].cluster.server, such as https://10.0.0.10:6443");
  let server: URL;
  try {
    server = new URL(serverRaw);
  } catch {
    throw new UserError(`${source}: server ${JSON.stringify(serverRaw)} is not a URL`, "write it as https://host:6443");
  }
  if (server.protocol !== "https:") throw new UserError(`${source}: server ${serverRaw} is not https`, "the Kubernetes API is served over https; write https://host:6443");
  const ca = readB64(c["certificate-authority-data"]) ?? readRef(cluster.file, "certificate-authority", c["certificate-authority"]);

  const u = user?.cfg ?? {};
  const uf = user?.file ?? cluster.file;
  if (u.exec || u["auth-provider"]) {
    throw new UserError(`${source}: user ${String(userName)} authenticates with an ${u.exec ? "exec plugin" : "auth provider"}, which drover does not run`, "use a kubeconfig with a token or a client certificate (talosctl kubeconfig and k3s write one)");
  }
  let token = typeof u.token === "string" && u.token ? u.token : undefined;
  if (!token && typeof u.tokenFile === "string") token = readRef(uf, "tokenFile", u.tokenFile)?.trim();
  const clientCert = readB64(u["client-certificate-data"]) ?? readRef(uf, "client-certificate", u["client-certificate"]);
  const clientKey = readB64(u["client-key-data"]) ?? readRef(uf, "client-key", u["client-key"]);
  if (!!clientCert !== !!clientKey) throw new UserError(`${source}: user ${String(userName)} has a client ${clientCert ? "certificate but no key" : "key but no certificate"}`, "set both client-certificate(-data) and client-key(-data)");
  const ns = ctx.cfg.namespace;
  return {
    server: server.toString().replace(/\/+$/, ""),
    ...(ca ? { ca } : {}),
    insecureSkipTlsVerify: c["insecure-skip-tls-verify"] === true,
    ...(typeof c["tls-server-name"] === "string" ? { tlsServerName: c["tls-server-name"] } : {}),
    ...(token ? { token } : {}),
    ...(clientCert ? { clientCert, clientKey } : {}),
    ...(typeof u.username === "string" ? { username: u.username, password: typeof u.password === "string" ? u.password : "" } : {}),
    source,
    file: cluster.file,
    context: contextName,
    namespace: typeof ns === "string" && ns ? ns : "default",
  };
}
