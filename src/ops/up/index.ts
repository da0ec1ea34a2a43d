// `drover up`: from a rendered lab to a running cluster that Flux reconciles from Git, one phase at a
// time, each skipped when what it makes is already there (so a second run changes nothing, and a run
// interrupted anywhere is finished by running it again):
//   machines  Talos (talos.ts) or k3s (k3s.ts): nodes configured, the kubeconfig fetched and kept;
//             or an existing cluster (--kubeconfig), for labs whose machines are up already
//   cluster   the API answers and every node of the lab is Ready
//   gitops    the Git working tree: commit the render, push (git-tree.ts)
//   flux      install Flux from the render, its Secrets, wait until everything is Ready (flux.ts); a lab
//             without a Git host (gitops.serve) has its repository served meanwhile (git-serve.ts)
import { existsSync, readFileSync } from "node:fs";
import type { Lab } from "../../lab/types.js";
import type { DistributionName } from "../../distributions/index.js";
import type { LabSecrets } from "../../secrets/types.js";
import { UserError } from "../../errors.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { Client } from "../../cluster/client.js";
import { waitApi, waitNodesReady, type NodeReadiness } from "../../cluster/cluster-ready.js";
import { gitSource } from "../../render/flux/git-source.js";
import type { Runner } from "./runner.js";
import type { UpReport } from "./progress.js";
import type { UpPaths } from "./state.js";
import { upTalos } from "./talos.js";
import { upK3s } from "./k3s.js";
import { keepKubeconfig } from "./kubeconfig.js";
import { syncGitTree, type GitTreeResult } from "./git-tree.js";
import { upFlux, type FluxResult } from "./flux.js";
import { serveGit, type GitServe } from "./git-serve.js";
import { join } from "node:path";

export interface UpTools {
  readonly talosctl: string;
  readonly ssh: string;
  readonly sshKeyscan: string;
  readonly git: string;
}

export interface UpOptions {
  readonly lab: Lab;
  readonly secrets: LabSecrets;
  /** the rendered output folder */
  readonly outDir: string;
  readonly paths: UpPaths;
  readonly ageIdentities: readonly string[];
  /** the recipients the lab's Secrets are encrypted to (for .sops.yaml) */
  readonly recipients: readonly string[];
  readonly runner: Runner;
  readonly tools: UpTools;
  /** an existing cluster's kubeconfig: the machine phase is skipped */
  readonly existingKubeconfig?: string;
  readonly existingContext?: string;
  /** the user's kubeconfig to merge the lab's context into (undefined: do not merge) */
  readonly mergeInto?: string;
  readonly maintenance?: ReadonlyMap<string, string>;
  readonly discover?: readonly string[];
  /** the Git remote to push to (default gitops.url, else the local bare repository) */
  readonly remote?: string;
  readonly knownHosts?: string;
  readonly machinesTimeoutMs: number;
  readonly fluxTimeoutMs: number;
  readonly wait: boolean;
  readonly pollMs?: number;
  /** stop after this phase (tests interrupt each phase this way; --until) */
  readonly until?: "machines" | "cluster" | "gitops" | "flux";
  readonly report: UpReport;
  readonly signal?: AbortSignal;
  /** k3s tests: where the first server's sshd is, and its kubeconfig path */
  readonly k3sSsh?: { readonly host: string; readonly port: number; readonly user: string; readonly sudo?: boolean; readonly path: string; readonly apiServer?: string };
}

export interface UpResult {
  readonly kubeconfig: string;
  readonly nodes: readonly NodeReadiness[];
  readonly git?: GitTreeResult;
  readonly flux?: FluxResult;
  /** what the user still has to do (deploy key, remote) */
  readonly notes: readonly string[];
  /** gitops.serve: where up served the repository, and how many fetches it answered */
  readonly served?: { readonly url: string; readonly fetches: number };
}

/** The node names Kubernetes will register (Talos and k3s name nodes by host name = lab node name). */
const nodeNames = (lab: Lab) => lab.nodes.map((n) => n.name);

/** Brings the lab's machines up and keeps the kubeconfig, as the lab's distribution does it (found by name). */
const MACHINES: Readonly<Record<DistributionName, (o: UpOptions) => Promise<void>>> = {
  talos: async (o) => {
    const { lab } = o;
    const rendered = join(o.outDir, "talos", "talosconfig");
    if (!existsSync(rendered)) throw new UserError(`${rendered} is missing`, "render the lab (drover up renders unless --no-render)");
    const text = readFileSync(rendered, "utf8");
    if (!existsSync(o.paths.talosconfig) || readFileSync(o.paths.talosconfig, "utf8") !== text) writeFileAtomic(o.paths.talosconfig, text, { mode: 0o600 });
    const r = await upTalos({
      lab, outDir: o.outDir, talosconfig: o.paths.talosconfig, runner: o.runner, talosctl: o.tools.talosctl, timeoutMs: o.machinesTimeoutMs, report: o.report,
      ...(o.maintenance ? { maintenance: o.maintenance } : {}), ...(o.discover ? { discover: o.discover } : {}), ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.signal ? { signal: o.signal } : {}),
    });
    keepKubeconfig({ name: lab.name, text: r.kubeconfig, file: o.paths.kubeconfig, report: o.report, phase: "talos", ...(o.mergeInto ? { mergeInto: o.mergeInto } : {}) });
  },
  k3s: async (o) => {
    const { lab } = o;
    const key = o.secrets.ssh?.admin;
    if (!key) throw new Error("internal: the secrets store has no admin SSH key");
    if (!existsSync(o.paths.adminKey) || readFileSync(o.paths.adminKey, "utf8") !== key.privateKey) writeFileAtomic(o.paths.adminKey, key.privateKey, { mode: 0o600 });
    const r = await upK3s({
      lab, runner: o.runner, ssh: o.tools.ssh, identity: o.paths.adminKey, knownHosts: o.paths.knownHosts, timeoutMs: o.machinesTimeoutMs, report: o.report,
      ...(o.k3sSsh ? { sshTarget: o.k3sSsh, kubeconfigPath: o.k3sSsh.path, ...(o.k3sSsh.apiServer ? { apiServer: o.k3sSsh.apiServer } : {}) } : {}), ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.signal ? { signal: o.signal } : {}),
    });
    keepKubeconfig({ name: lab.name, text: r.kubeconfig, server: r.server, file: o.paths.kubeconfig, report: o.report, phase: "k3s", ...(o.mergeInto ? { mergeInto: o.mergeInto } : {}) });
  },
};

