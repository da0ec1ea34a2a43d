// When `drover up` stops waiting for Flux: the decision on status shapes as the pinned controllers write
// them (helm-controller 1.6.4 internal/reconcile/atomic_release.go marks Stalled=True, reason
// RetriesExceeded, when remediation retries are used up; kustomize-controller 1.9.5
// internal/controller/kustomization_controller.go marks Ready=False, reason BuildFailed, keeps
// Reconciling=True with reason ProgressingWithRetry, and leaves status.observedGeneration at -1 until a
// reconcile succeeds). The wait itself, stopped on the real API server, is in flux.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../cluster/objects.js";
import { fluxStall, revisionIs, specIncludes, stallAdvice } from "./flux-stall.js";

const COMMIT = "3f1c0d9a6e2b4c5d7e8f90a1b2c3d4e5f6a7b8c9";
const OLD = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

/** The HelmRelease as the render writes it (layout.ts helmRelease). */
const hrSpec = {
  interval: "1h",
  chart: { spec: { chart: "cert-manager", version: "v1.18.3", sourceRef: { kind: "HelmRepository", name: "jetstack", namespace: "flux-system" }, interval: "12h" } },
  install: { crds: "CreateReplace", remediation: { retries: 3 } },
  upgrade: { crds: "CreateReplace", cleanupOnFail: true, remediation: { retries: 3, strategy: "rollback" } },
  values: { crds: { enabled: true }, replicaCount: 1, extraArgs: ["--enable-certificate-owner-ref"] },
};
/** …and as the API server has it: the CRD's defaults added (chart.spec.reconcileStrategy). */
const hrLiveSpec = { ...hrSpec, chart: { spec: { ...hrSpec.chart.spec, reconcileStrategy: "ChartVersion" } } };

function helmRelease(status: object, o: { generation?: number; spec?: object } = {}): KubeObject {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease",
    metadata: { name: "cert-manager", namespace: "cert-manager", generation: o.generation ?? 1, labels: { "kustomize.toolkit.fluxcd.io/name": "cert-manager", "kustomize.toolkit.fluxcd.io/namespace": "flux-system" } },
    spec: o.spec ?? hrLiveSpec, status,
  } as KubeObject;
}

/** helm-controller after the fourth failed install (1 + 3 retries): Stalled, Ready and Released False. */
const hrRetriesExceeded = {
  observedGeneration: 1, lastAttemptedGeneration: 1, lastAttemptedReleaseAction: "install", installFailures: 4, lastAttemptedRevision: "v1.18.3",
  conditions: [
    { type: "Stalled", status: "True", reason: "RetriesExceeded", message: "Failed to install after 4 attempt(s)", observedGeneration: 1, lastTransitionTime: "2026-12-07T16:40:11Z" },
    { type: "Ready", status: "False", reason: "InstallFailed", message: "Helm install failed for release cert-manager/cert-manager with chart cert-manager@v1.18.3: context deadline exceeded", observedGeneration: 1, lastTransitionTime: "2026-12-07T16:40:11Z" },
    { type: "Released", status: "False", reason: "InstallFailed", message: "Helm install failed for release cert-manager/cert-manager with chart cert-manager@v1.18.3: context deadline exceeded", observedGeneration: 1, lastTransitionTime: "2026-12-07T16:40:11Z" },
  ],
};

/** helm-controller after the first failed install, retries left: it will try again. */
const hrRetrying = {
  observedGeneration: 1, lastAttemptedGeneration: 1, lastAttemptedReleaseAction: "install", installFailures: 1,
  conditions: [
    { type: "Reconciling", status: "True", reason: "ProgressingWithRetry", message: "Helm install failed for release cert-manager/cert-manager with chart cert-manager@v1.18.3: context deadline exceeded", observedGeneration: 1 },
    { type: "Ready", status: "False", reason: "InstallFailed", message: "Helm install failed for release cert-manager/cert-manager with chart cert-manager@v1.18.3: context deadline exceeded", observedGeneration: 1 },
  ],
};

const ksSpec = { interval: "10m", path: "./kubernetes/apps/media", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" }, decryption: { provider: "sops", secretRef: { name: "sops-age" } }, dependsOn: [{ name: "platform" }] };

function kustomization(status: object, o: { generation?: number; spec?: object } = {}): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization",
    metadata: { name: "apps-media", namespace: "flux-system", generation: o.generation ?? 1 },
    spec: o.spec ?? { ...ksSpec, force: false, timeout: "5m" }, status,
  } as KubeObject;
}

