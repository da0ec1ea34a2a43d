import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSpec } from "../spec/load.js";
import { freeNodeAddress } from "./address.js";
import { nodeLabYaml } from "../testing/node-lab.js";

const spec = (text: string) => {
  const r = loadSpec(text);
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return r.spec;
};
const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

test("the next free address after the site's highest node", () => {
  assert.equal(freeNodeAddress(spec(nodeLabYaml({ recipient: RECIPIENT })), "home"), "192.168.50.24");
});

test("skips taken addresses and the load-balancer pool, then wraps to the bottom (above .9)", () => {
  const text = nodeLabYaml({ recipient: RECIPIENT }).replace("address: 192.168.50.23 }", "address: 192.168.50.199 }");
  assert.equal(freeNodeAddress(spec(text), "home"), "192.168.50.221");
  const full = text.replace("pool: 192.168.50.200-192.168.50.220", "pool: 192.168.50.200-192.168.50.254");
  // after .199 only the pool and the broadcast address are left: wrap to .10 and up (.11–.13 and .21–.22 are nodes; .10 is free)
  assert.equal(freeNodeAddress(spec(full), "home"), "192.168.50.10");
});
