// The exposure-mode tables: every mode (src/exposure/) has its renderer of the same name, the mode a lab
// uses is chosen by the table (a tunnel over a DDNS site over direct forwards), and each mode's answers
// hold together: a mode without 80/443 forwards cannot do HTTP-01 and carries HTTPS only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EXPOSURE_MODES, exposureMode } from "../../../exposure/index.js";
import { EXPOSURE_RENDERERS } from "./index.js";
import { dnsProvider } from "../../../dns/index.js";

test("every exposure mode is found by its name in both tables", () => {
  assert.deepEqual(Object.keys(EXPOSURE_RENDERERS).sort(), Object.keys(EXPOSURE_MODES).sort());
  for (const [name, m] of Object.entries(EXPOSURE_MODES)) {
    assert.equal(m.name, name);
    assert.equal(EXPOSURE_RENDERERS[m.name].name, name);
    if (m.publicDns) assert.ok(dnsProvider(m.publicDns)?.zones.includes("public"), `${name}: ${m.publicDns} is a public DNS provider`);
    if (!m.webForwards) assert.equal(m.http01, false, `${name}: HTTP-01 needs port 80`);
    if (m.carries === "https") assert.ok(m.reach, `${name}: says what it cannot reach`);
  }
});

test("the mode a lab uses: a tunnel, else a DDNS site, else direct forwards", () => {
  assert.equal(exposureMode({ tunnel: true, dynamicAddress: false }).name, "tunnel");
  assert.equal(exposureMode({ tunnel: true, dynamicAddress: true }).name, "tunnel");
  assert.equal(exposureMode({ tunnel: false, dynamicAddress: true }).name, "ddns");
  assert.equal(exposureMode({ tunnel: false, dynamicAddress: false }).name, "direct");
  assert.deepEqual(EXPOSURE_MODES.tunnel.target({ tunnelId: "x", siteAddress: "203.0.113.7" }), { kind: "name", value: "x.cfargotunnel.com" });
  assert.deepEqual(EXPOSURE_MODES.direct.target({ siteAddress: "203.0.113.7" }), { kind: "address", value: "203.0.113.7" });
  assert.equal(EXPOSURE_MODES.direct.target({ siteAddress: "192.168.1.1" }), undefined);
  assert.deepEqual(EXPOSURE_MODES.ddns.target({ siteAddress: "ddns-home.example.com" }), { kind: "name", value: "ddns-home.example.com" });
});