export async function up(o: UpOptions): Promise<UpResult> {
  const notes: string[] = [];
  const phase = o.lab.distribution;
  if (o.existingKubeconfig) o.report({ phase, status: "skip", message: `using the existing cluster of ${o.existingKubeconfig}${o.existingContext ? ` (context ${o.existingContext})` : ""}` });
  else await MACHINES[o.lab.distribution](o);
  if (o.until === "machines") return { kubeconfig: o.existingKubeconfig ?? o.paths.kubeconfig, nodes: [], notes };

  const kubeconfig = o.existingKubeconfig ?? o.paths.kubeconfig;
  const client = Client.fromKubeconfig({ kubeconfig, ...(o.existingContext ? { context: o.existingContext } : {}) });
  try {
    const version = await waitApi(client, { timeoutMs: o.machinesTimeoutMs, ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.signal ? { signal: o.signal } : {}), onWait: (e) => o.report({ phase, status: "wait", message: `waiting for the Kubernetes API: ${e}` }) });
    o.report({ phase, status: "done", message: `Kubernetes ${version} answers at ${client.server}` });
    const nodes = await waitNodesReady(client, nodeNames(o.lab), {
      timeoutMs: o.machinesTimeoutMs, ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (ns) => { const nr = ns.filter((n) => !n.ready); if (nr.length) o.report({ phase, status: "wait", message: `${ns.length - nr.length}/${ns.length} nodes Ready — ${nr[0]!.name}: ${nr[0]!.message}` }); },
    });
    if (!nodes.ready) {
      const nr = nodes.nodes.filter((n) => !n.ready);
      throw new UserError(`${nr.length} node${nr.length === 1 ? " is" : "s are"} not Ready: ${nr.map((n) => `${n.name} (${n.message})`).join(", ")}`, "check those machines (a CNI that is not up yet keeps nodes NotReady), then run drover up again");
    }
    o.report({ phase, status: "done", message: `${nodes.nodes.length} node${nodes.nodes.length === 1 ? "" : "s"} Ready` });
    if (o.until === "cluster") return { kubeconfig, nodes: nodes.nodes, notes };

    const src = gitSource(o.lab);
    const remote = o.remote ?? o.lab.gitops.url ?? o.paths.localRemote;
    const localRemote = remote === o.paths.localRemote;
    const git = await syncGitTree({ lab: o.lab, outDir: o.outDir, repo: o.paths.repo, remote, localRemote, recipients: o.recipients, runner: o.runner, git: o.tools.git, report: o.report });
    if (localRemote && src.host === "external") notes.push(`the lab has no gitops.url: the render was pushed to the local repository ${o.paths.localRemote}, which Flux in the cluster cannot reach; set gitops.url (or gitops.forge) and run drover up again`);
    if (o.until === "gitops") return { kubeconfig, nodes: nodes.nodes, git, notes };

    // gitops.serve: the cluster pulls from this machine, for as long as up runs
    let served: GitServe | undefined;
    if (src.host === "drover" && localRemote) {
      served = await serveGit({ repo: o.paths.localRemote, name: o.lab.name, listen: o.lab.gitops.serve!, git: o.tools.git });
      o.report({ phase: "gitops", status: "done", message: `serving ${o.paths.localRemote} to the cluster at ${served.url} while drover up runs` });
      notes.push(`Flux pulls from ${served.url}, which only drover serves: keep \`drover serve-git\` running on this machine (e.g. as a service) until the lab has a Git host (gitops.url or gitops.forge)`);
    } else if (src.host === "drover") {
      notes.push(`the render was pushed to ${remote}, but the cluster pulls from ${src.url} (gitops.serve): drover serves .drover/remote.git there, so drop --remote or set gitops.url`);
    }
    try {
      const flux = await upFlux({
        lab: o.lab, secrets: o.secrets, outDir: o.outDir, client, ageIdentities: o.ageIdentities, runner: o.runner, sshKeyscan: o.tools.sshKeyscan,
        wait: o.wait && !(localRemote && src.host === "external"), timeoutMs: o.fluxTimeoutMs, report: o.report, ...(git.commit ? { revision: git.commit } : {}),
        ...(o.knownHosts !== undefined ? { knownHosts: o.knownHosts } : {}), ...(o.pollMs ? { pollMs: o.pollMs } : {}), ...(o.signal ? { signal: o.signal } : {}),
      });
      if (flux.deployKey) notes.push(`add this deploy key (read-only) to ${src.url}: ${flux.deployKey}`);
      return { kubeconfig, nodes: nodes.nodes, git, flux, notes, ...(served ? { served: { url: served.url, fetches: served.fetches } } : {}) };
    } finally {
      await served?.close();
    }
  } finally {
    client.close();
  }
}
