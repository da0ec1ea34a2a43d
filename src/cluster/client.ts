// A small typed client for the Kubernetes API over node:https with a keep-alive agent (several
// sockets, so callers can run requests in parallel). get/list/create/apply (server-side apply,
// field manager "drover", conflicts forced)/patch/delete/watch, resources found through discovery.
// Every error names the endpoint; an unreachable server or rejected credentials become a clear
// UserError that says which kubeconfig and context they came from.
import { Agent, request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";
import { NotFound, Unreachable, UserError } from "../errors.js";
import { loadKubeconfig, type ClusterAccess } from "./kubeconfig.js";
import { ResourceMap, AGGREGATED_ACCEPT, addAggregated, addLegacy, type ResourceInfo } from "./discovery.js";
import type { KubeList, KubeObject, ObjectRef } from "./objects.js";
import { refText } from "./objects.js";

export const FIELD_MANAGER = "drover";

/** A Status answer from the API server (any non-2xx). `code` is the HTTP status. */
export class ApiError extends UserError {
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
    readonly endpoint: string,
    readonly status: Record<string, unknown> | undefined,
    hint?: string,
  ) {
    super(message, hint);
    this.name = "ApiError";
  }
}

/** The API server could not be reached (connection refused, DNS, TLS, timeout). */
export class UnreachableError extends Unreachable {
  constructor(message: string, hint: string, readonly endpoint: string) {
    super(message, hint);
    this.name = "UnreachableError";
  }
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** ms; default 60 s. 0 = none (watches). */
  timeoutMs?: number;
  /** how many times a 429 Too Many Requests is retried (honouring Retry-After); default 5, 0 = hand it back */
  retry429?: number;
  signal?: AbortSignal;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** page size; pages are followed to the end */
  limit?: number;
  /** only each object's metadata (PartialObjectMetadataList): far less to send for Secrets and big objects */
  metadataOnly?: boolean;
}

