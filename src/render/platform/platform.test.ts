// The platform half of the Flux tree, checked by the programs that consume it: kubeconform -strict with
// the upstream CRDs (Flux, cert-manager, Cilium, MetalLB, Gateway API + Envoy Gateway, external-dns,
// prometheus-operator, Velero), kustomize build of every kustomization, helm template of the charts that
// ship in their project's Go module with the values Drover writes (which also checks the chart's
// values.schema.json) and kubeconform of the result, amtool check-config of the Alertmanager config.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { renderLab } from "../index.js";
import { renderPlatform, platformComponents } from "./index.js";
import { alertmanagerConfig, RELAY_SCRIPT } from "./alerting.js";
import { CHARTS } from "../flux/charts.js";
import { PLATFORM_LABS, K3S_METALLB } from "../../testing/platform-labs.js";
import { loadTestLab, testSecrets } from "../../testing/apps-lab.js";
import { describeProblems, kubeconform, kubeconformTree } from "../../testing/kubeconform.js";
import { platformData, ROOT, tool } from "../../testing/paths.js";
import { FLUX_VERSION } from "../flux/layout.js";
import { tempDir } from "../../testing/age-key.js";
import type { FileTree } from "../tree.js";
import type { Lab } from "../../lab/types.js";

type Obj = Record<string, any>;

function crdFiles(): string[] {
  const root = platformData("crds");
  return readdirSync(root).filter((d) => !d.startsWith(".")).flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".yaml")).map((f) => join(root, d, f))).sort();
}

const docsOf = (t: FileTree): [string, Obj][] =>
  [...t].filter(([p]) => p.endsWith(".yaml") && !/^(talos|k3s|wireguard|seats|boot|proxmox)\//.test(p)).flatMap(([p, f]) => parseAllDocuments(f.content).map((d): [string, Obj] => [p, d.toJS() as Obj]).filter(([, o]) => o));

/** VolSync's objects are checked too: its CRDs are in the platform set (VOLSYNC_VERSION). */
const checkable = () => (p: string): boolean => p.startsWith("kubernetes/") && !p.startsWith("kubernetes/bootstrap/");

/** Writes the tree to disk as it is (Flux is vendored: kustomize needs no network). */
function writeOut(t: FileTree): string {
  const root = tempDir("drover-platform-");
  for (const [p, f] of t) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), f.content);
  }
  return root;
}

