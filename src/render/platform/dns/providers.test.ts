// The DNS-provider tables: every name the schema accepts for network.dns.public/private (besides none)
// is a provider of src/dns/ with its renderer here, under its own name; each provider external-dns can
// write renders its instance settings and credentials; every DNS-01 provider gives cert-manager a solver.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DNS_PROVIDERS, PRIVATE_DNS_NAMES, PUBLIC_DNS_NAMES, type DnsProviderName } from "../../../dns/index.js";
import { Network } from "../../../spec/schema.js";
import { DNS_RENDERERS } from "./index.js";
import { exampleLab, testSecrets } from "../../../testing/apps-lab.js";
import { secretSource } from "../secrets.js";
import type { Lab } from "../../../lab/types.js";

test("the schema's DNS provider names are the table's, by zone, and each has its renderer under its own name", () => {
  const dns = Network.shape.dns.unwrap().shape;
  assert.deepEqual(dns.public.unwrap().options, PUBLIC_DNS_NAMES);
  assert.deepEqual(dns.private.unwrap().options, PRIVATE_DNS_NAMES);
  assert.deepEqual(PUBLIC_DNS_NAMES, ["cloudflare", "rfc2136", "none"]);
  assert.deepEqual(PRIVATE_DNS_NAMES, ["pihole", "rfc2136", "none"]);
  assert.deepEqual(Object.keys(DNS_RENDERERS).sort(), Object.keys(DNS_PROVIDERS).sort());
  for (const [name, p] of Object.entries(DNS_PROVIDERS)) {
    assert.equal(p.name, name);
    assert.equal(DNS_RENDERERS[p.name as DnsProviderName].name, name);
  }
});

test("each provider renders external-dns settings and credentials for a lab using it; DNS-01 providers give a solver", () => {
  const base = exampleLab("multi-site");
  const lab: Lab = { ...base, network: { ...base.network, dns: { ...base.network.dns, rfc2136: { server: "10.0.0.53:5353", zone: "example.org", keyName: "k1" } } } };
  const s = secretSource(testSecrets(base));
  for (const p of Object.values(DNS_PROVIDERS)) {
    const r = DNS_RENDERERS[p.name as DnsProviderName];
    const servers = r.instances(lab);
    assert.ok(servers.length >= 1, p.name);
    for (const zone of p.zones) {
      const settings = r.externalDns(lab, zone, "external-dns-x", servers[0]);
      assert.ok(settings.args.length > 0, `${p.name}: args`);
      // every env var external-dns reads comes from the instance's Secret, under a key the credentials hold
      const keys = Object.keys(r.credentials(lab, testSecrets(base), s));
      for (const e of settings.env) assert.ok(keys.includes((e as { valueFrom: { secretKeyRef: { name: string; key: string } } }).valueFrom.secretKeyRef.key), `${p.name}: ${JSON.stringify(e)}`);
    }
    const solver = r.dns01?.(lab, s);
    assert.equal(solver !== undefined, p.dns01, `${p.name}: a DNS-01 solver exactly when the provider answers DNS-01`);
  }
  assert.deepEqual(DNS_RENDERERS.rfc2136.externalDns(lab, "private", "n", undefined).args.slice(0, 2), ["--rfc2136-host=10.0.0.53", "--rfc2136-port=5353"]);
});
