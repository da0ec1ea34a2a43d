// Dashboard: time to first meaningful view (the service tiles of the example lab drawn) in Debian's
// Chromium, cold (new browser context each run, no cache), and the shipped JavaScript size gzipped.
// Goal (issue 7): first view under 1 s, JavaScript under 250 KB gzipped.
// Run after `npm run build`: node bench/ui.mjs   (env RUNS, default 7)
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startDashboard } = await import(join(ROOT, "dist/ui/serve.js"));
const { launchChromium } = await import(join(ROOT, "dist/testing/browser.js"));
const RUNS = Number(process.env.RUNS ?? 7);
const assets = join(ROOT, "dist/ui/public");

const sizes = {};
for (const f of readdirSync(join(assets, "assets"))) {
  if (!/\.(js|css)$/.test(f)) continue;
  const buf = readFileSync(join(assets, "assets", f));
  sizes[f] = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
}

const d = await startDashboard({ labPath: join(ROOT, "examples/talos-mixed/lab.yaml"), host: "127.0.0.1", port: 0, assets, loopbackOnly: true });
const browser = await launchChromium();
const times = [];
const fcp = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const t0 = performance.now();
    await page.goto(d.url);
    await page.waitForSelector(".tile");
    const t = performance.now() - t0;
    const paint = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN);
    if (i > 0) { times.push(t); fcp.push(paint); } // the first run warms the browser process itself
    await ctx.close();
  }
} finally {
  await browser.close();
  await d.close();
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`dashboard, example lab (talos-mixed), Chromium ${browser.version?.() ?? ""}, ${times.length} cold contexts`);
console.log(`first meaningful view (navigation → service tiles drawn): median ${median(times).toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms (goal < 1000 ms: ${(1000 / median(times)).toFixed(1)}× under)`);
console.log(`first contentful paint: median ${median(fcp).toFixed(0)} ms`);
for (const [f, s] of Object.entries(sizes)) console.log(`${f}: ${(s.raw / 1024).toFixed(1)} KB raw, ${(s.gzip / 1024).toFixed(1)} KB gzipped${f.endsWith(".js") ? ` (goal < 250 KB: ${(250 / (s.gzip / 1024)).toFixed(0)}× under)` : ""}`);