const ksCondition = (reason: string, message: string, revision = COMMIT) => ({
  observedGeneration: -1, lastAttemptedRevision: `main@sha1:${revision}`,
  conditions: [
    { type: "Reconciling", status: "True", reason: "ProgressingWithRetry", message: `Building manifests for revision main@sha1:${revision} with a timeout of 5m0s`, observedGeneration: 1 },
    { type: "Ready", status: "False", reason, message, observedGeneration: 1 },
  ],
});
const BUILD_FAILED = "kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'jellyfin.yaml': open /tmp/kustomization-1/kubernetes/apps/media/jellyfin.yaml: no such file or directory'";

test("a HelmRelease whose install retries are used up (Stalled=True, RetriesExceeded) cannot become Ready: stop, with both messages", () => {
  const s = fluxStall("HelmRelease", helmRelease(hrRetriesExceeded), { spec: hrSpec, revision: COMMIT });
  assert.deepEqual(s, {
    reason: "RetriesExceeded",
    message: "Failed to install after 4 attempt(s); Helm install failed for release cert-manager/cert-manager with chart cert-manager@v1.18.3: context deadline exceeded",
  });
  // the commit is not needed for a stall of the rendered spec
  assert.equal(fluxStall("HelmRelease", helmRelease(hrRetriesExceeded), { spec: hrSpec })?.reason, "RetriesExceeded");
});

test("a HelmRelease with retries left, or one not reconciled yet, keeps the wait going", () => {
  assert.equal(fluxStall("HelmRelease", helmRelease(hrRetrying), { spec: hrSpec, revision: COMMIT }), undefined);
  assert.equal(fluxStall("HelmRelease", helmRelease({}), { spec: hrSpec, revision: COMMIT }), undefined);
  // the source chart is not fetched yet
  assert.equal(fluxStall("HelmRelease", helmRelease({ observedGeneration: 1, conditions: [{ type: "Ready", status: "False", reason: "ArtifactFailed", message: "HelmChart 'flux-system/cert-manager-cert-manager' is not ready: chart pull error", observedGeneration: 1 }] }), { spec: hrSpec }), undefined);
});

test("a stall that is not about what up pushed keeps the wait going: an older generation, a spec Flux has not applied yet, an object the render no longer has", () => {
  // up's push changed the spec: generation 2, the Stalled condition is of generation 1
  assert.equal(fluxStall("HelmRelease", helmRelease(hrRetriesExceeded, { generation: 2 }), { spec: hrSpec, revision: COMMIT }), undefined);
  // the render changed the values; the cluster still has the old ones (Flux has not applied the push)
  const newer = { ...hrSpec, values: { ...hrSpec.values, replicaCount: 2 } };
  assert.equal(fluxStall("HelmRelease", helmRelease(hrRetriesExceeded), { spec: newer, revision: COMMIT }), undefined);
  // the render dropped it: Flux is about to prune it
  assert.equal(fluxStall("HelmRelease", helmRelease(hrRetriesExceeded), { spec: undefined, revision: COMMIT }), undefined);
  // Ready again (helm-controller deletes Stalled then; a left-over one does not count)
  const readyAgain = { ...hrRetriesExceeded, conditions: [hrRetriesExceeded.conditions[0], { type: "Ready", status: "True", reason: "InstallSucceeded", message: "Helm install succeeded", observedGeneration: 1 }] };
  assert.equal(fluxStall("HelmRelease", helmRelease(readyAgain), { spec: hrSpec }), undefined);
  // suspended by the user: fluxObjectStatus says so; flux resume ends it
  assert.equal(fluxStall("HelmRelease", helmRelease(hrRetriesExceeded, { spec: { ...hrLiveSpec, suspend: true } }), { spec: hrSpec }), undefined);
});

