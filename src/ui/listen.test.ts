// The dashboard's binding and Host policy, and its redirects, over real loopback sockets (no browser).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { connect, createServer, type AddressInfo } from "node:net";
import { hostname } from "node:os";
import { request as httpRequest } from "node:http";
import { ListenError, allowedHosts, hostAllowed, localPath, parseAllowHost, parseListen } from "./listen.js";
import { startDashboard } from "./serve.js";
import { runCli } from "../testing/cli-harness.js";
import { EXAMPLES, ROOT } from "../testing/paths.js";

const LAB = join(EXAMPLES, "starter", "lab.yaml");
const ASSETS = join(ROOT, "dist", "ui", "public");

test("--listen: address:port with an IPv4, bracketed IPv6 or localhost address; anything else is a ListenError", () => {
  assert.deepEqual(parseListen("127.0.0.1:7480"), { host: "127.0.0.1", port: 7480, loopback: true });
  assert.deepEqual(parseListen("[::1]:0"), { host: "::1", port: 0, loopback: true });
  assert.deepEqual(parseListen("LOCALHOST:80"), { host: "localhost", port: 80, loopback: true });
  assert.deepEqual(parseListen("0.0.0.0:7480"), { host: "0.0.0.0", port: 7480, loopback: false });
  assert.deepEqual(parseListen("[::]:7480"), { host: "::", port: 7480, loopback: false });
  assert.equal(parseListen("192.168.1.5:7480").loopback, false);
  for (const bad of ["", "7480", "127.0.0.1", "127.0.0.1:", ":7480", "999.1.1.1:80", "1.2.3:80", "127.0.0.1:99999", "127.0.0.1:000007480", "::1:7480", "[nope]:80", "example.com:80", "127.0.0.1:80\n", "127.0.0.1:-1", "[::1]:80x"]) {
    assert.throws(() => parseListen(bad), (e: Error) => e instanceof ListenError && /--listen/.test(e.message) && /address:port/.test((e as ListenError).hint ?? ""), bad);
  }
});

test("--allow-host: DNS names and IP literals, without port or scheme", () => {
  assert.equal(parseAllowHost("Lab.Home.Arpa"), "lab.home.arpa");
  assert.equal(parseAllowHost("fd00::5"), "[fd00::5]");
  assert.equal(parseAllowHost("[fd00::5]"), "[fd00::5]");
  assert.equal(parseAllowHost("192.168.1.5"), "192.168.1.5");
  for (const bad of ["", "http://lab", "lab:7480", "a b", "lab/x", "-lab", "999.1.1.1", "*.example"]) assert.throws(() => parseAllowHost(bad), ListenError, bad);
});

test("redirect targets are local paths: no second slash or backslash, nothing but path characters", () => {
  assert.equal(localPath("/"), "/");
  assert.equal(localPath("/nodes"), "/nodes");
  assert.equal(localPath("/assets/app.js"), "/assets/app.js");
  assert.equal(localPath("//evil.example/x"), "/evil.example/x");
  assert.equal(localPath("///evil.example"), "/evil.example");
  assert.equal(localPath("/\\evil.example"), "/evil.example");
  assert.equal(localPath("\\\\evil.example"), "/evil.example");
  assert.equal(localPath("/a\\b"), "/");
  assert.equal(localPath("/a b"), "/");
  assert.equal(localPath("/a\tb"), "/");
  for (const p of ["//evil.example/x", "/\\/evil", "/%2F%2Fevil.example", "/x/../..//evil"]) {
    const target = new URL(localPath(p), "http://127.0.0.1:7480");
    assert.equal(target.host, "127.0.0.1:7480", p);
  }
});

test("the Host allow-list: loopback names, the bound address, --allow-host names; a remote bind adds this machine's names", () => {
  const local = allowedHosts(parseListen("127.0.0.1:7480"), 7480);
  assert.deepEqual(local, ["127.0.0.1:7480", "[::1]:7480", "localhost:7480"]);
  assert.ok(hostAllowed("LOCALHOST:7480", local));
  assert.ok(hostAllowed("[::1]:7480", local));
  for (const bad of [undefined, "", "evil.example:7480", "127.0.0.1:7481", "127.0.0.1", "localhost.:7480", "::1:7480", "127.0.0.1:7480, evil.example"]) assert.ok(!hostAllowed(bad, local), String(bad));
  assert.ok(hostAllowed("localhost", allowedHosts(parseListen("127.0.0.1:80"), 80)), "no port means 80");
  const named = allowedHosts(parseListen("192.168.1.5:7480"), 7480, ["lab.home.arpa"], false);
  assert.deepEqual(named, ["127.0.0.1:7480", "192.168.1.5:7480", "[::1]:7480", "lab.home.arpa:7480", "localhost:7480"]);
  const wild = allowedHosts(parseListen("0.0.0.0:7480"), 7480);
  assert.ok(wild.includes(`${hostname().toLowerCase()}:7480`), "this machine's name");
  assert.ok(!wild.includes("0.0.0.0:7480"));
  assert.ok(wild.length >= 4);
});

