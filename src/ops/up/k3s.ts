// `drover up`, k3s: the cloud-init seeds install k3s and join the nodes by themselves; `up` waits for
// the first server to hand out its admin kubeconfig, read over SSH as the seed's `drover` account
// with the lab's admin key (the seed authorizes it on every server), with the server address
// rewritten from k3s's 127.0.0.1 to the server's lab address. Host keys are recorded on first
// contact in Drover's own known_hosts (and checked on every later one).
import type { Lab } from "../../lab/types.js";
import { UserError } from "../../errors.js";
import { K3S_ADMIN_USER, K3S_KUBECONFIG_PATH } from "../../render/k3s/cloud-init.js";
import { failure, type Runner } from "./runner.js";
import type { UpReport } from "./progress.js";

export interface K3sOptions {
  readonly lab: Lab;
  readonly runner: Runner;
  /** the ssh client */
  readonly ssh: string;
  /** the admin private key file (0600) */
  readonly identity: string;
  readonly knownHosts: string;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly report: UpReport;
  readonly signal?: AbortSignal;
  /** where to reach the first server's sshd (default: its lab address, port 22) and as whom (tests use a loopback sshd) */
  readonly sshTarget?: { readonly host: string; readonly port: number; readonly user: string; readonly sudo?: boolean };
  /** the API server address written into the kubeconfig (default https://<first server>:6443) */
  readonly apiServer?: string;
  /** the kubeconfig's path on the server (tests use a file of their own) */
  readonly kubeconfigPath?: string;
}

/** The ssh invocation that prints the server's kubeconfig (root-only: through sudo unless logging in as root). */
export function sshKubeconfigArgs(o: { identity: string; knownHosts: string; host: string; port: number; user: string; path: string; sudo?: boolean }): string[] {
  return [
    "-i", o.identity, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
    "-o", "StrictHostKeyChecking=accept-new", "-o", `UserKnownHostsFile=${o.knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "HashKnownHosts=no",
    "-o", "LogLevel=ERROR", "-p", String(o.port), "-l", o.user, "--", o.host,
    ...((o.sudo ?? o.user !== "root") ? ["sudo", "-n"] : []), "cat", o.path,
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for the first server's kubeconfig; returns its text with the server address at the lab address. */
export async function upK3s(o: K3sOptions): Promise<{ kubeconfig: string; server: string }> {
  const first = o.lab.controlPlanes()[0];
  if (!first) throw new UserError("the lab has no k3s server (role: controlplane)", "give a node role: controlplane in lab.yaml");
  const target = o.sshTarget ?? { host: first.address, port: 22, user: K3S_ADMIN_USER };
  const args = sshKubeconfigArgs({ identity: o.identity, knownHosts: o.knownHosts, ...target, path: o.kubeconfigPath ?? K3S_KUBECONFIG_PATH });
  o.report({ phase: "k3s", status: "start", message: `fetching the kubeconfig from ${first.name} (ssh ${target.user}@${target.host})` });
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const r = await o.runner.run(o.ssh, args, { timeoutMs: 30_000 });
    if (r.code === 0 && /^\s*apiVersion:|clusters:/m.test(r.stdout)) {
      o.report({ phase: "k3s", status: "done", message: `kubeconfig fetched from ${first.name}` });
      return { kubeconfig: r.stdout, server: o.apiServer ?? `https://${first.address.includes(":") ? `[${first.address}]` : first.address}:6443` };
    }
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i.test(r.stderr)) {
      throw new UserError(`${first.name}'s SSH host key is not the one recorded in ${o.knownHosts}: ${failure(r)}`, `if ${first.name} was reinstalled, remove its line from ${o.knownHosts} and run drover up again`);
    }
    if (Date.now() >= deadline || o.signal?.aborted) {
      throw new UserError(`no kubeconfig from ${first.name} within ${Math.round(o.timeoutMs / 1000)} s: ${failure(r)}`, `boot ${first.name} with its seed (k3s/${first.name}/) and check \`cloud-init status\` there; the seed authorizes the lab's admin key for user ${K3S_ADMIN_USER}`);
    }
    o.report({ phase: "k3s", status: "wait", message: `waiting for k3s on ${first.name}: ${failure(r)}` });
    await sleep(o.pollMs ?? 5000);
  }
}
