// A real Kubernetes control plane for tests, on loopback: etcd + kube-apiserver +
// kube-controller-manager + kube-scheduler built from upstream sources (scripts/tools/install.sh),
// and kwok pretending to be the kubelets of fake nodes. Starts in seconds; tears down everything.
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { tool } from "./paths.js";
import { freePort } from "./ports.js";

export interface TestNode {
  name: string;
  cpu: string; // e.g. "4"
  memory: string; // e.g. "8Gi"
  pods?: number;
  gpus?: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
}

export interface TestCluster {
  readonly dir: string;
  readonly server: string;
  readonly token: string;
  readonly kubeconfig: string;
  /** runs the real kubectl against the cluster; throws with stderr on failure */
  kubectl(args: readonly string[], input?: string): string;
  addNode(n: TestNode): void;
  /** waits until fn returns true (polling), or throws after timeoutMs */
  waitFor(what: string, fn: () => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port for a server a test starts (testing/ports.ts: never handed out twice). */
export { freePort };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function nodeManifest(n: TestNode): Record<string, unknown> {
  const capacity: Record<string, string> = { cpu: n.cpu, memory: n.memory, pods: String(n.pods ?? 110) };
  if (n.gpus) capacity["nvidia.com/gpu"] = String(n.gpus);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok", ...(n.labels ?? {}) },
    },
    spec: { taints: n.taints ?? [] },
    status: { allocatable: capacity, capacity, nodeInfo: { architecture: n.labels?.["kubernetes.io/arch"] ?? "amd64", operatingSystem: "linux", kubeletVersion: "fake", containerRuntimeVersion: "kwok" } },
  };
}

/**
 * Starts a cluster. `controllers` picks kube-controller-manager's controllers (default: all).
 * `podEvictionTimeout`: how fast the node lifecycle controller gives up on unreachable nodes.
 */
