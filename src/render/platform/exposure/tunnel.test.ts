// Cloudflare Tunnel exposure (network.tunnel), for a lab behind CGNAT: check refuses what cannot work
// and warns about raw ports a tunnel does not carry; no router forwards are asked for 80/443; public
// records are proxied CNAMEs to <id>.cfargotunnel.com; cloudflared's config sends each public name to
// the public entry point with that name's certificate checked; the credentials are a SOPS-encrypted
// Secret; every object passes kubeconform -strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { loadLabText } from "../../../lab/load.js";
import { seed004Lab } from "../../../testing/seed004-lab.js";
import { portForwards, publicTarget } from "../../../lab/public-entry.js";
import { renderLab } from "../../index.js";
import { ensureSecrets } from "../../../secrets/generate.js";
import { generateTalosSecrets } from "../../../secrets/talos.js";
import { kubeconformTree, describeProblems } from "../../../testing/kubeconform.js";

const ID = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
const behind = (challenge: "dns01" | "http01" = "dns01") =>
  seed004Lab({ challenge, portForwarding: false }).replace("network:\n", `network:\n  tunnel: { provider: cloudflare, id: ${ID} }\n`);

test("check: the tunnel needs DNS-01 and Cloudflare DNS; its id is a UUID; raw public ports are warned about", () => {
  const r = loadLabText(behind());
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
  assert.ok(r.diagnostics.some((d) => d.severity === "warning" && /soft-serve's TCP port 22 .* not reached through the Cloudflare Tunnel/.test(d.message)));
  assert.match(loadLabText(behind("http01")).diagnostics.find((d) => d.severity === "error")!.message, /HTTP-01/);
  assert.match(loadLabText(behind().replace("public: cloudflare", "public: none")).diagnostics.find((d) => d.severity === "error")!.message, /proxied CNAMEs in Cloudflare/);
  for (const bad of [`${ID}\\nkind: Secret`, `${ID.toUpperCase()}`, "$(id)", "[x]", "---", `${ID}\\u2028`]) {
    const d = loadLabText(behind().replace(`id: ${ID}`, `id: "${bad}"`)).diagnostics.find((x) => x.severity === "error");
    assert.equal(d?.path, "network.tunnel.id", bad);
  }
});

test("render: no 80/443 forwards, proxied CNAMEs to the tunnel, cloudflared's ingress rules, kubeconform", () => {
  const lab = loadLabText(behind()).lab!;
  assert.deepEqual(publicTarget(lab), { kind: "name", value: `${ID}.cfargotunnel.com` });
  assert.deepEqual(portForwards(lab).filter((p) => p.port === 80 || p.port === 443), []);
  const t = renderLab(lab, ensureSecrets(lab, undefined, { talos: generateTalosSecrets }).secrets);
  const all = [...t.values()].map((f) => f.content).join("\n");
  assert.match(all, /--cloudflare-proxied/);
  assert.match(all, new RegExp(`external-dns\\.kubernetes\\.io/target: ${ID}\\.cfargotunnel\\.com`));
  const cm = [...t].find(([p, f]) => p.startsWith("kubernetes/infrastructure/cloudflared/") && f.content.includes("cloudflared-config"))!;
  const doc = (parse(cm[1].content.split("\n---\n").find((d) => d.includes("kind: ConfigMap"))!) as { data: Record<string, string> }).data["config.yaml"]!;
  const config = parse(doc) as { tunnel: string; ingress: { hostname?: string; service: string; originRequest?: { originServerName: string } }[] };
  assert.equal(config.tunnel, ID);
  const names = config.ingress.filter((r) => r.hostname).map((r) => r.hostname);
  for (const h of ["0x0.caeman.dev", "pad.caeman.dev", "git.caeman.dev", "auth.caeman.dev"]) assert.ok(names.includes(h), `${h} in ${names.join(", ")}`);
  for (const r of config.ingress.filter((x) => x.hostname)) {
    assert.equal(r.service, `https://${lab.ingress.publicAddress}:443`);
    assert.equal(r.originRequest!.originServerName, r.hostname);
  }
  assert.deepEqual(config.ingress.at(-1), { service: "http_status:404" });
  assert.ok(!names.some((h) => h!.endsWith(".k8s")), "private names never go through the tunnel");
  const creds = [...t].find(([p]) => p.startsWith("kubernetes/infrastructure/cloudflared/") && /credentials/.test(p));
  assert.ok(creds && creds[1].encrypt === "sops", "credentials are a SOPS-encrypted Secret");
  const r = kubeconformTree(t, { only: (p) => p.startsWith("kubernetes/infrastructure/cloudflared/") && !t.get(p)!.content.includes("toolkit.fluxcd.io") });
  assert.ok(r.valid >= 3, String(r.valid));
  assert.equal(describeProblems(r), undefined);
});
