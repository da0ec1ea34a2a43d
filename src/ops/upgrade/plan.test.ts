import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadLab } from "../../lab/file.js";
import { EXAMPLES } from "../../testing/paths.js";
import { upgradePlan, talosFromOsImage, type RunningVersions } from "./plan.js";
import { controlPlanePath, kubeletSkew, talosPath } from "./skew.js";
import { parseVersion } from "./version.js";
import { upgradeOrder, domainOf } from "./order.js";
import { upgradeLabYaml } from "../../testing/upgrade-lab.js";
import { loadSpec } from "../../spec/load.js";
import { resolveLab } from "../../lab/resolve.js";

const v = (s: string) => parseVersion(s, "test");
const everywhere = (lab: { nodes: readonly { name: string }[] }, talos: string | undefined, kubelet: string): RunningVersions => ({
  nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, { ...(talos ? { talos } : {}), kubelet }])),
});

test("the version-skew policy: one control-plane minor at a time, kubelets at most three minors behind, never newer; Talos adjacent minors", () => {
  assert.equal(controlPlanePath(v("1.34.3"), v("1.35.4")).ok, true);
  assert.equal(controlPlanePath(v("1.35.1"), v("1.35.4")).ok, true);
  const skip = controlPlanePath(v("1.33.9"), v("1.35.4"));
  assert.ok(!skip.ok && /skips 1 minor release/.test(skip.reason) && /latest 1\.34\.x first/.test(skip.hint), JSON.stringify(skip));
  assert.equal(controlPlanePath(v("1.36.0"), v("1.35.4")).ok, false);
  assert.equal(kubeletSkew(v("1.32.0"), v("1.35.4")).ok, true);
  const lag = kubeletSkew(v("1.31.9"), v("1.35.4"));
  assert.ok(!lag.ok && /4 minor versions behind/.test(lag.reason));
  assert.equal(kubeletSkew(v("1.36.0"), v("1.35.4")).ok, false);
  assert.equal(talosPath(v("1.11.5"), v("1.12.6")).ok, true);
  assert.equal(talosPath(v("1.10.7"), v("1.12.6")).ok, false);
  assert.equal(talosFromOsImage("Talos (v1.12.6)"), "1.12.6");
  assert.equal(talosFromOsImage("Debian GNU/Linux 12 (bookworm)"), undefined);
});

