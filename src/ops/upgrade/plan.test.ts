import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadLab } from "../../lab/file.js";
import { EXAMPLES } from "../../testing/paths.js";
import { upgradePlan, talosFromOsImage, type RunningVersions } from "./plan.js";
import { controlPlanePath, kubeletSkew, talosPath } from "./skew.js";
import { parseVersion } from "./version.js";
import { upgradeOrder, domainOf } from "./order.js";

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

test("two control planes: a step that costs etcd quorum is refused; an app whose replicas cannot move blocks its node's step", () => {
  const { lab } = loadLab(join(EXAMPLES, "talos-mixed", "lab.yaml"));
  // a lab where everything is as upgraded as can be, but the order still has to hold
  const order = upgradeOrder(lab).map((n) => n.name);
  assert.equal(new Set(order).size, lab.nodes.length);
  const k3s = loadLab(join(EXAMPLES, "proxmox-k3s", "lab.yaml")).lab;
  const plan = upgradePlan(k3s, { running: everywhere(k3s, undefined, "v1.34.2+k3s1") });
  assert.equal(plan.talos, undefined);
  assert.equal(plan.kubernetes!.mode, "node-by-node");
  const kinds = plan.kubernetes!.steps.map((s) => s.kind);
  assert.equal(kinds.lastIndexOf("k3s-server") < kinds.indexOf("k3s-agent"), true, "servers before agents");
  assert.match(plan.kubernetes!.steps[0]!.command[2]!, /INSTALL_K3S_VERSION=v1\.35\.4\+k3s1 sh -s - server/);
});