const METADATA_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export interface ClientOptions {
  /** parallel sockets to the server (default 16) */
  maxSockets?: number;
  fieldManager?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The text of a Warning header (RFC 7234: `299 - "text"`, quotes and backslashes escaped inside). */
export function warningText(header: string): string {
  const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
  return m ? m[1]!.replace(/\\(.)/g, "$1") : header;
}

function queryString(q: RequestOptions["query"]): string {
  if (!q) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

export class Client {
  readonly server: string;
  readonly fieldManager: string;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;
  private resources?: ResourceMap;
  private discovering?: Promise<ResourceMap>;
  /** counts of requests by method (benchmarks and the "writes nothing" tests read it) */
  readonly requests: Record<string, number> = {};
  /** warnings the server sent (deprecated APIs, unknown fields, Pod Security), each once, until taken */
  private readonly warnings = new Set<string>();
  /** the server's clock as last seen in a Date header, against this process's monotonic clock */
  private clock?: { server: number; local: number };

  constructor(readonly access: ClusterAccess, opts: ClientOptions = {}) {
    this.server = access.server;
    this.fieldManager = opts.fieldManager ?? FIELD_MANAGER;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets ?? 16,
      maxFreeSockets: opts.maxSockets ?? 16,
      ...(access.ca ? { ca: access.ca } : {}),
      ...(access.clientCert ? { cert: access.clientCert, key: access.clientKey } : {}),
      rejectUnauthorized: !access.insecureSkipTlsVerify,
      ...(access.tlsServerName ? { servername: access.tlsServerName } : {}),
    });
    this.headers = { "user-agent": "drover/0.1" };
    if (access.token) this.headers.authorization = `Bearer ${access.token}`;
    else if (access.username !== undefined) this.headers.authorization = `Basic ${Buffer.from(`${access.username}:${access.password ?? ""}`).toString("base64")}`;
  }

  static fromKubeconfig(opts: { kubeconfig?: string; context?: string } & ClientOptions = {}): Client {
    return new Client(loadKubeconfig(opts), opts);
  }

  /** The server's warnings since the last call (and forgets them). */
  takeWarnings(): string[] {
    const out = [...this.warnings];
    this.warnings.clear();
    return out;
  }

  /**
   * The API server's notion of now (ms since the epoch), from the Date headers of its answers and
   * the monotonic time elapsed since: never this machine's wall clock, so a skewed local clock does
   * not matter. Date has whole seconds; the estimate keeps the latest of the answers' readings (each
   * is up to a second behind), so it is at most about a second behind the server. Undefined before
   * any answer carried a Date.
   */
  serverNow(): number | undefined {
    return this.clock ? this.clock.server + (performance.now() - this.clock.local) : undefined;
  }

  private observeDate(header: string | undefined): void {
    if (!header) return;
    const server = Date.parse(header);
    if (Number.isNaN(server)) return;
    const local = performance.now();
    const est = this.serverNow();
    // a later reading moves the estimate forward; one far behind it means the server's clock was set back
    if (est === undefined || server > est || est - server > 3000) this.clock = { server, local };
  }

  /** Frees the sockets; the client can't be used afterwards. */
  close(): void {
    this.agent.destroy();
  }

  // ---- raw requests ------------------------------------------------------------------------

  /** One request; resolves with the response (status < 400) or rejects with ApiError/UnreachableError. */
  private send(method: string, path: string, o: RequestOptions, attempt = 0): Promise<{ res: IncomingMessage; url: string }> {
    const url = `${this.server}${path}${queryString(o.query)}`;
    const shown = `${this.server}${path}`; // for messages: the endpoint without the query
    const body = o.body === undefined ? undefined : typeof o.body === "string" ? o.body : JSON.stringify(o.body);
    this.requests[method] = (this.requests[method] ?? 0) + 1;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...this.headers, accept: o.accept ?? "application/json" };
      if (body !== undefined) {
        headers["content-type"] = o.contentType ?? "application/json";
        headers["content-length"] = Buffer.byteLength(body);
      }
      const req = httpsRequest(url, { method, agent: this.agent, headers, ...(o.signal ? { signal: o.signal } : {}) });
      const timeout = o.timeoutMs ?? 60_000;
      if (timeout > 0) req.setTimeout(timeout, () => req.destroy(Object.assign(new Error(`no answer within ${timeout / 1000} s`), { code: "ETIMEDOUT" })));
      req.on("error", (e: NodeJS.ErrnoException) => {
        // a kept-alive socket the server closed meanwhile: retry once on a fresh one
        if ((e.code === "ECONNRESET" || e.code === "EPIPE") && req.reusedSocket && attempt < 2) {
          this.send(method, path, o, attempt + 1).then(resolve, reject);
          return;
        }
        if (e.name === "AbortError") return reject(e);
        reject(this.unreachable(method, shown, e));
      });
      req.on("response", (res) => {
        const status = res.statusCode ?? 0;
        this.observeDate(res.headers.date);
        for (const w of res.headersDistinct.warning ?? []) this.warnings.add(warningText(w));
        if (status < 400) return resolve({ res, url: shown });
        readBody(res).then(async (text) => {
          if (status === 429 && attempt < (o.retry429 ?? 5)) {
            const after = Number(res.headers["retry-after"] ?? "1");
            await sleep(Math.min(Math.max(after, 0.2), 5) * 1000);
            this.send(method, path, o, attempt + 1).then(resolve, reject);
            return;
          }
          reject(this.apiError(method, shown, status, text));
        }, (e) => reject(this.unreachable(method, shown, e as NodeJS.ErrnoException)));
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** A request whose JSON answer is returned. */
  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const { res, url } = await this.send(method, path, o);
    let text: string;
    try {
      text = await readBody(res);
    } catch (e) {
      throw this.unreachable(method, url, e as NodeJS.ErrnoException);
    }
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(`${method} ${url}: the answer is not JSON: ${text.slice(0, 200)}`, res.statusCode ?? 0, "BadResponse", url, undefined, "is the server in the kubeconfig a Kubernetes API server?");
    }
  }

  private unreachable(method: string, url: string, e: NodeJS.ErrnoException): UnreachableError {
    const code = e.code ?? "";
    const tls = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|SSL/i.test(code) || /certificate/i.test(e.message);
    const what = tls ? `its TLS certificate is not trusted (${e.message})` : code === "ECONNREFUSED" ? "connection refused" : code === "ENOTFOUND" ? "host not found" : code === "ETIMEDOUT" ? e.message : `${code ? `${code}: ` : ""}${e.message}`;
    const hint = tls
      ? `the CA in ${this.access.source} does not match the server; fetch a fresh kubeconfig (talosctl kubeconfig, or /etc/rancher/k3s/k3s.yaml)`
      : `check that the cluster is up and that the server address in ${this.access.source} is right`;
    return new UnreachableError(`cannot reach the Kubernetes API at ${this.server} (${method} ${url}): ${what}`, hint, url);
  }

  private apiError(method: string, url: string, code: number, text: string): ApiError {
    let status: Record<string, unknown> | undefined;
    try {
      status = JSON.parse(text) as Record<string, unknown>;
    } catch {
      status = undefined;
    }
    const reason = String(status?.reason ?? (code === 401 ? "Unauthorized" : code === 403 ? "Forbidden" : code === 404 ? "NotFound" : `HTTP${code}`));
    const msg = String(status?.message ?? text.trim().slice(0, 300) ?? "");
    if (code === 401) {
      return new ApiError(`the Kubernetes API at ${this.server} rejected the credentials (401 Unauthorized) for ${method} ${url}`, code, reason, url, status,
        `the token or client certificate of ${this.access.source} is wrong or expired; fetch a fresh kubeconfig`);
    }
    if (code === 403) {
      return new ApiError(`the Kubernetes API at ${this.server} refused ${method} ${url} (403 Forbidden): ${msg}`, code, reason, url, status,
        `the user of ${this.access.source} lacks the RBAC permission; use an admin kubeconfig`);
    }
    return new ApiError(`${method} ${url}: ${code} ${reason}: ${msg}`, code, reason, url, status);
  }

  // ---- discovery ---------------------------------------------------------------------------

  /** The server's resources (cached; `refresh` re-reads, e.g. after CRDs were created). */
  async discover(refresh = false): Promise<ResourceMap> {
    if (this.resources && !refresh) return this.resources;
    if (!this.discovering || refresh) {
      this.discovering = this.readDiscovery().then((m) => (this.resources = m)).finally(() => (this.discovering = undefined));
    }
    return this.discovering;
  }

  private async readDiscovery(): Promise<ResourceMap> {
    const map = new ResourceMap();
    const [core, groups] = await Promise.all([
      this.request("GET", "/api", { accept: AGGREGATED_ACCEPT }),
      this.request("GET", "/apis", { accept: AGGREGATED_ACCEPT }),
    ]);
    if (addAggregated(map, core) && addAggregated(map, groups)) return map;
    // legacy discovery: /api/v1 and each group's versions, preferred version first
    const gvs: string[] = ((core as { versions?: string[] }).versions ?? ["v1"]).slice();
    for (const g of (groups as { groups?: { preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[] }).groups ?? []) {
      const pref = g.preferredVersion?.groupVersion;
      if (pref) gvs.push(pref);
      for (const v of g.versions) if (v.groupVersion !== pref) gvs.push(v.groupVersion);
    }
    const docs = await Promise.all(gvs.map((gv) => this.request("GET", gv.includes("/") ? `/apis/${gv}` : `/api/${gv}`).catch(() => undefined)));
    for (const d of docs) if (d) addLegacy(map, d);
    return map;
  }

  /** The resource behind apiVersion+kind; re-reads discovery once when it is unknown (new CRDs). */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let r = (await this.discover()).get(apiVersion, kind);
    if (!r) r = (await this.discover(true)).get(apiVersion, kind);
    if (!r) {
      throw new NotFound(`the Kubernetes API at ${this.server} does not serve ${kind} in ${apiVersion}`,
        `check apiVersion/kind, or install the CustomResourceDefinition that provides ${kind} first`);
    }
    return r;
  }

  /** The URL path of a collection (name undefined) or of one object. */
  async pathFor(apiVersion: string, kind: string, namespace: string | undefined, name?: string, subresource?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (r.namespaced && !namespace && name !== undefined) throw new UserError(`${kind} ${name} needs a namespace`, "set metadata.namespace");
    const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    return `${base}${ns}/${r.plural}${name !== undefined ? `/${encodeURIComponent(name)}` : ""}${subresource ? `/${subresource}` : ""}`;
  }

  // ---- verbs -------------------------------------------------------------------------------

  async version(): Promise<{ major: string; minor: string; gitVersion: string }> {
    return this.request("GET", "/version");
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name));
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** All objects of a kind (following pages); namespace undefined = all namespaces. */
  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, o: ListOptions = {}): Promise<KubeList<T>> {
    const path = await this.pathFor(apiVersion, kind, o.namespace);
    const items: T[] = [];
    let cont: string | undefined;
    let last: KubeList<T>;
    do {
      last = await this.request<KubeList<T>>("GET", path, { ...(o.metadataOnly ? { accept: METADATA_ACCEPT } : {}), query: { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit ?? 500, continue: cont } });
      for (const it of last.items ?? []) items.push({ ...it, apiVersion, kind });
      cont = last.metadata?.continue || undefined;
    } while (cont);
    return { apiVersion: last.apiVersion, kind: last.kind, metadata: { resourceVersion: last.metadata?.resourceVersion }, items };
  }

  async create<T extends KubeObject = KubeObject>(obj: KubeObject, o: { dryRun?: boolean } = {}): Promise<T> {
    const path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
    return this.request<T>("POST", path, { body: obj, query: { fieldManager: this.fieldManager, dryRun: o.dryRun ? "All" : undefined } });
  }

  /** Server-side apply as the field manager (conflicts forced by default). */
  async apply<T extends KubeObject = KubeObject>(obj: KubeObject, o: { dryRun?: boolean; force?: boolean; fieldManager?: string } = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new UserError(`${obj.kind} has no metadata.name`, "every applied object needs a name");
    const path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, name);
    return this.request<T>("PATCH", path, {
      body: obj,
      contentType: "application/apply-patch+yaml",
      query: { fieldManager: o.fieldManager ?? this.fieldManager, force: o.force === false ? undefined : true, dryRun: o.dryRun ? "All" : undefined },
    });
  }

  /**
   * Creates the object when it does not exist (POST, the API server's cheapest write); false when it
   * already exists or the create was refused, so the caller applies instead. The answer is not parsed.
   */
  async createIfAbsent(obj: KubeObject): Promise<boolean> {
    const path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
    try {
      // the answer is not read: protobuf (where the type has it) is the cheapest for the server to write
      const { res, url } = await this.send("POST", path, { body: obj, accept: "application/vnd.kubernetes.protobuf,application/json", query: { fieldManager: this.fieldManager } });
      await readBody(res).catch((e: NodeJS.ErrnoException) => {
        throw this.unreachable("POST", url, e);
      });
      return true;
    } catch (e) {
      // it exists (409), or the create was refused: the caller's server-side apply then tells what is wrong, in JSON
      if (e instanceof ApiError && e.code !== 401) return false;
      throw e;
    }
  }

  /** Server-side apply that also says whether the object was created (201) or already existed (200). */
  async applyDetailed<T extends KubeObject = KubeObject>(obj: KubeObject, o: { dryRun?: boolean; force?: boolean; fieldManager?: string; signal?: AbortSignal } = {}): Promise<{ object: T; created: boolean }> {
    const name = obj.metadata?.name;
    if (!name) throw new UserError(`${obj.kind} has no metadata.name`, "every applied object needs a name");
    const path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, name);
    const { res, url } = await this.send("PATCH", path, {
      body: obj,
      contentType: "application/apply-patch+yaml",
      query: { fieldManager: o.fieldManager ?? this.fieldManager, force: o.force === false ? undefined : true, dryRun: o.dryRun ? "All" : undefined },
      ...(o.signal ? { signal: o.signal } : {}),
    });
    let text: string;
    try {
      text = await readBody(res);
    } catch (e) {
      throw this.unreachable("PATCH", url, e as NodeJS.ErrnoException);
    }
    return { object: JSON.parse(text) as T, created: res.statusCode === 201 };
  }

  /** PUT: replaces the object (optimistic concurrency through metadata.resourceVersion; 409 when it moved). */
  async replace<T extends KubeObject = KubeObject>(obj: KubeObject): Promise<T> {
    return this.request<T>("PUT", await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? ""), { body: obj, query: { fieldManager: this.fieldManager } });
  }

  /** A merge, strategic-merge or JSON patch (e.g. cordon); `subresource` such as "status". */
  async patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, type: "merge" | "strategic" | "json" = "merge", o: { subresource?: string; dryRun?: boolean } = {}): Promise<T> {
    const contentType = { merge: "application/merge-patch+json", strategic: "application/strategic-merge-patch+json", json: "application/json-patch+json" }[type];
    return this.request<T>("PATCH", await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name, o.subresource), {
      body: patch, contentType, query: { fieldManager: this.fieldManager, dryRun: o.dryRun ? "All" : undefined },
    });
  }

  /** POST to an object's subresource, e.g. a Pod's "eviction" (429s are handed back by default here). */
  async post<T = unknown>(ref: ObjectRef, subresource: string, body: unknown, o: { retry429?: number } = {}): Promise<T> {
    return this.request<T>("POST", await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name, subresource), { body, retry429: o.retry429 ?? 0 });
  }

  /** Deletes; false when it was already gone. */
  async delete(ref: ObjectRef, o: { propagationPolicy?: "Foreground" | "Background" | "Orphan"; gracePeriodSeconds?: number; dryRun?: boolean; uid?: string; resourceVersion?: string } = {}): Promise<boolean> {
    const body: Record<string, unknown> = { apiVersion: "v1", kind: "DeleteOptions" };
    if (o.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
    if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
    if (o.dryRun) body.dryRun = ["All"];
    if (o.uid || o.resourceVersion) body.preconditions = { ...(o.uid ? { uid: o.uid } : {}), ...(o.resourceVersion ? { resourceVersion: o.resourceVersion } : {}) };
    try {
      await this.request("DELETE", await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name), { body });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return false;
      throw e;
    }
  }

  /**
   * Watches a kind from `resourceVersion` (default: now); yields events until the server ends the
   * watch or `signal` aborts. ERROR events (such as 410 Gone) are yielded for the caller to handle.
   */
  async *watch<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, o: ListOptions & { resourceVersion?: string; signal?: AbortSignal; timeoutSeconds?: number } = {}): AsyncGenerator<WatchEvent<T>> {
    const path = await this.pathFor(apiVersion, kind, o.namespace);
    const { res } = await this.send("GET", path, {
      timeoutMs: 0,
      ...(o.signal ? { signal: o.signal } : {}),
      query: { watch: 1, allowWatchBookmarks: true, resourceVersion: o.resourceVersion, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, timeoutSeconds: o.timeoutSeconds },
    });
    res.setEncoding("utf8");
    let buf = "";
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const ev = JSON.parse(line) as WatchEvent<T>;
          if (ev.type !== "ERROR" && ev.type !== "BOOKMARK") ev.object = { ...ev.object, apiVersion, kind };
          yield ev;
        }
      }
    } catch (e) {
      if ((e as Error).name === "AbortError" || o.signal?.aborted) return;
      throw e;
    } finally {
      res.destroy();
    }
  }

  /** For messages. */
  describe(ref: ObjectRef): string {
    return `${refText(ref)} on ${this.server}`;
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
    res.on("aborted", () => reject(Object.assign(new Error("the server closed the connection mid-answer"), { code: "ECONNRESET" })));
  });
}