test("a Kustomization whose build of the pushed commit failed (Ready=False, BuildFailed) cannot become Ready; of another commit, or with no commit known, the wait goes on", () => {
  const failed = kustomization(ksCondition("BuildFailed", BUILD_FAILED));
  assert.deepEqual(fluxStall("Kustomization", failed, { spec: ksSpec, revision: COMMIT }), { reason: "BuildFailed", message: BUILD_FAILED });
  assert.equal(fluxStall("Kustomization", failed, { spec: ksSpec, revision: COMMIT.toUpperCase() })?.reason, "BuildFailed");
  // the failure is of an older commit: source-controller has not fetched up's push yet
  assert.equal(fluxStall("Kustomization", kustomization(ksCondition("BuildFailed", BUILD_FAILED, OLD)), { spec: ksSpec, revision: COMMIT }), undefined);
  assert.equal(fluxStall("Kustomization", failed, { spec: ksSpec }), undefined);
  // a stale generation
  assert.equal(fluxStall("Kustomization", kustomization(ksCondition("BuildFailed", BUILD_FAILED), { generation: 2 }), { spec: ksSpec, revision: COMMIT }), undefined);
});

test("a Kustomization waiting on its source, a dependency, CRDs or health checks keeps the wait going; one Stalled (AccessDenied) does not", () => {
  for (const [reason, message] of [
    ["ArtifactFailed", "Source artifact not found, retrying in 30s"],
    ["DependencyNotReady", "dependency 'flux-system/platform' is not ready"],
    ["ReconciliationFailed", "Certificate/media/jellyfin dry-run failed: no matches for kind \"Certificate\" in version \"cert-manager.io/v1\""],
    ["HealthCheckFailed", "health check failed after 4m59s: timeout waiting for: [Deployment/media/jellyfin status: 'InProgress']"],
    ["Progressing", "Reconciliation in progress"],
  ] as const) {
    assert.equal(fluxStall("Kustomization", kustomization(ksCondition(reason, message)), { spec: ksSpec, revision: COMMIT }), undefined, reason);
  }
  const denied = kustomization({
    observedGeneration: 1,
    conditions: [
      { type: "Stalled", status: "True", reason: "AccessDenied", message: "cross-namespace references are not allowed: can't access 'GitRepository/other/repo'", observedGeneration: 1 },
      { type: "Ready", status: "False", reason: "AccessDenied", message: "cross-namespace references are not allowed: can't access 'GitRepository/other/repo'", observedGeneration: 1 },
    ],
  });
  assert.deepEqual(fluxStall("Kustomization", denied, { spec: ksSpec }), { reason: "AccessDenied", message: "cross-namespace references are not allowed: can't access 'GitRepository/other/repo'" });
});

test("specIncludes: every rendered field with its value, defaults of the API server ignored; lists item by item", () => {
  assert.ok(specIncludes(hrLiveSpec, hrSpec));
  assert.ok(!specIncludes(hrSpec, hrLiveSpec), "a field the cluster lacks");
  assert.ok(!specIncludes({ ...hrLiveSpec, values: { ...hrSpec.values, extraArgs: [] } }, hrSpec), "a shorter list");
  assert.ok(!specIncludes({ ...hrLiveSpec, interval: "2h" }, hrSpec));
  assert.ok(!specIncludes({ a: [1] }, { a: { 0: 1 } }), "an object is not a list");
  assert.ok(specIncludes({ a: null }, { a: null }));
});

test("revisionIs: Flux's <branch>@sha1:<hash> and sha256 forms, or a bare hash", () => {
  assert.ok(revisionIs(`main@sha1:${COMMIT}`, COMMIT));
  assert.ok(revisionIs(`refs/heads/main@sha256:${"a".repeat(64)}`, "a".repeat(64)));
  assert.ok(revisionIs(COMMIT, COMMIT));
  assert.ok(!revisionIs(`main@sha1:${OLD}`, COMMIT));
  assert.ok(!revisionIs(undefined, COMMIT));
  assert.ok(!revisionIs("", COMMIT));
});

test("stallAdvice names the flux and kubectl commands to look further, and how to retry a HelmRelease whose retries are used up", () => {
  assert.equal(stallAdvice("HelmRelease", "cert-manager", "cert-manager"),
    "flux events -n cert-manager --for HelmRelease/cert-manager; flux logs --kind=HelmRelease -n cert-manager --name=cert-manager; kubectl -n cert-manager describe helmrelease cert-manager; once fixed, run drover up again (or flux reconcile helmrelease cert-manager -n cert-manager --reset: its retries are used up)");
  assert.equal(stallAdvice("Kustomization", "flux-system", "apps-media"),
    "flux events -n flux-system --for Kustomization/apps-media; flux logs --kind=Kustomization -n flux-system --name=apps-media; kubectl -n flux-system describe kustomization apps-media; once fixed, run drover up again");
});
