// k3s nodes on volatile hosts get the kubelet's graceful node shutdown (a kubelet drop-in named by
// kubelet-arg config-dir), so a planned shutdown lets their controllers replace the pods at once;
// what-if models exactly that. (The cloud-init schema check of k3s.test.ts covers this user-data too:
// the test lab's GPU host is volatile.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { testSecrets } from "../../testing/apps-lab.js";
import { k3sLab } from "../../testing/k3s-lab.js";
import { renderK3s } from "./index.js";
import { K3S_GRACEFUL_SHUTDOWN_PATH } from "./config.js";
import { baseline, whatIf, volatileOff } from "../../analyze/index.js";

test("k3s: only the volatile host's node gets graceful node shutdown (30s, 10s for critical pods)", () => {
  const lab = k3sLab();
  const t = renderK3s(lab, testSecrets(lab));
  for (const n of lab.nodes) {
    const config = parse(t.get(`${n.name}/config.yaml`)!.content) as Record<string, unknown>;
    const ud = parse(t.get(`${n.name}/user-data`)!.content) as { write_files: { path: string; content: string; permissions: string }[] };
    const dropIn = ud.write_files.find((f) => f.path === K3S_GRACEFUL_SHUTDOWN_PATH);
    if (n.name === "gpu1") {
      // by hand: host gpu is the only volatile host, gpu1 its only node
      assert.deepEqual(config["kubelet-arg"], ["config-dir=/etc/rancher/k3s/kubelet.conf.d"]);
      assert.ok(dropIn, "the drop-in is written by cloud-init");
      assert.equal(dropIn.permissions, "0644");
      assert.deepEqual(parse(dropIn.content), { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", shutdownGracePeriod: "30s", shutdownGracePeriodCriticalPods: "10s" });
    } else {
      assert.equal(dropIn, undefined, n.name);
      if (n.name !== "srv3") assert.equal(config["kubelet-arg"], undefined, n.name); // srv3 has its own patch
    }
  }
});

test("k3s what-if: the volatile node shuts down gracefully; an always-on host's k3s nodes do not", () => {
  const lab = k3sLab();
  const b = baseline(lab);
  assert.deepEqual(volatileOff(b).ungracefulNodes, []);
  const r = whatIf(b, ["pve1"], { shutdown: "graceful" });
  assert.deepEqual(r.ungracefulNodes.map((u) => u.node), ["srv1", "srv2", "srv3"]);
  assert.match(r.ungracefulNodes[0]!.reason, /Drover sets it only on volatile hosts/);
});
