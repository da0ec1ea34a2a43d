// The DDNS updater of a site with a changing public IPv4: check refuses what cannot work; the public
// records become CNAMEs to ddns-<site>.<domain>; the CronJob passes kubeconform -strict; and the
// rendered script, run by the real python3 against a local stand-in of Cloudflare's API and address
// echo, creates the A record, leaves it alone when the address is the same, moves it when it changes,
// and refuses an answer that is not a public IPv4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { loadLabText } from "../../../lab/load.js";
import { seed004Lab } from "../../../testing/seed004-lab.js";
import { publicTarget } from "../../../lab/public-entry.js";
import { renderLab } from "../../index.js";
import { ensureSecrets } from "../../../secrets/generate.js";
import { generateTalosSecrets } from "../../../secrets/talos.js";
import { kubeconformTree, describeProblems } from "../../../testing/kubeconform.js";
import { DDNS_SCRIPT } from "./ddns.js";

const dynamic = (extra = "") => seed004Lab().replace("nat: true", `nat: true, dynamicAddress: true${extra}`);

test("check: a dynamic address needs Cloudflare and a public domain, and no fixed publicAddress", () => {
  const errs = (text: string) => loadLabText(text).diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errs(dynamic()), []);
  assert.match(errs(dynamic(", publicAddress: 203.0.113.7"))[0]!.message, /no fixed publicAddress/);
  assert.match(errs(dynamic().replace("public: cloudflare", "public: none"))[0]!.message, /updates Cloudflare/);
  assert.match(errs(dynamic().replace("{ public: caeman.dev, private: k8s }", "{ private: k8s }")).map((d) => d.message).join("\n"), /domains\.public is not set/);
});

test("render: public records are CNAMEs to the DDNS name; the updater's CronJob passes kubeconform", () => {
  const lab = loadLabText(dynamic()).lab!;
  assert.deepEqual(publicTarget(lab), { kind: "name", value: "ddns-home.caeman.dev" });
  const t = renderLab(lab, ensureSecrets(lab, undefined, { talos: generateTalosSecrets }).secrets);
  const files = [...t].filter(([, f]) => f.content.includes("kind: CronJob") && f.content.includes("ddns-home"));
  assert.equal(files.length, 1);
  const text = files[0]![1].content;
  assert.match(text, /value: ddns-home\.caeman\.dev/);
  assert.match(text, /name: external-dns-public\n\s+key: api-token/);
  assert.match(text, /topology\.kubernetes\.io\/region: home/);
  assert.ok([...t.values()].some((f) => /external-dns\.kubernetes\.io\/target: ddns-home\.caeman\.dev/.test(f.content)), "public entry targets the DDNS name");
  // the component's Kubernetes objects (its Flux HelmRelease and sources are checked with their CRDs elsewhere)
  const r = kubeconformTree(t, { only: (p) => p.startsWith("kubernetes/infrastructure/external-dns/") && !t.get(p)!.content.includes("toolkit.fluxcd.io") });
  assert.ok(r.valid > 0);
  assert.equal(describeProblems(r), undefined);
  // a lab without a dynamic site renders no updater
  const fixed = loadLabText(seed004Lab({ publicAddress: "203.0.113.7" })).lab!;
  assert.ok(![...renderLab(fixed, ensureSecrets(fixed, undefined, { talos: generateTalosSecrets }).secrets).values()].some((f) => f.content.includes("ddns-updater")));
});

test("the script, run by python3 against a stand-in Cloudflare: create, unchanged, move, refuse", async () => {
  let ip = "93.184.216.34";
  const records: { id: string; type: string; name: string; content: string; ttl: number }[] = [];
  const calls: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://x");
      calls.push(`${req.method} ${url.pathname}`);
      const json = (result: unknown, success = true) => res.end(JSON.stringify({ success, errors: [], result }));
      if (url.pathname === "/trace") return res.end(`fl=1\nh=cloudflare.com\nip=${ip}\nts=1\n`);
      assert.equal(req.headers.authorization, "Bearer test-token");
      if (url.pathname === "/zones") return json(url.searchParams.get("name") === "caeman.dev" ? [{ id: "z1" }] : []);
      if (url.pathname === "/zones/z1/dns_records" && req.method === "GET") return json(records.filter((r) => r.name === url.searchParams.get("name") && r.type === url.searchParams.get("type")));
      if (url.pathname === "/zones/z1/dns_records" && req.method === "POST") return json(records.push({ id: `r${records.length}`, ...JSON.parse(body) }));
      const m = /^\/zones\/z1\/dns_records\/(\w+)$/.exec(url.pathname);
      if (m && req.method === "PUT") return json(Object.assign(records.find((r) => r.id === m[1])!, JSON.parse(body)));
      res.statusCode = 404;
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), "drover-ddns-"));
  writeFileSync(join(dir, "ddns.py"), DDNS_SCRIPT);
  const run = () => new Promise<{ code: number; out: string }>((resolve) => {
    const p = spawn("python3", [join(dir, "ddns.py")], { env: { PATH: process.env.PATH, DDNS_NAME: "ddns-home.caeman.dev", DDNS_ZONE: "caeman.dev", CF_API_TOKEN: "test-token", DDNS_IP_URL: `http://127.0.0.1:${port}/trace`, CF_API: `http://127.0.0.1:${port}`, DDNS_TTL: "300" } });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (out += c));
    p.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
  try {
    let r = await run();
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /created at 93\.184\.216\.34/);
    assert.deepEqual(records.map((x) => [x.type, x.name, x.content, x.ttl]), [["A", "ddns-home.caeman.dev", "93.184.216.34", 300]]);
    r = await run();
    assert.match(r.out, /unchanged/);
    assert.equal(calls.filter((c) => c.startsWith("PUT") || c.startsWith("POST")).length, 1);
    ip = "93.184.216.35";
    r = await run();
    assert.equal(r.code, 0, r.out);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.content, "93.184.216.35");
    for (const bad of ["192.168.1.7", "100.64.0.9", "2606:4700::1", "1.2.3.4\nip=5.6.7.8"]) {
      ip = bad;
      r = await run();
      assert.notEqual(r.code, 0, `${JSON.stringify(bad)} must be refused: ${r.out}`);
      assert.equal(records[0]!.content, "93.184.216.35");
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
