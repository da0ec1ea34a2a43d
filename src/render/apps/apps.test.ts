import { test } from "node:test";
import assert from "node:assert/strict";
import { renderPlatform } from "../platform/index.js";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { renderApps, appFolder, appRoutes, appNamespaceNeeds } from "./index.js";
import { podPlan, appPods } from "../../lab/pods.js";
import { workload } from "./workload.js";
import { mergePatch } from "./patches.js";
import { appsLab, appsLabYaml, exampleLab, loadTestLab, testSecrets, FUNCTION_SOURCES } from "../../testing/apps-lab.js";
import { kubeconformTree, describeProblems } from "../../testing/kubeconform.js";
import { tool } from "../../testing/paths.js";
import { tempDir } from "../../testing/age-key.js";
import { lintRendered } from "../../catalog/lint.js";
import type { FileTree } from "../tree.js";
import type { Lab } from "../../lab/types.js";
import { UserError } from "../../errors.js";
import { NAMESPACES } from "../platform/contract.js";

type Obj = Record<string, any>;
const docs = (t: FileTree, path: string): Obj[] => parseAllDocuments(t.get(path)!.content).map((d) => d.toJS() as Obj);
const all = (t: FileTree): [string, Obj][] => [...t].filter(([p]) => p.endsWith(".yaml")).flatMap(([p, f]) => parseAllDocuments(f.content).map((d): [string, Obj] => [p, d.toJS() as Obj]));

const labs: [string, () => Lab][] = [["examples/talos-mixed", () => exampleLab()], ["every catalog app", () => appsLab()]];

// CRD kinds (VolSync) are checked once the platform's CRD schemas are available; core kinds here
const coreOnly = (p: string) => !p.endsWith("/backup.yaml");