test("talos-mixed: control planes first, then workers by failure domain; every step checked by what-if and the Talos phase before Kubernetes", () => {
  const { lab } = loadLab(join(EXAMPLES, "talos-mixed", "lab.yaml"));
  const plan = upgradePlan(lab, { running: everywhere(lab, "1.11.5", "v1.34.3") });
  assert.deepEqual(plan.blockers, [], JSON.stringify(plan.blockers));
  const steps = plan.talos!.steps;
  assert.equal(steps.length, lab.nodes.length);
  const cps = lab.controlPlanes().map((n) => n.name);
  assert.deepEqual(steps.slice(0, cps.length).map((s) => s.node), cps, "control planes first");
  // workers of one host (and chassis) are consecutive
  const seen: string[] = [];
  for (const s of steps.slice(cps.length)) {
    const d = domainOf(lab, lab.node(s.node)).chassis;
    if (seen.at(-1) !== d) {
      assert.ok(!seen.includes(d), `domain ${d} visited twice: ${steps.map((x) => x.node).join(",")}`);
      seen.push(d);
    }
  }
  for (const s of steps) {
    assert.ok(s.drain);
    assert.deepEqual(s.command.slice(3, 6), ["upgrade", "--nodes", lab.node(s.node).address]);
    assert.match(s.command[7]!, /^factory\.talos\.dev\/(metal-)?installer\/[0-9a-f]{64}:v1\.12\.6$/);
  }
  assert.equal(plan.kubernetes!.mode, "talosctl upgrade-k8s");
  assert.deepEqual(plan.kubernetes!.stages.map((s) => s.component), ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"]);
  assert.deepEqual(plan.kubernetes!.command!.slice(3), ["upgrade-k8s", "--nodes", lab.controlPlanes()[0]!.address, "--to", "1.35.4"]);
  assert.match(plan.platform.steps[0]!.commands[0]!, /flux-system\/crds/);
  assert.equal(plan.ok, true);
});

test("skipping a minor release is refused (Kubernetes and Talos), and a node already at the target is skipped", () => {
  const { lab } = loadLab(join(EXAMPLES, "talos-mixed", "lab.yaml"));
  const running = everywhere(lab, "1.10.7", "v1.33.5");
  const first = lab.nodes[0]!.name;
  const plan = upgradePlan(lab, { running: { nodes: { ...running.nodes, [first]: { talos: "1.12.6", kubelet: "v1.33.5" } } } });
  assert.equal(plan.ok, false);
  assert.ok(plan.blockers.some((b) => b.phase === "kubernetes" && /skips 1 minor release/.test(b.reason)));
  assert.ok(plan.blockers.some((b) => b.phase === "talos" && /adjacent minor releases/.test(b.reason)));
  assert.ok(!plan.talos!.steps.some((s) => s.node === first));
  assert.ok(plan.upToDate.some((u) => u.startsWith(first)));
});

test("k3s: servers one at a time before agents, through the installer at the lab's k3s release", () => {
  const k3s = loadLab(join(EXAMPLES, "proxmox-k3s", "lab.yaml")).lab;
  const plan = upgradePlan(k3s, { running: everywhere(k3s, undefined, "v1.34.2+k3s1") });
  assert.equal(plan.talos, undefined);
  assert.equal(plan.kubernetes!.mode, "node-by-node");
  const kinds = plan.kubernetes!.steps.map((s) => s.kind);
  assert.equal(kinds.lastIndexOf("k3s-server") < kinds.indexOf("k3s-agent"), true, "servers before agents");
  assert.match(plan.kubernetes!.steps[0]!.command[2]!, /INSTALL_K3S_VERSION=v1\.35\.4\+k3s1 sh -s - server/);
});

const labOf = (text: string) => resolveLab(loadSpec(text, "lab.yaml").spec!);

test("two control planes: each one's step costs etcd quorum and is refused; one control plane only warns", () => {
  const two = labOf(upgradeLabYaml({ controlPlanes: 2, workers: 3 }));
  const plan = upgradePlan(two, { running: everywhere(two, "1.12.5", "v1.35.4") });
  assert.equal(plan.ok, false);
  assert.deepEqual(plan.blockers.filter((b) => /etcd would lose quorum/.test(b.reason)).map((b) => b.node), ["cp1", "cp2"]);
  const one = labOf(upgradeLabYaml({ controlPlanes: 1, workers: 3 }));
  const p1 = upgradePlan(one, { running: everywhere(one, "1.12.5", "v1.35.4") });
  assert.equal(p1.ok, true, JSON.stringify(p1.blockers));
  assert.ok(p1.warnings.some((w) => /cp1 is the only control plane: the Kubernetes API is unavailable while it reboots/.test(w)));
});

test("an app with a PodDisruptionBudget whose replicas cannot move elsewhere blocks that node's step; a single replica only restarts", () => {
  const text = upgradeLabYaml({ controlPlanes: 3, workers: 3 }) + `storage: { classes: [{ name: nas, type: nfs, server: 10.0.9.9, path: /tank, default: true }] }
apps:
  - { name: homepage, exposure: private, replicas: 2, placement: { hosts: [hw1] } }
  - { name: uptime-kuma, exposure: private }
`;
  const lab = labOf(text);
  const plan = upgradePlan(lab, { running: everywhere(lab, "1.12.5", "v1.35.4") });
  assert.equal(plan.ok, false);
  const blocked = plan.blockers.filter((b) => b.phase === "talos");
  assert.deepEqual(blocked.map((b) => b.node), ["w1"], JSON.stringify(blocked));
  assert.match(blocked[0]!.reason, /homepage/);
  const restarted = plan.talos!.steps.find((s) => s.check.restarts.includes("uptime-kuma"));
  assert.ok(restarted, "the single-replica app restarts where it ran");
  // spread over two hosts, it keeps serving
  const spread = labOf(text.replace("placement: { hosts: [hw1] }", "placement: { hosts: [hw1, hw2, hw3] }"));
  const ok = upgradePlan(spread, { running: everywhere(spread, "1.12.5", "v1.35.4") });
  assert.equal(ok.ok, true, JSON.stringify(ok.blockers));
  assert.ok(ok.talos!.steps.some((s) => s.check.kept.includes("homepage")));
});
