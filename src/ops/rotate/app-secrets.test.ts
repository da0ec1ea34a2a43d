// Key and certificate lifetimes and app-secret rotation (issue 16 item 6). Offline: the store's Talos
// CAs and their exact end dates; live, on a real control plane (etcd, kube-apiserver, controllers): the
// API server's serving certificate, bootstrap-token Secrets and TLS Secrets (the internal CA's), and a
// rotated app Secret applied with every Deployment/StatefulSet using it restarted by the real
// controllers (new ReplicaSet / revision), the others left alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { TestCluster } from "../../testing/cluster.js";
import { clusterForTests } from "../../testing/cluster-per-file.js";
import { EXAMPLES } from "../../testing/paths.js";
import { Client } from "../../cluster/client.js";
import { loadLab } from "../../lab/file.js";
import { ensureSecrets } from "../../secrets/generate.js";
import { generateTalosSecrets } from "../../secrets/talos.js";
import { selfSignedCa } from "../../secrets/x509/certificate.js";
import { lifetimeWarnings, storeLifetimes } from "../../secrets/lifetimes.js";
import { liveLifetimes } from "../../cluster/lifetimes.js";
import { RESTARTED_AT } from "../../cluster/restart.js";
import { secretName } from "../../render/apps/secret.js";
import { appSecretsRotation, rollAppSecret } from "./app-secrets.js";
import type { StoreFile } from "../../secrets/store.js";

let cluster: TestCluster;
let client: Client;
clusterForTests((c) => ({ cluster, client } = c), { nodes: [{ name: "n1", cpu: "8", memory: "16Gi" }] });

const DAY = 86_400_000;
const { lab } = loadLab(join(EXAMPLES, "talos-mixed", "lab.yaml"));

test("drover check's lifetimes: the store's Talos CAs with their exact end; one ending within 30 days warns, with the date and the renewal", () => {
  const now = new Date("2026-12-07T10:00:00Z");
  // made almost ten years ago: ends 20 days from now
  const talos = generateTalosSecrets(new Date(now.getTime() - 87600 * 3600 * 1000 + 20 * DAY));
  const secrets = { ...ensureSecrets(lab, undefined).secrets, talos };
  const ls = storeLifetimes(lab, secrets, now);
  const k8s = ls.find((l) => l.what === "Kubernetes CA")!;
  assert.equal(k8s.state, "expiring");
  assert.equal(k8s.daysLeft, 20);
  assert.equal(k8s.notAfter, new Date(Math.floor((now.getTime() + 20 * DAY) / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z"));
  const warn = lifetimeWarnings(ls);
  assert.ok(warn.some((w) => /^Talos OS CA \(the Talos API\) \(secrets store talos\.certs\.os\) expires on 2026-12-27T10:00:00Z \(in 20 days\): drover keys rotate talos-ca/.test(w)), warn.join("\n"));
  assert.ok(ls.some((l) => l.state === "no-expiry" && /bootstrap and trustd tokens/.test(l.what)));
  // a fresh bundle warns about nothing
  assert.deepEqual(lifetimeWarnings(storeLifetimes(lab, ensureSecrets(lab, undefined).secrets, now)), []);
});

test("drover status's lifetimes from a live cluster: the API server's certificate, an expiring join token and an expiring internal CA, with exact dates", async () => {
  const now = new Date();
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const soon = new Date(Math.floor(now.getTime() / 1000) * 1000 + 10 * DAY);
  const id = randomBytes(3).toString("hex");
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({
    apiVersion: "v1", kind: "Secret", metadata: { name: `bootstrap-token-${id}`, namespace: "kube-system" }, type: "bootstrap.kubernetes.io/token",
    data: { "token-id": b64(id), "token-secret": b64("0123456789abcdef"), expiration: b64(soon.toISOString().replace(/\.000Z$/, "Z")), "usage-bootstrap-authentication": b64("true") },
  }));
  const caEnd = new Date(Math.floor(now.getTime() / 1000) * 1000 + 5 * DAY);
  const ca = selfSignedCa({ subject: { commonName: "lab internal CA" }, algorithm: "ecdsa-p256", notBefore: new Date(now.getTime() - DAY), notAfter: caEnd, serial: randomBytes(8) });
  const later = selfSignedCa({ subject: { commonName: "later" }, algorithm: "ecdsa-p256", notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + 400 * DAY), serial: randomBytes(8) });
  cluster.kubectl(["create", "namespace", "cert-manager"]);
  for (const [name, c] of [["internal-ca", ca], ["later", later]] as const) {
    cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "cert-manager" }, type: "kubernetes.io/tls", data: { "tls.crt": b64(c.crt), "tls.key": b64(c.key) } }));
  }
  const ls = await liveLifetimes(client, now);
  const api = ls.find((l) => l.what === "Kubernetes API server serving certificate")!;
  assert.ok(api && api.state === "ok" && api.daysLeft! > 300, JSON.stringify(api));
  const warn = lifetimeWarnings(ls);
  const iso = (d: Date) => d.toISOString().replace(/\.000Z$/, "Z");
  // the token ends a few hundred ms short of 10 days from `now`: 9 whole days left
  assert.ok(warn.includes(`join (bootstrap) token ${id} (Secret kube-system/bootstrap-token-${id}) expires on ${iso(soon)} (in 9 days): drover keys rotate join-token (or kubeadm/k3s token create)`), warn.join("\n"));
  assert.ok(warn.some((w) => w.startsWith(`CA certificate (Secret cert-manager/internal-ca) expires on ${iso(caEnd)}`)), warn.join("\n"));
  assert.ok(!warn.some((w) => w.includes("cert-manager/later")));
});