for (const [name, make] of labs) {
  test(`${name}: every rendered manifest passes kubeconform -strict`, () => {
    const lab = make();
    const t = renderApps(lab, testSecrets(lab));
    const r = kubeconformTree(t, { only: coreOnly });
    assert.equal(describeProblems(r), undefined);
    assert.ok(r.valid > 20, `only ${r.valid} resources checked`);
  });

  test(`${name}: kustomize build succeeds for every app folder, every namespace and apps/`, () => {
    const lab = make();
    const t = renderApps(lab, testSecrets(lab));
    const root = tempDir("drover-kustomize-");
    try {
      for (const [p, f] of t) {
        mkdirSync(dirname(join(root, p)), { recursive: true });
        writeFileSync(join(root, p), f.content);
      }
      const dirs = [...t.keys()].filter((p) => p.endsWith("/kustomization.yaml")).map((p) => dirname(p)).sort();
      assert.ok(dirs.includes("apps"));
      for (const d of dirs) {
        const r = spawnSync(tool("kustomize"), ["build", join(root, d)], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        assert.equal(r.status, 0, `kustomize build ${d}: ${r.stderr}`);
        assert.ok(r.stdout.includes("kind:"), d);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test(`${name}: rendering is deterministic and every rendered app passes the catalog lint`, () => {
    const lab = make();
    const s = testSecrets(lab);
    const a = renderApps(lab, s);
    const b = renderApps(make(), s);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [p, f] of a) assert.equal(b.get(p)!.content, f.content, p);
    for (const app of lab.apps) {
      const folder = appFolder(lab, app, s);
      assert.deepEqual(lintRendered(app.catalog, app.name, folder.files.flatMap((f) => f.docs)), [], app.name);
    }
  });

  test(`${name}: Secrets are only in SOPS-flagged files and no secret value is in plaintext elsewhere`, () => {
    const lab = make();
    const s = testSecrets(lab);
    const t = renderApps(lab, s);
    const values = Object.values(s.apps).flatMap((o) => Object.values(o));
    assert.ok(values.length > 3);
    for (const [p, f] of t) {
      const kinds = parseAllDocuments(f.content).map((d) => (d.toJS() as Obj | null)?.kind);
      if (kinds.includes("Secret")) {
        assert.equal(f.encrypt, "sops", `${p} holds a Secret but is not flagged for encryption`);
        assert.equal(kinds.length, 1, `${p}: one Secret per encrypted file`);
      } else {
        assert.equal(f.encrypt, undefined, p);
        for (const v of values) assert.ok(!f.content.includes(v), `${p} contains a secret value in plaintext`);
      }
      assert.ok(!f.secret, `${p} is a Flux-tree file, not an out/ secret`);
    }
  });
}

test("placement: arch affinity, GPU request and toleration, host pinning for a serial device, privileged only there", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const jelly = docs(t, "apps/media/jellyfin/workload.yaml")[0]!;
  const terms = jelly.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
  assert.deepEqual(terms, [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }]);
  assert.equal(jelly.spec.template.spec.containers[0].resources.requests.cpu, "2");
  assert.equal(jelly.spec.template.spec.containers[0].resources.limits.memory, "4Gi");

  const ollama = docs(t, "apps/ai/ollama/workload.yaml")[0]!.spec.template.spec;
  assert.equal(ollama.containers[0].resources.limits["nvidia.com/gpu"], "1");
  assert.deepEqual(ollama.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
  assert.equal(ollama.securityContext.runAsNonRoot, true);
  assert.deepEqual(ollama.containers[0].securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true });

  const octo = docs(t, "apps/iot/octoprint/workload.yaml")[0]!.spec.template.spec;
  assert.deepEqual(octo.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions, [{ key: "drover.dev/host", operator: "In", values: ["printer-pi"] }]);
  assert.deepEqual(octo.volumes.find((v: Obj) => v.name === "serial"), { name: "serial", hostPath: { path: "/dev/ttyUSB0", type: "CharDevice" } });
  assert.deepEqual(octo.containers[0].securityContext, { privileged: true });
  // the namespace (created by the platform's namespaces Kustomization) takes the most permissive level of its apps
  const level = (ns: string) => appNamespaceNeeds(lab).find((n) => n.name === ns)?.podSecurity;
  assert.equal(level("iot"), "privileged");
  // home-assistant is pinned to the same host and gets the stick too (optional device, pinned)
  assert.ok(docs(t, "apps/iot/home-assistant/workload.yaml")[0]!.spec.template.spec.volumes.some((v: Obj) => v.hostPath));
  // nothing else is privileged or mounts a host path
  for (const [p, d] of all(t)) {
    if (p.startsWith("apps/iot/")) continue;
    assert.ok(!JSON.stringify(d).includes('"privileged":true') && !JSON.stringify(d).includes("hostPath"), p);
  }
  // an app that runs non-root with no capabilities lives in a restricted namespace
  assert.equal(level("ai"), "restricted");
});

test("stateless apps with replicas get a PodDisruptionBudget and a hard spread across hosts; stateful apps neither", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const atuin = docs(t, "apps/dev/atuin/workload.yaml")[0]!;
  assert.equal(atuin.kind, "Deployment");
  assert.equal(atuin.spec.replicas, 3);
  assert.deepEqual(atuin.spec.template.spec.topologySpreadConstraints, [{ maxSkew: 1, topologyKey: "drover.dev/host", whenUnsatisfiable: "DoNotSchedule", nodeTaintsPolicy: "Honor", labelSelector: { matchLabels: { "app.kubernetes.io/instance": "atuin" } } }]);
  assert.deepEqual(docs(t, "apps/dev/atuin/pdb.yaml")[0]!.spec, { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/instance": "atuin" } } });
  assert.ok(t.has("apps/dashboard/homepage/pdb.yaml"));
  const grafana = docs(t, "apps/monitoring/grafana/workload.yaml")[0]!;
  assert.equal(grafana.kind, "StatefulSet");
  assert.equal(grafana.spec.template.spec.topologySpreadConstraints, undefined);
  assert.ok(!t.has("apps/monitoring/grafana/pdb.yaml"));
  // a single-replica stateless app: no PDB (it would block every drain)
  assert.ok(!t.has("apps/office/etherpad/pdb.yaml"));
});

test("routes: TLS from the entry's issuer, the SSO gate with the allowed groups, homepage annotations; native-login apps are not gated", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const home = docs(t, "apps/dashboard/homepage/ingress.yaml")[0]!;
  assert.equal(home.spec.ingressClassName, "private");
  assert.equal(home.metadata.annotations["cert-manager.io/cluster-issuer"], "internal-ca");
  assert.equal(home.metadata.annotations["drover.dev/allowed-groups"], "family");
  assert.ok(home.metadata.annotations["nginx.ingress.kubernetes.io/auth-url"]);
  assert.equal(home.metadata.annotations["gethomepage.dev/href"], "https://homepage.apps.internal");
  assert.deepEqual(home.spec.tls, [{ hosts: ["homepage.apps.internal"], secretName: "homepage-tls" }]);
  const vw = docs(t, "apps/security/vaultwarden/ingress.yaml")[0]!;
  assert.equal(vw.spec.ingressClassName, "public");
  assert.equal(vw.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
  assert.equal(vw.metadata.annotations["nginx.ingress.kubernetes.io/auth-url"], undefined, "vaultwarden signs its clients in itself");
  assert.ok(!t.has("apps/shared-db/postgres/ingress.yaml"), "exposure none: no route");
  const routes = appRoutes(lab);
  assert.deepEqual(routes.find((r) => r.app === "grafana"), { app: "grafana", namespace: "monitoring", hostname: "grafana.apps.internal", entry: "private", gated: true, groups: ["admins"], twoFactor: true });
});

test("raw TCP/UDP ports get a LoadBalancer Service on the lab's allocated address", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const pihole = docs(t, "apps/network/pihole/service.yaml");
  const lb = pihole.find((s) => s.spec.type === "LoadBalancer")!;
  assert.equal(lb.metadata.annotations["lbipam.cilium.io/ips"], lab.app("pihole").loadBalancerAddress);
  assert.deepEqual(lb.spec.ports.map((p: Obj) => `${p.port}/${p.protocol}`), ["53/TCP", "53/UDP"]);
  const forgejo = docs(t, "apps/dev/forgejo/service.yaml").find((s) => s.spec.type === "LoadBalancer")!;
  assert.deepEqual(forgejo.spec.ports, [{ name: "ssh", port: 22, targetPort: "ssh", protocol: "TCP" }]);
});

test("NetworkPolicy: deny by default, ingress controller in, DNS and own dependencies out; the dependency admits only its app", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const np = docs(t, "apps/office/paperless-ngx/networkpolicy.yaml")[0]!;
  assert.deepEqual(np.spec.policyTypes, ["Ingress", "Egress"]);
  assert.deepEqual(np.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.ingress } } }]);
  const targets = np.spec.egress.flatMap((e: Obj) => (e.to ?? []).map((x: Obj) => x.podSelector?.matchLabels?.["app.kubernetes.io/instance"])).filter(Boolean);
  assert.deepEqual(targets, ["paperless-ngx-postgres", "paperless-ngx-redis"]);
  assert.deepEqual(np.spec.egress[0].ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
  const pg = docs(t, "apps/office/paperless-ngx/postgres.yaml").find((d) => d.kind === "NetworkPolicy")!;
  assert.deepEqual(pg.spec.ingress, [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": "paperless-ngx" } } }], ports: [{ protocol: "TCP", port: 5432 }] }]);
  assert.deepEqual(pg.spec.egress, []);
});

test("backups: VolSync source and restore-on-rebuild destination per volume; the claim fills from it", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const b = docs(t, "apps/office/paperless-ngx/backup.yaml");
  assert.deepEqual(b.map((d) => `${d.kind}/${d.metadata.name}`), ["ReplicationSource/paperless-ngx-data", "ReplicationDestination/paperless-ngx-data-restore", "ReplicationSource/paperless-ngx-media", "ReplicationDestination/paperless-ngx-media-restore"]);
  assert.equal(b[0]!.spec.restic.copyMethod, "Clone");
  assert.equal(b[0]!.spec.trigger.schedule, "0 3 * * *");
  const pvc = docs(t, "apps/office/paperless-ngx/pvc.yaml")[0]!;
  assert.deepEqual(pvc.spec.dataSourceRef, { apiGroup: "volsync.backube", kind: "ReplicationDestination", name: "paperless-ngx-data-restore" });
  assert.equal(pvc.spec.resources.requests.storage, "40Gi");
  assert.equal(t.get("apps/office/paperless-ngx/data-restic.sops.yaml")!.encrypt, "sops");
  assert.ok(!t.has("apps/monitoring/grafana/backup.yaml"));
});

