// kubeconfig reading: the fields kubectl reads, and errors that name the file and the context.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKubeconfig } from "./kubeconfig.js";
import { UserError } from "../errors.js";

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "drover-kc-"));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

const CFG = `apiVersion: v1
kind: Config
current-context: lab
clusters:
- name: lab
  cluster:
    server: https://10.0.0.10:6443/
    certificate-authority-data: ${Buffer.from("CA-PEM").toString("base64")}
- name: other
  cluster:
    server: https://10.0.0.11:6443
    certificate-authority: ca.crt
users:
- name: admin
  user:
    client-certificate-data: ${Buffer.from("CERT").toString("base64")}
    client-key-data: ${Buffer.from("KEY").toString("base64")}
- name: bot
  user:
    tokenFile: token
contexts:
- name: lab
  context: { cluster: lab, user: admin }
- name: other
  context: { cluster: other, user: bot, namespace: media }
- name: broken
  context: { cluster: nowhere, user: admin }
`;

test("reads server, CA, client certificate and token (relative paths from the file's folder)", () => withDir((dir) => {
  const f = join(dir, "config");
  writeFileSync(f, CFG);
  writeFileSync(join(dir, "ca.crt"), "FILE-CA");
  writeFileSync(join(dir, "token"), "tok123\n");
  const a = loadKubeconfig({ kubeconfig: f });
  assert.equal(a.server, "https://10.0.0.10:6443");
  assert.equal(a.ca, "CA-PEM");
  assert.equal(a.clientCert, "CERT");
  assert.equal(a.clientKey, "KEY");
  assert.equal(a.context, "lab");
  assert.equal(a.namespace, "default");
  const b = loadKubeconfig({ kubeconfig: f, context: "other" });
  assert.equal(b.ca, "FILE-CA");
  assert.equal(b.token, "tok123");
  assert.equal(b.namespace, "media");
}));

test("KUBECONFIG lists files; the first to name an entry wins", () => withDir((dir) => {
  writeFileSync(join(dir, "a"), "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n");
  writeFileSync(join(dir, "b"), "current-context: y\nclusters:\n- name: c\n  cluster: {server: 'https://h:1'}\nusers:\n- name: u\n  user: {token: t}\n");
  const old = process.env.KUBECONFIG;
  process.env.KUBECONFIG = `${join(dir, "a")}:${join(dir, "missing")}:${join(dir, "b")}`;
  try {
    const a = loadKubeconfig();
    assert.equal(a.context, "x");
    assert.equal(a.server, "https://h:1");
    assert.equal(a.token, "t");
  } finally {
    if (old === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = old;
  }
}));

test("errors name the file and the context and say how to fix it", () => withDir((dir) => {
  const f = join(dir, "config");
  writeFileSync(f, CFG);
  const err = (o: Parameters<typeof loadKubeconfig>[0], re: RegExp) => assert.throws(() => loadKubeconfig(o), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, re);
    assert.ok(e.hint && e.hint.length > 0);
    return true;
  });
  err({ kubeconfig: join(dir, "nope") }, /kubeconfig .*nope does not exist/);
  err({ kubeconfig: f, context: "zzz" }, new RegExp(`kubeconfig ${f}, context zzz: no such context`));
  err({ kubeconfig: f, context: "broken" }, /context broken: cluster nowhere is not defined/);
  err({ kubeconfig: f, context: "other" }, /certificate-authority .*ca.crt cannot be read/);
  writeFileSync(f, "clusters: [\n");
  err({ kubeconfig: f }, /is not valid YAML/);
  writeFileSync(f, "current-context: a\ncontexts:\n- name: a\n  context: {cluster: a, user: u}\nclusters:\n- name: a\n  cluster: {server: 'http://x:8080'}\nusers:\n- name: u\n  user: {exec: {command: aws}}\n");
  err({ kubeconfig: f }, /is not https/);
  writeFileSync(f, "current-context: a\ncontexts:\n- name: a\n  context: {cluster: a, user: u}\nclusters:\n- name: a\n  cluster: {server: 'https://x:6443'}\nusers:\n- name: u\n  user: {exec: {command: aws}}\n");
  err({ kubeconfig: f }, /exec plugin/);
}));
