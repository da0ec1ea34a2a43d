// A test file's own control plane (cluster.ts) and a client of it: started before the file's first
// test, the client closed and the control plane stopped after its last. Every live test file needs
// exactly this; `ready` hands the two to the file (and may prepare the cluster further).
import { after, before } from "node:test";
import { Client } from "../cluster/client.js";
import { startCluster, type TestCluster } from "./cluster.js";

export interface ClusterForTests {
  readonly cluster: TestCluster;
  readonly client: Client;
}

type StartOptions = NonNullable<Parameters<typeof startCluster>[0]>;

export function clusterForTests(
  ready: (c: ClusterForTests) => unknown,
  opts: StartOptions & {
    /** the client's sockets (Client.fromKubeconfig's maxSockets) */
    maxSockets?: number;
    /** how to start it (default startCluster; crd-cluster.ts's startClusterWithCrds for the platform's CRDs) */
    start?: (o: StartOptions) => Promise<TestCluster>;
  } = {},
): void {
  const { maxSockets, start = startCluster, ...startOpts } = opts;
  let cluster: TestCluster | undefined;
  let client: Client | undefined;
  before(async () => {
    cluster = await start(startOpts);
    client = Client.fromKubeconfig({ kubeconfig: cluster.kubeconfig, ...(maxSockets ? { maxSockets } : {}) });
    await ready({ cluster, client });
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });
}