test("backups: a restic Secret on an S3 target carries the target's keys from the store (empty and listed in the README until the user adds them)", () => {
  const lab = appsLab();
  const secrets = testSecrets(lab);
  const restic = (s: typeof secrets) => (renderApps(lab, s).get("apps/office/paperless-ngx/data-restic.sops.yaml")!.doc as { stringData: Record<string, string> }).stringData;
  const missing = restic(secrets);
  assert.equal(missing.RESTIC_REPOSITORY, "s3:http://10.10.0.2:9000/backups/office/paperless-ngx/data");
  assert.equal(missing.AWS_ACCESS_KEY_ID, "");
  const readme = renderPlatform(lab, secrets).get("README.md")?.content ?? [...renderPlatform(lab, secrets)].find(([p]) => p.endsWith("README.md"))![1].content;
  assert.match(readme, /backup-nas-s3-access-key/);
  const given = { ...secrets, apps: { ...secrets.apps, _external: { "backup-nas-s3-access-key": "AKIA-TEST", "backup-nas-s3-secret-key": "s3cr3t" } } };
  assert.deepEqual([restic(given).AWS_ACCESS_KEY_ID, restic(given).AWS_SECRET_ACCESS_KEY], ["AKIA-TEST", "s3cr3t"]);
});

test("spec patches are merged into the rendered objects (named list items by name); a patch on nothing is a user error", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const env = docs(t, "apps/monitoring/grafana/workload.yaml")[0]!.spec.template.spec.containers[0].env;
  assert.deepEqual(env.find((e: Obj) => e.name === "GF_LOG_MODE"), { name: "GF_LOG_MODE", value: "console" });
  assert.deepEqual(env.find((e: Obj) => e.name === "GF_LOG_LEVEL"), { name: "GF_LOG_LEVEL", value: "warn" });
  assert.ok(env.some((e: Obj) => e.name === "GF_SECURITY_ADMIN_PASSWORD"), "the other variables stay");
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3] }), { a: { b: 1, d: 3 }, l: [3] });
  const bad = loadTestLab(appsLabYaml().replace("{ name: atuin, replicas: 3 }", "{ name: atuin, replicas: 3, patches: [{ target: { kind: Ingress, name: nope }, patch: { metadata: { labels: { x: y } } } }] }"), { functionSources: FUNCTION_SOURCES });
  assert.throws(() => renderApps(bad, testSecrets(bad)), (e: Error) => e instanceof UserError && /app atuin: patches\[0\]: the patch targets Ingress\/nope/.test(e.message));
});