test("keys rotate app-secrets: new values (a Postgres or restic password is refused, with why); the Secret applied and only the workloads using it restarted", async () => {
  const base = ensureSecrets(lab, undefined).secrets;
  const store = { secrets: base, envelope: {} } as unknown as StoreFile;
  const rot = appSecretsRotation();
  const app = lab.apps.find((a) => a.name === "paperless-ngx")!;
  assert.throws(() => rot.rotate(store, lab, { app: app.name, secrets: ["postgres-password"] }), /not rotating paperless-ngx\/postgres-password: Postgres keeps the password in its data/);
  assert.throws(() => rot.rotate(store, lab, {}), /needs --app/);
  const r = (await rot.rotate(store, lab, { app: app.name }));
  assert.ok(r.changed.length > 0 && !r.changed.some((c) => /postgres-password|restic-password/.test(c)), r.changed.join(", "));
  const before = base.apps[app.name]!, after = r.store.secrets.apps[app.name]!;
  for (const c of r.changed) {
    const k = c.slice(c.lastIndexOf("/") + 1);
    assert.notEqual(after[k], before[k], k);
  }
  assert.equal(after["postgres-password"], before["postgres-password"]);

  // live: the app's namespace with three workloads, two of them using the Secret
  const ns = app.namespace;
  const sec = secretName(app);
  cluster.kubectl(["create", "namespace", ns]);
  const pod = (extra: Record<string, unknown>, vols: unknown[] = []) => ({ terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", ...extra }], volumes: vols });
  const deploy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } } });
  const docs = [
    deploy("by-env", pod({ envFrom: [{ secretRef: { name: sec } }] })),
    deploy("unrelated", pod({})),
    { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "by-volume", namespace: ns }, spec: { serviceName: "by-volume", replicas: 1, selector: { matchLabels: { app: "by-volume" } }, template: { metadata: { labels: { app: "by-volume" } }, spec: pod({ volumeMounts: [{ name: "s", mountPath: "/s" }] }, [{ name: "s", secret: { secretName: sec } }]) } } },
  ];
  cluster.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: docs }));
  await cluster.waitFor("workloads ready", () => cluster.kubectl(["get", "deploy,sts", "-n", ns, "-o", "jsonpath={range .items[*]}{.status.readyReplicas}{\" \"}{end}"]).trim() === "1 1 1", 120_000);
  const rolled = await rollAppSecret(client, lab, r.store.secrets, app.name);
  assert.equal(rolled.secret, `${ns}/${sec}`);
  assert.deepEqual(rolled.restarted, [`Deployment ${ns}/by-env`, `StatefulSet ${ns}/by-volume`]);
  const live = JSON.parse(cluster.kubectl(["get", "secret", sec, "-n", ns, "-o", "json"])) as { data: Record<string, string> };
  for (const c of r.changed) {
    const k = c.slice(c.lastIndexOf("/") + 1);
    assert.equal(Buffer.from(live.data[k]!, "base64").toString(), after[k], k);
  }
  const annotation = (kind: string, name: string) => cluster.kubectl(["get", kind, name, "-n", ns, "-o", `jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}`]);
  assert.match(annotation("deployment", "by-env"), /^\d{4}-\d\d-\d\dT/);
  assert.match(annotation("statefulset", "by-volume"), /^\d{4}-\d\d-\d\dT/);
  assert.equal(annotation("deployment", "unrelated"), "");
  assert.equal(RESTARTED_AT, "kubectl.kubernetes.io/restartedAt");
  // the real controllers roll them: a second ReplicaSet for by-env, a new revision for by-volume
  await cluster.waitFor("by-env rolled to a new ReplicaSet", () => cluster.kubectl(["get", "rs", "-n", ns, "-l", "app=by-env", "-o", "name"]).trim().split("\n").length === 2, 60_000);
  await cluster.waitFor("by-volume at a new revision", () => {
    const s = cluster.kubectl(["get", "sts", "by-volume", "-n", ns, "-o", "jsonpath={.status.currentRevision} {.status.updateRevision}"]).trim().split(" ");
    return s.length === 2 && s[0] === s[1] && cluster.kubectl(["get", "controllerrevisions", "-n", ns, "-o", "name"]).trim().split("\n").length === 2;
  }, 60_000);
  assert.equal(cluster.kubectl(["get", "rs", "-n", ns, "-l", "app=unrelated", "-o", "name"]).trim().split("\n").length, 1);
});
