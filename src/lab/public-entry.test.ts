// Public exposure from a lab written from seed 004: the address public DNS records point at is the
// site's public address (a fixed IPv4 as A records, a DNS name as CNAMEs), never the load balancer's
// LAN address; the router port forwards are listed; HTTP-01 behind NAT without a way in is warned about.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { loadTestLab, testSecrets } from "../testing/apps-lab.js";
import { seed004Lab } from "../testing/seed004-lab.js";
import { loadLabText } from "./load.js";
import { renderLab } from "../render/index.js";
import { portForwards, publicSite, publicTarget } from "./public-entry.js";

type Obj = Record<string, any>;
const objects = (text: string): Obj[] => {
  const lab = loadTestLab(text);
  const t = renderLab(lab, testSecrets(lab));
  return [...t].filter(([p]) => p.startsWith("kubernetes/") && p.endsWith(".yaml")).flatMap(([, f]) => parseAllDocuments(f.content).map((d) => d.toJS() as Obj)).filter((o) => o?.kind);
};
const TARGET = "external-dns.kubernetes.io/target";

test("seed 004 with a fixed public IPv4: every public Ingress and LB Service targets it; private ones keep their LAN address", () => {
  const lab = loadTestLab(seed004Lab({ publicAddress: "203.0.113.7", challenge: "dns01" }));
  assert.equal(publicSite(lab)?.name, "home");
  assert.deepEqual(publicTarget(lab), { kind: "address", value: "203.0.113.7" });
  const objs = objects(seed004Lab({ publicAddress: "203.0.113.7", challenge: "dns01" }));
  const ingresses = objs.filter((o) => o.kind === "Ingress");
  const pub = ingresses.filter((o) => o.spec.ingressClassName === "public");
  assert.deepEqual(pub.map((o) => o.spec.rules[0].host).sort(), ["0x0.caeman.dev", "auth.caeman.dev", "git.caeman.dev", "pad.caeman.dev"]);
  for (const o of pub) assert.equal(o.metadata.annotations[TARGET], "203.0.113.7", o.metadata.name);
  for (const o of ingresses.filter((x) => x.spec.ingressClassName === "private")) assert.equal(o.metadata.annotations[TARGET], undefined, o.metadata.name);
  const ssh = objs.find((o) => o.kind === "Service" && o.spec.type === "LoadBalancer" && o.metadata.namespace && o.metadata.annotations?.["external-dns.kubernetes.io/hostname"] === "git.caeman.dev")!;
  assert.equal(ssh.metadata.annotations[TARGET], "203.0.113.7");
  // external-dns 0.23 reads only its current prefix: the legacy one would be silently ignored
  for (const o of objs) for (const k of Object.keys(o.metadata?.annotations ?? {})) assert.ok(!k.startsWith("external-dns.alpha.kubernetes.io/"), `${o.kind}/${o.metadata.name}: ${k}`);
});

test("seed 004 behind a dynamic address kept current by the router's DDNS name: CNAME targets; the endpoint host is the default", () => {
  const lab = loadTestLab(seed004Lab({ publicAddress: "caeman.dyndns.example", challenge: "dns01" }));
  assert.deepEqual(publicTarget(lab), { kind: "name", value: "caeman.dyndns.example" });
  const pub = objects(seed004Lab({ publicAddress: "caeman.dyndns.example", challenge: "dns01" })).filter((o) => o.kind === "Ingress" && o.spec.ingressClassName === "public");
  for (const o of pub) assert.equal(o.metadata.annotations[TARGET], "caeman.dyndns.example");
  // no public address at all: nothing is claimed (check warns instead)
  assert.equal(publicTarget(loadTestLab(seed004Lab({ challenge: "dns01" }))), undefined);
});

test("the router port forwards of seed 004: 80 and 443 to the public ingress, 22 and 9418 to Soft Serve's load-balancer address", () => {
  const lab = loadTestLab(seed004Lab({ publicAddress: "203.0.113.7" }));
  const f = portForwards(lab).map((x) => `${x.site} ${x.port}/${x.protocol} -> ${x.to}:${x.toPort}`);
  const ingress = lab.ingress.publicAddress!;
  const git = lab.app("soft-serve").loadBalancerAddress!;
  assert.deepEqual(f, [`home 80/TCP -> ${ingress}:80`, `home 443/TCP -> ${ingress}:443`, `home 22/TCP -> ${git}:22`, `home 9418/TCP -> ${git}:9418`]);
  assert.match(portForwards(lab)[0]!.what, /HTTP-01/);
});

test("check warns: HTTP-01 cannot succeed without a public address or port forwards while Cloudflare could answer DNS-01; a private publicAddress is an error", () => {
  const diags = (o: Parameters<typeof seed004Lab>[0]) => loadLabText(seed004Lab(o), "lab.yaml").diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}${d.hint ? ` | ${d.hint}` : ""}`);
  const none = diags({});
  assert.ok(none.some((d) => /^warning network\.tls\.challenge: Let's Encrypt's HTTP-01 challenge cannot reach port 80 of site home \(it has no public address\).*use challenge: dns01: cloudflare/.test(d)), none.join("\n"));
  assert.ok(none.some((d) => /^warning sites\[0\]: .*external-dns would publish the load balancer's LAN address/.test(d)), none.join("\n"));
  const noFwd = diags({ publicAddress: "203.0.113.7", portForwarding: false });
  assert.ok(noFwd.some((d) => /HTTP-01 .*its router forwards no ports/.test(d)), noFwd.join("\n"));
  assert.ok(noFwd.some((d) => /^warning sites\[0\]\.portForwarding: /.test(d)));
  const noProvider = diags({ dnsPublic: "none" });
  assert.ok(noProvider.some((d) => /HTTP-01 .*\| forward port 80 .*or set network\.dns\.public/.test(d)), noProvider.join("\n"));
  assert.deepEqual(diags({ publicAddress: "203.0.113.7" }).filter((d) => /HTTP-01|publicAddress|LAN address/.test(d)), []);
  assert.deepEqual(diags({ challenge: "dns01", publicAddress: "caeman.dyndns.example" }).filter((d) => /HTTP-01|LAN address/.test(d)), []);
  const priv = diags({ publicAddress: "192.168.1.1" });
  assert.ok(priv.some((d) => /^error sites\[0\]\.publicAddress: 192\.168\.1\.1 is a private address/.test(d)), priv.join("\n"));
});
