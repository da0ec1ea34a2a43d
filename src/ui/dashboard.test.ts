import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { request as httpRequest } from "node:http";
import type { Browser, Page } from "playwright-core";
import { startDashboard, type Dashboard } from "./serve.js";
import { launchChromium } from "../testing/browser.js";
import { ROOT, EXAMPLES } from "../testing/paths.js";

const ARTIFACTS = join(ROOT, "test-artifacts", "ui");
const LAB = join(EXAMPLES, "talos-mixed", "lab.yaml");
let d: Dashboard;
let browser: Browser;
let page: Page;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  d = await startDashboard({ labPath: LAB, host: "127.0.0.1", port: 0, assets: join(ROOT, "dist", "ui", "public") });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
after(async () => {
  await browser?.close();
  await d?.close();
});

/** A request through node:http, which lets a test set Host and send a body the server refuses early. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: d.port, method, path, headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e)));
    if (body) req.write(body);
    req.end();
  });
}

const base = () => `http://127.0.0.1:${d.port}`;

test("a request without the token is refused", async () => {
  for (const path of ["/", "/api/services", "/api/topology", "/assets/app.js", "/api/whatif?down=gamer"]) {
    const res = await fetch(base() + path);
    assert.equal(res.status, 401, path);
  }
  const wrong = await fetch(`${base()}/?token=not-the-token`, { redirect: "manual" });
  assert.equal(wrong.status, 401);
  const bearer = await fetch(`${base()}/api/summary`, { headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(bearer.status, 200);
});

test("bad and oversized requests get 4xx, never a crash", async () => {
  const h = { Authorization: `Bearer ${d.token}` };
  assert.equal((await fetch(`${base()}/api/whatif?down=no-such-host`, { headers: h })).status, 400);
  assert.equal((await fetch(`${base()}/api/whatif?down=gamer,gamer`, { headers: h })).status, 400);
  assert.equal((await fetch(`${base()}/api/${"x".repeat(5000)}`, { headers: h })).status, 414);
  assert.equal(await raw("POST", "/api/summary", { ...h, "Content-Length": "100000" }, "x".repeat(100_000)), 413);
  assert.equal((await fetch(`${base()}/api/nope`, { headers: h })).status, 404);
  assert.equal((await fetch(`${base()}/assets/../../package.json`, { headers: h })).status, 404);
  // DNS rebinding: a page on another name that resolves to 127.0.0.1 is refused
  assert.equal(await raw("GET", "/api/summary", { ...h, Host: "evil.example:80" }), 421);
  assert.equal((await fetch(`${base()}/api/summary`, { headers: h })).status, 200); // still alive
});

test("no secret value is ever sent to the browser", async () => {
  const h = { Authorization: `Bearer ${d.token}` };
  for (const path of ["/api/summary", "/api/services", "/api/topology", "/api/plan"]) {
    const text = await (await fetch(base() + path, { headers: h })).text();
    assert.doesNotMatch(text, /PRIVATE KEY|AGE-SECRET-KEY|privateKey|token/i, path);
  }
});

test("services page: tiles with URL, exposure badge and groups; search filters", async () => {
  await page.goto(d.url);
  await page.waitForSelector(".tile");
  const tiles = await page.locator(".tile").count();
  assert.equal(tiles, 9);
  const vw = page.locator('.tile[data-app="vaultwarden"]');
  assert.match(await vw.innerText(), /vaultwarden\.roper\.example\.net/);
  assert.match(await vw.innerText(), /public/);
  assert.match(await vw.innerText(), /for family/);
  assert.match(await page.locator('.tile[data-app="grafana"]').innerText(), /for admins/);
  await page.screenshot({ path: join(ARTIFACTS, "services.png"), fullPage: true });
  await page.fill('input[type="search"]', "jelly");
  assert.equal(await page.locator(".tile").count(), 1);
  assert.match(await page.locator(".badge.offline").first().innerText(), /offline/);
});

test("nodes page: sites, hosts, volatile marked, mesh drawn", async () => {
  await page.click('nav a[href="/nodes"]');
  await page.waitForSelector(".host");
  assert.equal(await page.locator(".host").count(), 8);
  assert.equal(await page.locator(".host.volatile").count(), 2);
  assert.match(await page.locator('.host[data-host="gamer"]').innerText(), /volatile/);
  assert.match(await page.locator('[data-node="talos03"]').innerText(), /control plane/);
  assert.equal(await page.locator("svg.mesh g.peer").count(), 13); // 11 nodes + 2 seats
  assert.equal(await page.locator("svg.mesh line").count(), 55 + 2); // full mesh of 11, each seat to its hub
  await page.screenshot({ path: join(ARTIFACTS, "nodes.png"), fullPage: true });
});

test("plan page degrades to offline without a cluster", async () => {
  await page.click('nav a[href="/plan"]');
  await page.waitForSelector('[data-testid="plan-offline"]');
  assert.match(await page.locator('[data-testid="plan-offline"]').innerText(), /no kubeconfig/);
  await page.screenshot({ path: join(ARTIFACTS, "plan.png"), fullPage: true });
});

test("what-if page: switching the gaming PC off takes ollama down and keeps etcd quorum", async () => {
  await page.click('nav a[href="/whatif"]');
  await page.waitForSelector('button[data-host="gamer"]');
  await page.waitForSelector('tr[data-app="ollama"][data-outcome="unaffected"]');
  await page.click('button[data-host="gamer"]');
  await page.waitForSelector('tr[data-app="ollama"][data-outcome="down"]');
  assert.match(await page.locator('tr[data-app="ollama"]').innerText(), /GPU.*gamer/);
  assert.match(await page.locator('[data-testid="etcd"]').innerText(), /2 of 3 members remain.*quorum kept/);
  assert.equal(await page.locator('button[data-host="gamer"]').getAttribute("aria-pressed"), "true");
  await page.screenshot({ path: join(ARTIFACTS, "whatif-gamer-off.png"), fullPage: true });
  // and nuc1 + nuc2 as well: two control planes gone, quorum lost
  await page.click('button[data-host="nuc1"]');
  await page.click('button[data-host="nuc2"]');
  await page.waitForSelector('[data-testid="etcd"]:has-text("QUORUM LOST")');
  assert.match(await page.locator('[data-testid="api"]').innerText(), /unavailable/);
  // without quorum nothing is rescheduled, and the page says so
  assert.match(await page.locator('[data-testid="notes"]').innerText(), /Nothing is rescheduled: .*kubelet/);
  await page.screenshot({ path: join(ARTIFACTS, "whatif-quorum-lost.png"), fullPage: true });
});