export async function startCluster(opts: {
  nodes?: TestNode[];
  controllers?: string;
  /** kube-controller-manager's --node-monitor-grace-period (default 10m: kwok's heartbeats can lag; see below) */
  nodeMonitorGracePeriod?: string;
  /** the API server's default not-ready/unreachable toleration seconds (upstream default 300) */
  defaultTolerationSeconds?: number;
} = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "drover-kube-"));
  const procs: ChildProcess[] = [];
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(16).toString("hex");
  const log = (name: string) => openSync(join(dir, `${name}.log`), "a");
  const start = (name: string, bin: string, args: string[]) => {
    const p = spawn(bin, args, { stdio: ["ignore", log(name), log(name)], detached: true });
    procs.push(p);
    return p;
  };
  const stop = async () => {
    for (const p of procs.reverse()) {
      try { if (p.pid) process.kill(-p.pid, "SIGKILL"); } catch { /* already gone */ }
    }
    await sleep(100);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // service-account signing keys and the static token of the test's admin user
    execFileSync("openssl", ["genrsa", "-out", join(dir, "sa.key"), "2048"], { stdio: "ignore" });
    execFileSync("openssl", ["rsa", "-in", join(dir, "sa.key"), "-pubout", "-out", join(dir, "sa.pub")], { stdio: "ignore" });
    writeFileSync(join(dir, "tokens.csv"), `${token},admin,admin,system:masters\n`);

    start("etcd", tool("etcd"), [
      "--name", "default", "--data-dir", join(dir, "etcd"),
      "--listen-client-urls", `http://127.0.0.1:${etcdClient}`, "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `default=http://127.0.0.1:${etcdPeer}`, "--unsafe-no-fsync", "--quota-backend-bytes", String(2 ** 31),
      "--log-level", "warn",
    ]);
    start("kube-apiserver", tool("kube-apiserver"), [
      "--etcd-servers", `http://127.0.0.1:${etcdClient}`,
      "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", String(apiPort),
      "--cert-dir", join(dir, "pki"),
      "--token-auth-file", join(dir, "tokens.csv"), "--authorization-mode", "RBAC",
      "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
      "--service-account-key-file", join(dir, "sa.pub"), "--service-account-signing-key-file", join(dir, "sa.key"),
      "--service-cluster-ip-range", "10.96.0.0/16", "--allow-privileged=true",
      "--enable-priority-and-fairness=false", "--max-requests-inflight", "2000", "--max-mutating-requests-inflight", "1000",
      ...(opts.defaultTolerationSeconds !== undefined ? ["--default-not-ready-toleration-seconds", String(opts.defaultTolerationSeconds), "--default-unreachable-toleration-seconds", String(opts.defaultTolerationSeconds)] : []),
      "--v", "0",
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, [
      "apiVersion: v1", "kind: Config", "current-context: test",
      "clusters:", `- name: test`, `  cluster:`, `    server: ${server}`, `    insecure-skip-tls-verify: true`,
      "users:", `- name: admin`, `  user:`, `    token: ${token}`,
      "contexts:", `- name: test`, `  context:`, `    cluster: test`, `    user: admin`, "",
    ].join("\n"));

    const kubectl = (args: readonly string[], input?: string): string => {
      const r = spawnSync(tool("kubectl"), ["--kubeconfig", kubeconfig, ...args], { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr || r.stdout}`);
      return r.stdout;
    };
    const waitFor = async (what: string, fn: () => boolean, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let ok = false;
        try { ok = fn(); } catch { ok = false; }
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (logs in ${dir})`);
        await sleep(250);
      }
    };
    await waitFor("kube-apiserver", () => kubectl(["get", "--raw", "/readyz"]).trim() === "ok", 60_000);

    // a generous grace period: on a loaded 2-core machine kwok's heartbeats can lag, and a fake node must not
    // turn Unknown mid-test: the node lifecycle controller then marks its pods NotReady and kwok never sets
    // them Ready again, so every later wait for readiness times out (seen at load 25 with 60 s: the apply
    // test's last `drover apply` waited 5 minutes for Deployments that had all been available). Tests of
    // nodes that really stop (real kubelets) pass their own.
    start("kube-controller-manager", tool("kube-controller-manager"), [
      "--kubeconfig", kubeconfig, "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", String(await freePort()),
      "--service-account-private-key-file", join(dir, "sa.key"), "--root-ca-file", join(dir, "pki", "apiserver.crt"),
      "--controllers", opts.controllers ?? "*", "--node-monitor-grace-period", opts.nodeMonitorGracePeriod ?? "10m", "--concurrent-deployment-syncs", "20", "--concurrent-replicaset-syncs", "20",
      "--kube-api-qps", "500", "--kube-api-burst", "1000", "--v", "0",
    ]);
    start("kube-scheduler", tool("kube-scheduler"), [
      "--kubeconfig", kubeconfig, "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", String(await freePort()),
      "--kube-api-qps", "500", "--kube-api-burst", "1000", "--v", "0",
    ]);
    start("kwok", tool("kwok"), [
      "--kubeconfig", kubeconfig, "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector", "kwok.x-k8s.io/node=fake",
      "--cidr", "10.0.0.1/16", "--node-ip", "10.0.0.1", "--server-address", `127.0.0.1:${await freePort()}`,
    ]);
    await waitFor("default service account", () => kubectl(["get", "serviceaccount", "default", "-n", "default", "-o", "name"]).includes("default"), 60_000);

    const cluster: TestCluster = {
      dir, server, token, kubeconfig, kubectl, waitFor,
      addNode: (n) => { kubectl(["apply", "-f", "-"], JSON.stringify(nodeManifest(n))); },
      stop,
    };
    for (const n of opts.nodes ?? []) cluster.addNode(n);
    if (opts.nodes?.length) {
      await waitFor("kwok nodes Ready", () => {
        const out = kubectl(["get", "nodes", "-o", "jsonpath={range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}"]);
        return out.split("\n").filter((l) => l === "True").length >= opts.nodes!.length;
      });
    }
    return cluster;
  } catch (e) {
    const logs = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]
      .map((n) => join(dir, `${n}.log`)).filter(existsSync).map((f) => `--- ${f}\n${readFileSync(f, "utf8").slice(-2000)}`).join("\n");
    await stop();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
}
