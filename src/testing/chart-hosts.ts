// The chart hosts of the internet, answered on this machine (issue 15 Tier 3): the platform charts that
// `scripts/tools/install.sh platform` caches from their projects' Go modules (the ones the render
// validators template), packaged by the real `helm package` and served under the exact URLs Drover
// renders (versions/defaults.ts), so that Flux's source-controller fetches them from the unchanged
// tree:
//   - a HelmRepository URL (https://helm.cilium.io/) gets an index.yaml written by the real
//     `helm repo index --url <that URL>` and the chart's .tgz beside it;
//   - an OCIRepository URL (oci://quay.io/jetstack/charts/cert-manager) gets the OCI distribution API a
//     registry answers (GET /v2/, the manifest by tag and by digest, the blobs) for a Helm chart artifact
//     as `helm push` lays it out (config application/vnd.cncf.helm.config.v1+json, one layer
//     application/vnd.cncf.helm.chart.content.v1.tar+gzip).
// HTTPS with a certificate for every served host, issued by a test CA (made with the real openssl) that
// the controllers trust through SSL_CERT_FILE; the egress proxy (egress.ts) terminates CONNECT tunnels to
// these hosts here and refuses every other. Charts whose cached version is not the pinned one are not
// served (they would be a different chart).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { DEFAULT_CHARTS, DEFAULT_KUBERNETES, type Chart, type ChartName } from "../versions/defaults.js";
import { debianTool, platformData, tool } from "./paths.js";

/**
 * What a served chart puts into the cluster that decides what else can run here, from the real
 * `helm template --include-crds` of it with a HelmRelease's values: the kinds of its CRDs (group/Kind),
 * and the API groups its admission webhooks intercept (each webhook is a Service of the chart's pods,
 * which kwok nodes do not run, so the API server cannot call it).
 */
export interface ChartFacts {
  readonly crdKinds: ReadonlySet<string>;
  readonly webhookGroups: ReadonlySet<string>;
}

/** A chart source served here: its URL as rendered, and the chart behind it. */
export interface ServedChart {
  readonly name: ChartName;
  readonly chart: string;
  readonly version: string;
  /** the HelmRepository or OCIRepository URL, exactly as Drover renders it */
  readonly url: string;
}

