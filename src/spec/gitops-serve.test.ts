// gitops.serve is read by the one host:port parser (net/host.ts parseHostPort), as drover serve-git
// listens on it: every good form is accepted, every bad one is an error located at the value, saying
// what is wrong and how to write it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadLabText } from "../lab/load.js";
import { upTalosLabYaml } from "../testing/up-labs.js";
import { gitSource } from "../render/flux/git-source.js";

const base = upTalosLabYaml();
const lineOfGitops = base.split("\n").length; // gitops: is the line after the base

function load(serve: string) {
  const text = `${base}gitops:\n  serve: ${JSON.stringify(serve)}\n`;
  const r = loadLabText(text, "lab.yaml");
  return { r, errors: r.diagnostics.filter((d) => d.severity === "error") };
}

test("gitops.serve accepts IPv4, bracketed IPv6 and DNS names with a port; the served URL keeps IPv6 in brackets", () => {
  for (const [serve, url] of [
    ["192.168.1.10:8418", "http://192.168.1.10:8418/uplab.git"],
    ["[::1]:8080", "http://[::1]:8080/uplab.git"],
    ["[2001:db8::10]:8418", "http://[2001:db8::10]:8418/uplab.git"],
    ["build.home.example:8418", "http://build.home.example:8418/uplab.git"],
    ["Build-1.Home.Example:1", "http://Build-1.Home.Example:1/uplab.git"],
    ["127.0.0.1:65535", "http://127.0.0.1:65535/uplab.git"],
  ] as const) {
    const { r, errors } = load(serve);
    assert.deepEqual(errors, [], serve);
    assert.equal(gitSource(r.lab!).url, url, serve);
  }
});

test("gitops.serve: every bad value is an error at its line and column, with what is wrong and how to fix it", () => {
  for (const [serve, what, fix] of [
    ["192.168.1.10", /"192\.168\.1\.10" has no port/, /add one, for example 192\.168\.1\.10:8418/],
    ["nas.home", /"nas\.home" has no port/, /add one/],
    ["192.168.1.10:0", /the port 0 is outside 1-65535/, /for example/],
    ["192.168.1.10:65536", /the port 65536 is outside 1-65535/, /for example/],
    ["nas.home:70000", /the port 70000 is outside 1-65535/, /for example/],
    ["192.168.1.10:", /the port "" is not a number/, /for example/],
    ["192.168.1.10:http", /the port "http" is not a number/, /for example/],
    ["192.168.1.300:8418", /"192\.168\.1\.300" is neither an IP address nor a DNS name/, /for example/],
    ["2001:db8::10:8418", /IPv6 address without a port \(or with one, but not in brackets\)/, /in brackets.*\[2001:db8::10\]:8418/],
    ["::1", /IPv6 address without a port/, /in brackets/],
    ["[::1]", /"\[::1\]" is an IPv6 address without a port/, /in brackets/],
    ["[::1:8080", /has '\[' without '\]'/, /for example/],
    ["[nas.home]:8418", /\[nas\.home\] is not an IPv6 address/, /for example/],
    ["[fe80::1%eth0]:8418", /is not an IPv6 address/, /for example/],
    ["nas.home:8418/lab.git", /the port "8418\/lab\.git" is not a number/, /for example/],
    ["nas home:8418", /is neither an IP address nor a DNS name/, /for example/],
    ["0.0.0.0:8418", /0\.0\.0\.0 listens on every address but is none the nodes can pull from/, /ip -br addr/],
    ["[::]:8418", /:: listens on every address/, /ip -br addr/],
  ] as const) {
    const { errors } = load(serve);
    assert.equal(errors.length, 1, `${serve}: ${JSON.stringify(errors)}`);
    const d = errors[0]!;
    assert.equal(d.path, "gitops.serve", serve);
    assert.equal(d.file, "lab.yaml");
    assert.deepEqual([d.line, d.column], [lineOfGitops + 1, 10], `${serve}: at the value`);
    assert.match(d.message, /^must be <address>:<port> of this machine, as the cluster's nodes reach it: /, serve);
    assert.match(d.message, what, serve);
    assert.match(d.hint ?? "", fix, `${serve}: ${d.hint}`);
  }
});