/** GET path with the given headers through node:http; status and Location. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers, method: "GET" }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) });
    });
    req.on("error", reject);
    req.end();
  });
}

test("the server: redirects stay on this server; the Host check is always on, also for --allow-host names", async () => {
  const d = await startDashboard({ labPath: LAB, host: "127.0.0.1", port: 0, assets: ASSETS, allowHosts: ["lab.home.arpa"] });
  try {
    const host = { Host: `127.0.0.1:${d.port}` };
    for (const [path, want] of [["//evil.example/x", "/evil.example/x"], ["/\\evil.example/x", "/evil.example/x"], ["///evil.example", "/evil.example"], ["/nodes", "/nodes"]] as const) {
      const r = await get(d.port, `${path}?token=${d.token}&keep=1`, host);
      assert.equal(r.status, 302, path);
      assert.equal(r.location, `${want}?keep=1`, path);
      assert.equal(new URL(r.location!, `http://127.0.0.1:${d.port}`).host, `127.0.0.1:${d.port}`, path);
    }
    const auth = { Authorization: `Bearer ${d.token}` };
    assert.equal((await get(d.port, "/api/summary", { ...auth, ...host })).status, 200);
    assert.equal((await get(d.port, "/api/summary", { ...auth, Host: `lab.home.arpa:${d.port}` })).status, 200);
    assert.equal((await get(d.port, "/api/summary", { ...auth, Host: `evil.example:${d.port}` })).status, 421);
    assert.equal((await get(d.port, `/?token=${d.token}`, { Host: `evil.example:${d.port}` })).status, 421, "not even the token redirect answers another name");
    // HTTP/1.0 without a Host header at all
    const noHost = await new Promise<string>((resolve, reject) => {
      let text = "";
      const s = connect(d.port, "127.0.0.1", () => s.write(`GET /api/summary HTTP/1.0\r\nAuthorization: Bearer ${d.token}\r\n\r\n`));
      s.on("data", (b) => (text += String(b))).on("end", () => resolve(text)).on("error", reject);
    });
    assert.match(noHost, /^HTTP\/1\.[01] 421 /);
  } finally {
    await d.close();
  }
  // a non-loopback address without allowRemote is refused before anything listens
  await assert.rejects(startDashboard({ labPath: LAB, host: "0.0.0.0", port: 0, assets: ASSETS }), (e: Error) => e instanceof ListenError && /refusing without --allow-remote/.test(e.message));
  await assert.rejects(startDashboard({ labPath: LAB, host: "127.0.0.1", port: 0, assets: ASSETS, allowHosts: ["http://x"] }), ListenError);
});

test("drover ui: a non-loopback --listen needs --allow-remote; bad values are usage errors (exit 2), a busy port exit 1; no stack trace", async () => {
  const cases: [string[], number, RegExp][] = [
    [["--listen", "0.0.0.0:7480"], 2, /would open the dashboard to other machines; refusing without --allow-remote\n  hint: .*--allow-host/],
    [["--listen", "[::]:7480"], 2, /refusing without --allow-remote/],
    [["--listen", "192.168.1.5:7480", "--allow-host", "lab.home.arpa"], 2, /refusing without --allow-remote/],
    [["--listen", "nonsense"], 2, /--listen "nonsense" is not address:port\n  hint: give address:port/],
    [["--listen", "999.1.1.1:80"], 2, /"999\.1\.1\.1" is not an IPv4 address/],
    [["--listen", "127.0.0.1:99999"], 2, /port 99999 is out of range/],
    [["--listen", "127.0.0.1:7480", "--allow-host", "http://evil"], 2, /--allow-host "http:\/\/evil" is not a host name/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runCli(["ui", LAB, ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, message, args.join(" "));
    assert.doesNotMatch(r.err, /\n\s+at |internal error/, args.join(" "));
  }
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  try {
    const port = (busy.address() as AddressInfo).port;
    const r = await runCli(["ui", LAB, "--listen", `127.0.0.1:${port}`]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use \\(EADDRINUSE\\)\\n  hint: `));
    assert.doesNotMatch(r.err, /\n\s+at /);
  } finally {
    busy.close();
  }
});