test("the what-if pods are the rendered pod templates: replicas, requests, node selection, tolerations, spread", () => {
  for (const lab of [exampleLab(), appsLab()]) {
    for (const a of lab.apps) {
      const pods = appPods(lab, a, undefined, { dependencies: false });
      const w = workload(lab, a);
      const spec = (w.spec as Obj).template.spec;
      assert.equal(pods.length, (w.spec as Obj).replicas, a.name);
      const plan = podPlan(lab, a);
      for (const p of pods) {
        assert.equal(spec.containers[0].resources.requests.cpu, p.requests.cpuMillis % 1000 ? `${p.requests.cpuMillis}m` : String(p.requests.cpuMillis / 1000));
        assert.deepEqual(spec.nodeSelector ?? {}, p.nodeSelector);
        const terms = spec.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions ?? [];
        assert.deepEqual(terms.map((x: Obj) => ({ key: x.key, values: x.values })), p.requiredNodeAffinity.map((x) => ({ key: x.key, values: [...x.values] })));
        assert.deepEqual(spec.tolerations ?? [], p.tolerations);
        assert.equal(!!spec.topologySpreadConstraints, !!p.spread);
        assert.equal(p.stateless, plan.stateless);
      }
      // dependencies come along by default
      assert.equal(appPods(lab, a).length, pods.length + (a.replicas > 0 ? a.catalog.dependencies.length : 0));
    }
  }
});

test("functions: a CronJob or a webhook Deployment + Service + route, source in a ConfigMap, runtime image by file type", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const report = docs(t, "apps/functions/nightly-report/cronjob.yaml")[0]!;
  const c = report.spec.jobTemplate.spec.template.spec.containers[0];
  assert.equal(c.image, "python:3.13.9-slim");
  assert.deepEqual(c.command, ["python3", "/function/report.py"]);
  assert.equal(docs(t, "apps/functions/nightly-report/configmap.yaml")[0]!.data["report.py"], FUNCTION_SOURCES.get("functions/report.py"));
  assert.ok(!t.has("apps/functions/nightly-report/workload.yaml"));
  const hook = docs(t, "apps/functions/hook/workload.yaml")[0]!.spec.template.spec.containers[0];
  assert.equal(hook.image, "node:22.21.1-alpine");
  assert.deepEqual(hook.command, ["node", "/function/runner.mjs", "node", "/function/hook.mjs"]);
  const ing = docs(t, "apps/functions/hook/ingress.yaml")[0]!;
  assert.equal(ing.spec.rules[0].host, "hook.fn.apps.example.net");
  assert.equal(ing.spec.rules[0].http.paths[0].path, "/hook");
  assert.equal(docs(t, "apps/functions/cleanup/cronjob.yaml")[0]!.spec.jobTemplate.spec.template.spec.containers[0].image, "bash:5.2.21-alpine3.19");
  assert.ok(t.has("apps/functions/cleanup/workload.yaml"));
  const unloaded = loadTestLab(appsLabYaml());
  assert.throws(() => renderApps(unloaded, testSecrets(unloaded)), /source of function nightly-report/);
});

test("an instance name starting with a digit (0x0): its Service is app-0x0 (a DNS-1035 label), and the route points at it", () => {
  const lab = appsLab();
  const t = renderApps(lab, testSecrets(lab));
  const svc = docs(t, "apps/files/0x0/service.yaml")[0]!;
  assert.equal(svc.metadata.name, "app-0x0");
  const ing = docs(t, "apps/files/0x0/ingress.yaml").find((d) => d.kind === "Ingress")!;
  assert.equal(ing.spec.rules[0].http.paths[0].backend.service.name, "app-0x0");
  assert.equal(docs(t, "apps/files/0x0/workload.yaml")[0]!.metadata.name, "0x0", "other objects keep the instance name");
});
