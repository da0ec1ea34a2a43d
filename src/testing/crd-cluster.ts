// A test control plane with every upstream CRD of the platform installed and Established (Flux,
// cert-manager, Gateway API, Envoy Gateway, Cilium, MetalLB, Prometheus operator, …: the set
// `scripts/tools/install.sh platform` fetches), for tests that apply or dry-run rendered labs.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { platformData } from "./paths.js";
import { startCluster, type TestCluster, type TestNode } from "./cluster.js";

export async function startClusterWithCrds(opts: { nodes?: TestNode[]; controllers?: string } = {}): Promise<TestCluster> {
  const c = await startCluster({ controllers: "namespace,serviceaccount,serviceaccount-token", ...opts });
  try {
    const root = platformData("crds");
    for (const d of readdirSync(root).filter((x) => !x.startsWith(".")).sort()) {
      for (const f of readdirSync(join(root, d)).filter((x) => x.endsWith(".yaml")).sort()) c.kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(root, d, f)]);
    }
    c.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"]);
    return c;
  } catch (e) {
    await c.stop();
    throw e;
  }
}