export interface ChartHosts {
  /** the charts served, by their source URL */
  readonly charts: readonly ServedChart[];
  /** every host name answered here (docker.io also as index.docker.io and registry-1.docker.io) */
  readonly hosts: ReadonlySet<string>;
  /** the test CA (PEM file) the controllers trust: SSL_CERT_FILE */
  readonly caFile: string;
  /** the certificate and key for every served host (one certificate, a SAN per host) */
  readonly tls: { readonly cert: string; readonly key: string };
  /** whether a rendered chart source URL is served here */
  serves(url: string): boolean;
  /** what the chart at `url` installs with these values into `namespace` (helm template) */
  facts(url: string, values: unknown, namespace: string): ChartFacts;
  /** answers one request that arrived for `host` */
  handle(host: string, req: IncomingMessage, res: ServerResponse): void;
  /** "GET host/path status" for every request answered, in order */
  readonly requests: readonly string[];
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
const HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/** The chart folders of `install.sh platform`, by the chart name they hold. */
const CACHED_DIR: Partial<Record<ChartName, string>> = {
  cilium: "cilium", metallb: "metallb", "cert-manager": "cert-manager", "external-dns": "external-dns",
  "envoy-gateway": "gateway-helm", "nvidia-device-plugin": "nvidia-device-plugin",
};

/** Registry host aliases: `oci://docker.io/...` is fetched from index.docker.io (go-containerregistry). */
const OCI_ALIASES: Readonly<Record<string, readonly string[]>> = { "docker.io": ["index.docker.io", "registry-1.docker.io"] };

function run(cmd: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const sha256 = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A CA and one server certificate for `hosts`, made with openssl in `dir`. */
function testCertificates(dir: string, hosts: readonly string[]): { caFile: string; cert: string; key: string } {
  const openssl = debianTool("openssl");
  const p = (f: string) => join(dir, f);
  run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=Drover test chart hosts CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", p("ca.key"), "-out", p("ca.crt")]);
  run(openssl, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=chart hosts", "-keyout", p("host.key"), "-out", p("host.csr")]);
  writeFileSync(p("host.ext"), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${hosts.map((h) => `DNS:${h}`).join(",")}\n`);
  run(openssl, ["x509", "-req", "-in", p("host.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", p("host.ext"), "-out", p("host.crt")]);
  return { caFile: p("ca.crt"), cert: readFileSync(p("host.crt"), "utf8"), key: readFileSync(p("host.key"), "utf8") };
}

interface Blob { readonly type: string; readonly body: Buffer }

/**
 * Packages the cached charts whose version is the pinned one (`charts`: the lab's versions table,
 * default Drover's) into `dir` and returns the hosts that serve them.
 */
export function chartHosts(dir: string, charts: Readonly<Record<ChartName, Chart>> = DEFAULT_CHARTS): ChartHosts {
  const cache = platformData("charts");
  const helm = tool("helm");
  mkdirSync(dir, { recursive: true });
  const served: ServedChart[] = [];
  const packages = new Map<string, string>();
  // host -> path -> file
  const files = new Map<string, Map<string, Blob>>();
  const put = (host: string, path: string, blob: Blob) => {
    if (!files.has(host)) files.set(host, new Map());
    files.get(host)!.set(path, blob);
  };
  for (const [name, folder] of Object.entries(CACHED_DIR) as [ChartName, string][]) {
    const c = charts[name];
    const src = join(cache, folder);
    if (!c || !existsSync(join(src, "Chart.yaml"))) continue;
    const version = /^version:\s*"?([^"\s]+)"?/m.exec(readFileSync(join(src, "Chart.yaml"), "utf8"))?.[1];
    if (version !== c.version) continue;
    const out = join(dir, name);
    mkdirSync(out, { recursive: true });
    run(helm, ["package", src, "--destination", out], dir);
    const tgzName = readdirSync(out).find((f) => f.endsWith(".tgz"))!;
    const tgz = readFileSync(join(out, tgzName));
    const url = c.source.url;
    if (c.source.kind === "helm") {
      const u = new URL(url);
      const base = u.pathname.replace(/\/+$/, "");
      run(helm, ["repo", "index", out, "--url", `${u.origin}${base}`]);
      put(u.hostname, `${base}/index.yaml`, { type: "application/x-yaml", body: readFileSync(join(out, "index.yaml")) });
      put(u.hostname, `${base}/${tgzName}`, { type: "application/gzip", body: tgz });
    } else {
      const u = new URL(url.replace(/^oci:/, "https:"));
      const repo = u.pathname.replace(/^\/+|\/+$/g, "");
      const meta = Object.fromEntries(readFileSync(join(src, "Chart.yaml"), "utf8").split("\n").flatMap((l) => {
        const m = /^(name|version|appVersion|apiVersion|description|type):\s*"?([^"]*)"?\s*$/.exec(l);
        return m ? [[m[1]!, m[2]!]] : [];
      }));
      const config = Buffer.from(JSON.stringify(meta));
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_MANIFEST,
        config: { mediaType: HELM_CONFIG, digest: sha256(config), size: config.length },
        layers: [{ mediaType: HELM_LAYER, digest: sha256(tgz), size: tgz.length }],
        annotations: { "org.opencontainers.image.title": c.chart, "org.opencontainers.image.version": c.version },
      }));
      for (const host of [u.hostname, ...(OCI_ALIASES[u.hostname] ?? [])]) {
        put(host, "/v2/", { type: "application/json", body: Buffer.from("{}") });
        put(host, `/v2/${repo}/manifests/${c.version}`, { type: OCI_MANIFEST, body: manifest });
        put(host, `/v2/${repo}/manifests/${sha256(manifest)}`, { type: OCI_MANIFEST, body: manifest });
        put(host, `/v2/${repo}/blobs/${sha256(config)}`, { type: HELM_CONFIG, body: config });
        put(host, `/v2/${repo}/blobs/${sha256(tgz)}`, { type: HELM_LAYER, body: tgz });
        put(host, `/v2/${repo}/tags/list`, { type: "application/json", body: Buffer.from(JSON.stringify({ name: repo, tags: [c.version] })) });
      }
    }
    served.push({ name, chart: c.chart, version: c.version, url });
    packages.set(url.replace(/\/+$/, ""), join(out, tgzName));
  }
  const hosts = new Set(files.keys());
  const { caFile, cert, key } = testCertificates(dir, [...hosts].sort());
  const requests: string[] = [];
  const memo = new Map<string, ChartFacts>();
  const norm = (u: string) => u.replace(/\/+$/, "");
  return {
    charts: served, hosts, caFile, tls: { cert, key }, requests,
    serves: (url) => served.some((s) => norm(s.url) === norm(url)),
    facts(url, values, namespace) {
      const tgz = packages.get(norm(url));
      if (!tgz) throw new Error(`${url} is not served here`);
      const key = createHash("sha256").update(JSON.stringify([url, values, namespace])).digest("hex").slice(0, 16);
      const known = memo.get(key);
      if (known) return known;
      const vf = join(dir, `values-${key}.json`);
      writeFileSync(vf, JSON.stringify(values ?? {}));
      const r = spawnSync(helm, ["template", "rel", tgz, "--namespace", namespace, "--include-crds", "--kube-version", DEFAULT_KUBERNETES, "-f", vf], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`helm template ${tgz}: ${r.stderr}`);
      const crdKinds = new Set<string>();
      const webhookGroups = new Set<string>();
      for (const d of parseAllDocuments(r.stdout)) {
        const o = d.toJS() as Record<string, any> | null;
        if (!o) continue;
        if (o.kind === "CustomResourceDefinition") crdKinds.add(`${o.spec.group}/${o.spec.names.kind}`);
        if (o.kind === "ValidatingWebhookConfiguration" || o.kind === "MutatingWebhookConfiguration") {
          for (const w of o.webhooks ?? []) {
            if (w.failurePolicy === "Ignore") continue;
            for (const rule of w.rules ?? []) for (const g of rule.apiGroups ?? []) webhookGroups.add(g);
          }
        }
      }
      memo.set(key, { crdKinds, webhookGroups });
      return { crdKinds, webhookGroups };
    },
    handle(host, req, res) {
      const path = new URL(req.url ?? "/", "https://x").pathname;
      const blob = files.get(host)?.get(path);
      requests.push(`${req.method} ${host}${path} ${blob ? 200 : 404}`);
      if (!blob) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end(`not served here: ${host}${path}\n`);
        return;
      }
      const headers: Record<string, string | number> = { "Content-Type": blob.type, "Content-Length": blob.body.length };
      if (path.startsWith("/v2/") && path !== "/v2/") {
        headers["Docker-Content-Digest"] = sha256(blob.body);
        headers["Docker-Distribution-API-Version"] = "registry/2.0";
      }
      res.writeHead(200, headers);
      res.end(req.method === "HEAD" ? undefined : blob.body);
    },
  };
}
