import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { catalog, catalogNames } from "./index.js";
import { lintCatalog, lintCatalogApp, lintRendered, parseImage, pinnedTag } from "./lint.js";
import type { CatalogApp } from "./app.js";

const base = catalog.find((a) => a.name === "grafana")!;
const rules = (c: CatalogApp) => lintCatalogApp(c).map((f) => f.rule);

test("the catalog has at least the 25 apps asked for, one file each, and passes its own lint", () => {
  const wanted = ["grafana", "vaultwarden", "etherpad", "soft-serve", "0x0", "nextcloud", "octoprint", "ollama", "forgejo", "keycloak", "apprise", "influxdb", "postgres", "wallabag", "freshrss", "atuin", "pihole", "jellyfin", "homepage", "immich", "home-assistant", "uptime-kuma", "paperless-ngx", "n8n", "syncthing"];
  for (const w of wanted) assert.ok(catalogNames().includes(w), w);
  assert.deepEqual(lintCatalog(catalog), []);
});

test("image-pinned: latest, a missing tag and a bare major are refused; releases and digests pass", () => {
  for (const t of ["latest", "", "stable", "17", "v2", "main"]) assert.equal(pinnedTag(t), false, t);
  for (const t of ["17.7", "v1.8.0", "2025.11.0", "13.0.4-rootless", "14-vectorchord0.4.3-pgvectors0.2.0"]) assert.equal(pinnedTag(t), true, t);
  assert.deepEqual(rules({ ...base, image: { repository: "grafana/grafana", tag: "latest" } }), ["image-pinned"]);
  assert.deepEqual(parseImage("registry:5000/a/b"), { repository: "registry:5000/a/b", tag: undefined, digest: false });
  assert.deepEqual(parseImage("a/b:1.2@sha256:abc").digest, true);
  fc.assert(fc.property(fc.stringMatching(/^[0-9]{1,3}$/), (major) => !pinnedTag(major) && !pinnedTag(`v${major}`)));
});

test("state-in-volumes: a stateful app is not scalable and volumes do not nest", () => {
  assert.deepEqual(rules({ ...base, replicas: { default: 1, scalable: true } }), ["state-in-volumes"]);
  assert.deepEqual(rules({ ...base, volumes: [{ name: "a", path: "/data", size: "1Gi" }, { name: "b", path: "/data/x", size: "1Gi" }] }), ["state-in-volumes"]);
});

test("capabilities and well-formedness", () => {
  assert.deepEqual(rules({ ...base, capabilities: ["SYS_ADMIN"] }), ["capabilities"]);
  assert.deepEqual(rules({ ...base, ports: [base.ports[0]!, base.ports[0]!] }), ["well-formed"]);
  assert.deepEqual(lintCatalog([base, base]).map((f) => f.message), ["is in the catalog twice"]);
});

const pod = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "grafana", labels: {} }, spec: { template: { spec } }, ...extra });
const safe = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

test("privilege-device: privileged containers and host paths need a declared device", () => {
  const bad = pod({ containers: [{ name: "app", image: "grafana/grafana:12.3.0", securityContext: { privileged: true } }], volumes: [{ name: "dev", hostPath: { path: "/dev/ttyUSB0" } }] });
  assert.deepEqual(lintRendered(base, "grafana", [bad]).map((f) => f.rule), ["privilege-device", "privilege-device"]);
  const octo = catalog.find((a) => a.name === "octoprint")!;
  assert.deepEqual(lintRendered(octo, "grafana", [bad]), []);
  const hostNet = pod({ hostNetwork: true, containers: [{ name: "app", image: "grafana/grafana:12.3.0", securityContext: safe }] });
  assert.deepEqual(lintRendered(base, "grafana", [hostNet]).map((f) => f.rule), ["privilege-device"]);
});

test("state-in-volumes (rendered): only the declared claims, config and scratch volumes", () => {
  const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "grafana-other" } };
  const p = pod({ containers: [{ name: "app", image: "grafana/grafana:12.3.0", securityContext: safe }], volumes: [{ name: "x", persistentVolumeClaim: { claimName: "grafana-other" } }, { name: "n", nfs: { server: "a", path: "/b" } }] });
  assert.deepEqual(lintRendered(base, "grafana", [claim, p]).map((f) => f.rule), ["state-in-volumes", "state-in-volumes"]);
});

test("image-pinned and capabilities (rendered)", () => {
  const p = pod({ containers: [{ name: "app", image: "grafana/grafana", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_RAW"] } } }, { name: "side", image: "busybox:1.37.0", securityContext: {} }] });
  assert.deepEqual(lintRendered(base, "grafana", [p]).map((f) => f.rule).sort(), ["capabilities", "capabilities", "image-pinned", "privilege-device"]);
});