for (const [name, make] of PLATFORM_LABS) {
  test(`${name}: the whole kubernetes/ tree passes kubeconform -strict with the upstream CRDs`, () => {
    const lab = make();
    const t = renderLab(lab, testSecrets(lab));
    const r = kubeconformTree(t, { crds: crdFiles(), only: checkable() });
    assert.equal(describeProblems(r), undefined);
    assert.ok(r.valid > 20, `only ${r.valid} resources checked`);
  });

  test(`${name}: kustomize build succeeds for every kustomization, the root included`, () => {
    const lab = make();
    const t = renderLab(lab, testSecrets(lab));
    const root = writeOut(t);
    try {
      const dirs = [...t.keys()].filter((p) => p.startsWith("kubernetes/") && p.endsWith("kustomization.yaml")).map((p) => dirname(p)).sort();
      assert.ok(dirs.includes("kubernetes") && dirs.includes("kubernetes/flux-system") && dirs.includes("kubernetes/flux-system/crds") && dirs.includes("kubernetes/infrastructure/namespaces"));
      for (const d of dirs.filter((x) => !x.startsWith("kubernetes/apps/"))) {
        const r = spawnSync(tool("kustomize"), ["build", join(root, d)], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        assert.equal(r.status, 0, `kustomize build ${d}: ${r.stderr}`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test(`${name}: Flux objects form a sound graph: dependsOn, paths, chart sources and health checks all resolve`, () => {
    const lab = make();
    const t = renderLab(lab, testSecrets(lab));
    const docs = docsOf(t);
    const ks = docs.filter(([, o]) => o.apiVersion === "kustomize.toolkit.fluxcd.io/v1").map(([, o]) => o);
    const names = new Set(ks.map((k) => k.metadata.name));
    const graph = new Map<string, string[]>(ks.map((k) => [k.metadata.name, (k.spec.dependsOn ?? []).map((d: Obj) => d.name)]));
    for (const k of ks) {
      for (const d of graph.get(k.metadata.name)!) assert.ok(names.has(d), `${k.metadata.name} depends on missing ${d}`);
      // the rendered kubernetes/ folder is pushed as the lab's gitops path
      const dir = k.spec.path.replace(/^\.\//, "").replace(lab.gitops.path.replace(/\/+$/, ""), "kubernetes");
      assert.ok(t.has(`${dir}/kustomization.yaml`), `${k.metadata.name}: no kustomization at ${dir}`);
      assert.deepEqual(k.spec.decryption, { provider: "sops", secretRef: { name: "sops-age" } });
    }
    const seen = new Set<string>();
    const visit = (n: string, stack: string[]): void => {
      assert.ok(!stack.includes(n), `dependency cycle ${[...stack, n].join(" -> ")}`);
      if (seen.has(n)) return;
      for (const d of graph.get(n) ?? []) visit(d, [...stack, n]);
      seen.add(n);
    };
    for (const n of names) visit(n, []);
    if (lab.apps.length) assert.ok((graph.get("apps") ?? []).length > 0, "apps wait for the platform");
    const sources = new Set(docs.filter(([, o]) => /^(HelmRepository|OCIRepository)$/.test(o.kind)).map(([, o]) => `${o.kind}/${o.metadata.name}`));
    const releases = docs.filter(([, o]) => o.kind === "HelmRelease");
    assert.ok(releases.length > 0);
    for (const [p, r] of releases) {
      const ref = r.spec.chartRef ?? r.spec.chart.spec.sourceRef;
      assert.ok(sources.has(`${ref.kind}/${ref.name}`), `${p}: ${r.metadata.name} uses missing ${ref.kind}/${ref.name}`);
      if (r.spec.chart) assert.match(r.spec.chart.spec.version, /^v?\d+\.\d+\.\d+$/, "charts are pinned");
    }
    for (const k of ks) {
      for (const h of k.spec.healthChecks ?? []) {
        const dir = k.spec.path.replace(/^\.\//, "").replace(lab.gitops.path.replace(/\/+$/, ""), "kubernetes");
        assert.ok(releases.some(([p, r]) => p.startsWith(`${dir}/`) && r.metadata.name === h.name && r.metadata.namespace === h.namespace), `${k.metadata.name} checks missing ${h.name}`);
      }
    }
  });

  test(`${name}: Secrets only in SOPS-flagged files; no secret value in plaintext elsewhere; deterministic`, () => {
    const lab = make();
    const s = testSecrets(lab);
    const a = renderPlatform(lab, s);
    const b = renderPlatform(make(), s);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [p, f] of a) assert.equal(b.get(p)!.content, f.content, p);
    const values = Object.values(s.apps._platform ?? {}).filter((v) => v.length >= 16);
    for (const [p, f] of a) {
      const kinds = parseAllDocuments(f.content).map((d) => (d.toJS() as Obj | null)?.kind);
      if (kinds.includes("Secret")) {
        assert.equal(f.encrypt, "sops", `${p} holds a Secret but is not flagged for SOPS`);
        assert.deepEqual(kinds, ["Secret"], `${p}: one Secret per file`);
      } else for (const v of values) assert.ok(!f.content.includes(v), `${p} contains a generated secret in plaintext`);
    }
  });
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
  return v;
}

/** The values Drover gives a chart's HelmRelease(s) in a rendered tree. */
function releaseValues(t: FileTree, chart: string): Obj[] {
  return docsOf(t).filter(([, o]) => o.kind === "HelmRelease" && (o.spec.chart?.spec.chart === chart || o.spec.chartRef?.name === chart)).map(([, o]) => o.spec.values as Obj);
}

test("helm template of the charts shipped in their Go modules, with Drover's values, passes their schema and kubeconform -strict", () => {
  const charts = platformData("charts");
  const cases: [string, string, Lab][] = [];
  for (const [, make] of PLATFORM_LABS) {
    const lab = make();
    cases.push(["cilium", "cilium", lab], ["cert-manager", "cert-manager", lab], ["metallb", "metallb", lab], ["external-dns", "external-dns", lab], ["gateway-helm", "gateway-helm", lab], ["nvidia-device-plugin", "nvidia-device-plugin", lab]);
  }
  const dir = tempDir("drover-helm-");
  let templated = 0;
  let gpuPlugins = 0;
  try {
    const seen = new Set<string>();
    for (const [chartDir, chart, lab] of cases) {
      const t = renderPlatform(lab, testSecrets(lab));
      for (const values of releaseValues(t, chart)) {
        const text = stringify(values);
        if (seen.has(`${chart}\0${text}`)) continue;
        seen.add(`${chart}\0${text}`);
        const vf = join(dir, `values-${templated}.yaml`);
        writeFileSync(vf, text);
        const r = spawnSync(tool("helm"), ["template", "rel", join(charts, chartDir), "--namespace", "platform-test", "--kube-version", lab.kubernetesVersion, "-f", vf], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        assert.equal(r.status, 0, `helm template ${chart} (${lab.name}): ${r.stderr}`);
        const out = join(dir, `out-${templated}`);
        mkdirSync(out);
        // charts leave `annotations: null` and the like; the API server decodes a null as "unset", so
        // drop nulls the same way before the strict schema check
        const docs = parseAllDocuments(r.stdout).map((d) => dropNulls(d.toJS())).filter((d) => d && typeof d === "object");
        writeFileSync(join(out, "manifests.yaml"), docs.map((d) => stringify(d)).join("---\n"));
        const k = kubeconform([out], { crds: crdFiles() });
        assert.equal(describeProblems(k), undefined, `${chart} (${lab.name})`);
        assert.ok(k.valid > 0, `${chart}: nothing rendered`);
        templated++;
        if (chart === "nvidia-device-plugin") {
          // the plugin's DaemonSet runs with the nvidia runtime, on the NVIDIA nodes only
          const ds = (docs as Obj[]).find((d) => d.kind === "DaemonSet")!;
          assert.equal(ds.spec.template.spec.runtimeClassName, "nvidia");
          assert.deepEqual(ds.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [{ matchExpressions: [{ key: "drover.dev/gpu", operator: "In", values: ["nvidia"] }] }]);
          gpuPlugins++;
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(templated >= 8, `only ${templated} chart renders`);
  assert.ok(gpuPlugins >= 1, "no lab rendered the NVIDIA device plugin");
});

test("the chart versions Drover pins are the versions of the charts the tests template", () => {
  const charts = platformData("charts");
  const version = (d: string): string => /^version:\s*(\S+)/m.exec(readFileSync(join(charts, d, "Chart.yaml"), "utf8"))![1]!.replace(/^"|"$/g, "");
  assert.equal(version("cilium"), CHARTS.cilium.version);
  assert.equal(version("metallb"), CHARTS.metallb.version);
  assert.equal(version("external-dns"), CHARTS["external-dns"].version);
  assert.equal(version("cert-manager"), CHARTS["cert-manager"].version);
  assert.equal(version("gateway-helm"), CHARTS["envoy-gateway"].version);
  assert.equal(version("nvidia-device-plugin"), CHARTS["nvidia-device-plugin"].version);
  // the Flux release flux-system installs is the one whose CRDs the tests use
  const pinned = readFileSync(join(ROOT, "scripts/tools/versions.sh"), "utf8");
  assert.match(pinned, new RegExp(`^FLUX_VERSION=${FLUX_VERSION.replace(/\./g, "\\.")}$`, "m"));
  assert.match(pinned, new RegExp(`^KUBE_PROMETHEUS_STACK_VERSION=${CHARTS["kube-prometheus-stack"].version.replace(/\./g, "\\.")}$`, "m"));
});

test("amtool check-config accepts every lab's Alertmanager configuration", () => {
  const dir = tempDir("drover-amtool-");
  try {
    for (const [name, make] of PLATFORM_LABS) {
      const lab = make();
      const f = join(dir, `${lab.name}.yaml`);
      writeFileSync(f, stringify(alertmanagerConfig(lab)));
      const r = spawnSync(tool("amtool"), ["check-config", f], { encoding: "utf8" });
      assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the Apprise relay script compiles with Python 3", () => {
  const dir = tempDir("drover-relay-");
  try {
    writeFileSync(join(dir, "relay.py"), RELAY_SCRIPT);
    const r = spawnSync("python3", ["-m", "py_compile", join(dir, "relay.py")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("credentials only the user has are listed in the README, and secret references in alert URLs resolve from the store", () => {
  const lab = loadTestLab(K3S_METALLB);
  const s = testSecrets(lab);
  const { missing } = platformComponents(lab, s);
  assert.ok(missing.has("rfc2136-tsig-secret") && missing.has("ntfy-topic") && missing.has("smtp-password") && missing.has("backup-b2-access-key"));
  assert.ok(!missing.has("pihole-password"), "the in-lab Pi-hole's generated password is used");
  const readme = renderPlatform(lab, s).get("README.md")!.content;
  assert.match(readme, /`rfc2136-tsig-secret`/);
  const withTopic = { ...s, apps: { ...s.apps, _external: { "ntfy-topic": "t0p1c", "smtp-password": "pw" } } };
  const relay = renderPlatform(lab, withTopic).get("infrastructure/monitoring/apprise-relay-urls.sops.yaml")!.content;
  assert.match(relay, /ntfys:\/\/ntfy\.sh\/kay-t0p1c/);
});

test("every platform Secret, encrypted as drover render does, decrypts with the real sops to the rendered plaintext", async () => {
  const { ageKeygen, sops } = await import("../../testing/age-key.js");
  const { newManifestKey } = await import("../../secrets/manifest.js");
  const { encryptFlagged } = await import("../../cli/commands/render.js");
  const key = ageKeygen();
  for (const make of [PLATFORM_LABS[0]![1], PLATFORM_LABS[2]![1], PLATFORM_LABS[3]![1]]) {
    const lab = make();
    const s = { ...testSecrets(lab), manifestKey: await newManifestKey([key.recipient], new Date("2026-01-01T00:00:00Z")) };
    const plain = renderPlatform(lab, s);
    const enc = encryptFlagged(plain, s);
    let n = 0;
    for (const [p, f] of plain) {
      if (f.encrypt !== "sops") continue;
      const file = join(key.dir, `${n}.sops.yaml`);
      writeFileSync(file, enc.get(p)!.content);
      const r = sops(["--decrypt", file], key.file);
      assert.equal(r.status, 0, `${p}: ${r.stderr}`);
      const a = parseAllDocuments(r.stdout)[0]!.toJS() as Obj;
      const b = parseAllDocuments(f.content)[0]!.toJS() as Obj;
      assert.deepEqual(a.stringData, b.stringData, p);
      assert.ok(!enc.get(p)!.content.includes(Object.values(b.stringData as Record<string, string>).find((v) => v.length > 12) ?? "\0"), `${p} leaks plaintext`);
      n++;
    }
    assert.ok(n > 0, lab.name);
  }
});

test("forward auth: Authelia's portal per entry point, oauth2-proxy for Keycloak, nothing without SSO; access rules follow the routes' groups", async () => {
  const { forwardAuth } = await import("./contract.js");
  const { accessRules } = await import("./identity.js");
  const ex = PLATFORM_LABS[0]![1]();
  assert.match(forwardAuth(ex, "public")["nginx.ingress.kubernetes.io/auth-signin"]!, /^https:\/\/auth\.roper\.example\.net/);
  assert.match(forwardAuth(ex)["nginx.ingress.kubernetes.io/auth-signin"]!, /^https:\/\/auth\.lab\.roper\.internal/);
  const rules = accessRules(ex);
  const { appRoutes } = await import("../apps/route.js");
  const gated = appRoutes(ex).filter((r) => r.gated);
  assert.ok(gated.length >= 3);
  assert.equal(rules.length, gated.length + 1, "one rule per gated route after the portal's bypass");
  const hp = rules.find((r) => (r.domain as string[]).includes(ex.app("homepage").exposure.hostname!))!;
  assert.deepEqual(hp, { domain: [ex.app("homepage").exposure.hostname], policy: "two_factor", subject: [["group:family"]] });
  assert.ok(!rules.some((r) => (r.domain as string[]).includes(ex.app("vaultwarden").exposure.hostname!)), "apps that sign users in themselves are not gated");
  const kay = loadTestLab(K3S_METALLB);
  assert.match(forwardAuth(kay)["nginx.ingress.kubernetes.io/auth-url"]!, /oauth2-proxy\.identity/);
  assert.deepEqual(forwardAuth(PLATFORM_LABS[4]![1]()), {});
});

test("Gateway API: the SSO gate as an Envoy SecurityPolicy per gated route passes kubeconform -strict; the identity component grants the reference", async () => {
  const { gatewayForwardAuth } = await import("./contract.js");
  const { appRoutes } = await import("../apps/route.js");
  const { addFile, tree, toYaml } = await import("../tree.js");
  const lab = PLATFORM_LABS[3]![1]();
  const routes = appRoutes(lab).filter((r) => r.gated);
  assert.ok(routes.length > 0);
  const t = tree();
  for (const r of routes) addFile(t, `${r.app}.yaml`, toYaml(gatewayForwardAuth(lab, { name: r.app, namespace: r.namespace })));
  const k = kubeconformTree(t, { crds: crdFiles() });
  assert.equal(describeProblems(k), undefined);
  assert.equal(k.valid, routes.length);
  const grant = renderPlatform(lab, testSecrets(lab)).get("infrastructure/identity/config/resources.yaml")!.content;
  for (const r of routes) assert.ok(grant.includes(`namespace: ${r.namespace}`), r.namespace);
});

test("backup targets: the in-lab S3 store's generated keys, or the user's keys for an external target", async () => {
  const { backupTargetCredentials, secretSource } = await import("./index.js");
  const gee = PLATFORM_LABS[3]![1]();
  const store = testSecrets(gee);
  const s = secretSource(store);
  const inLab = backupTargetCredentials(gee, s, gee.backups.targets[0]!)!;
  assert.equal(inLab.accessKey.length, 20);
  assert.equal(s.missing.size, 0);
  const kay = loadTestLab(K3S_METALLB);
  const s2 = secretSource(testSecrets(kay));
  assert.deepEqual(backupTargetCredentials(kay, s2, kay.backups.targets[0]!), { accessKey: "", secretKey: "" });
  assert.ok(s2.missing.has("backup-b2-access-key"));
  const config = renderPlatform(gee, store).get("infrastructure/object-store/seaweedfs-s3-config.sops.yaml")!.content;
  assert.ok(config.includes(inLab.accessKey), "the store serves the keys the backups use");
});

test("Git source: an external HTTPS or SSH host, or the in-lab Forgejo / Soft Serve on its Service", async () => {
  const { gitSource } = await import("../flux/git-source.js");
  const { K3S_CILIUM } = await import("../../testing/platform-labs.js");
  const kay = loadTestLab(K3S_METALLB);
  assert.deepEqual(gitSource(kay), { url: `http://forgejo.${kay.app("forgejo").namespace}.svc.cluster.local:3000/drover/kay.git`, branch: "main", credentials: "token", host: "forgejo" });
  const kc = loadTestLab(K3S_CILIUM);
  assert.equal(gitSource(kc).url, `http://soft-serve.${kc.app("soft-serve").namespace}.svc.cluster.local:23232/kc.git`);
  assert.equal(gitSource(kc).credentials, "none");
  const gee = PLATFORM_LABS[3]![1]();
  assert.deepEqual(gitSource(gee), { url: "ssh://git@github.com/gee/lab.git", branch: "main", credentials: "ssh", host: "external" });
  // a custom gitops path reaches every Flux path
  const t = renderPlatform(kc, testSecrets(kc));
  assert.match(t.get("flux-system/gotk-sync.yaml")!.content, /path: \.\/clusters\/kc\n/);
  assert.match(t.get("infrastructure.yaml")!.content, /path: \.\/clusters\/kc\/infrastructure\/cilium\n/);
});

test("Gateway API: apps get an HTTPRoute on their entry point's Gateway (and the SSO policy when gated), never an Ingress", () => {
  const lab = PLATFORM_LABS.find(([n]) => n.startsWith("Gateway API"))![1]();
  const t = renderLab(lab, testSecrets(lab));
  const docs = docsOf(t).filter(([p]) => p.startsWith("kubernetes/apps/"));
  assert.equal(docs.filter(([, o]) => o.kind === "Ingress").length, 0);
  const routes = docs.filter(([, o]) => o.kind === "HTTPRoute").map(([, o]) => o);
  assert.ok(routes.length > 0);
  for (const r of routes) {
    const app = lab.app(r.metadata.name);
    assert.deepEqual(r.spec.parentRefs, [{ name: app.exposure.kind, namespace: "ingress" }]);
    assert.deepEqual(r.spec.hostnames, [app.exposure.hostname]);
  }
  const gated = routes.filter((r) => r.metadata.annotations?.["drover.dev/allowed-groups"]);
  const policies = docs.filter(([, o]) => o.kind === "SecurityPolicy").map(([, o]) => o.spec.targetRefs[0].name).sort();
  assert.deepEqual(policies, gated.map((r) => r.metadata.name).sort());
});
