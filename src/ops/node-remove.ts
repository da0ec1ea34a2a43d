// drover node remove: checks etcd quorum (refusing, with the arithmetic, when a control plane's removal
// would lose it, unless --ignore-quorum), then with a cluster cordons and drains exactly like kubectl drain,
// takes the etcd member out (k3s: with the Node; Talos: the printed talosctl step), deletes the Node;
// then drops the node from lab.yaml, its keys from the secrets store, and its WireGuard peer from every
// other node's rendered config. Everything that can be checked is checked before anything changes.
import { resolve } from "node:path";
import type { Lab, Node } from "../lab/types.js";
import { loadLab } from "../lab/file.js";
import { UserError } from "../errors.js";
import { removeItem, SpecEditError } from "../spec/edit.js";
import { relabel, writeLabText } from "./lab-text.js";
import { renderLab } from "../render/index.js";
import { loadSecrets, readStore, writeStore } from "../secrets/store.js";
import { findLocalKey } from "../secrets/keys.js";
import { forgetPeer } from "../secrets/forget.js";
import { nodePeer } from "../lab/mesh.js";
import type { Generators } from "../secrets/generate.js";
import { checkEtcdRemoval, type EtcdMember, type RemovalVerdict } from "./quorum.js";
import { diffTrees, filesByNode, type TreeDiff } from "./tree-diff.js";
import { etcdRemovalSteps, peerUpdateSteps, wipeSteps, type Step } from "./steps.js";
import type { Client } from "../cluster/client.js";
import { drainApi } from "../cluster/drain/client-api.js";
import { DrainError, drainNode, type DrainEvent, type DrainOptions, type DrainResult } from "../cluster/drain/index.js";

export interface NodeRemoveOptions {
  readonly labPath?: string;
  readonly out?: string;
  readonly ageKey?: string;
  readonly generators?: Partial<Generators>;
  readonly rerender: (labPath: string) => Promise<unknown>;
  /** the cluster; without it only the files change and the cluster steps are printed */
  readonly client?: Client;
  /** remove a control plane even when etcd would lose quorum (--ignore-quorum; drain.force is about pods only) */
  readonly ignoreQuorum?: boolean;
  readonly drain?: DrainOptions;
  readonly onDrainEvent?: (e: DrainEvent) => void;
}

export interface NodeRemoveResult {
  readonly node: Node;
  readonly lab: string;
  readonly outDir: string;
  readonly quorum: RemovalVerdict | undefined;
  readonly drained: DrainResult | undefined;
  /** whether the Node object was deleted (false: not in the cluster, or no cluster given) */
  readonly nodeDeleted: boolean;
  readonly inCluster: boolean | undefined;
  readonly secretsRemoved: readonly string[];
  readonly diff: TreeDiff;
  readonly peersChanged: Readonly<Record<string, readonly string[]>>;
  readonly steps: readonly Step[];
  /** new warnings about the lab without the node (e.g. an even number of control planes) */
  readonly warnings: readonly string[];
}

/** The etcd members as the lab describes them, with health from the cluster when there is one. */
export async function etcdMembers(lab: Lab, client: Client | undefined): Promise<EtcdMember[]> {
  const cps = lab.controlPlanes();
  if (!client) return cps.map((n) => ({ name: n.name, healthy: undefined }));
  return Promise.all(cps.map(async (n) => {
    const obj = (await client.get({ apiVersion: "v1", kind: "Node", name: n.name })) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
    return { name: n.name, healthy: obj?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" };
  }));
}

export async function nodeRemove(name: string, opts: NodeRemoveOptions): Promise<NodeRemoveResult> {
  const loaded = loadLab(opts.labPath);
  const node = loaded.lab.nodes.find((n) => n.name === name);
  if (!node) throw new UserError(`${loaded.display}: no node named ${name}`, `the nodes are ${loaded.lab.nodes.map((n) => n.name).join(", ")}`);
  let text: string;
  try {
    text = removeItem(loaded.text, "nodes", name);
  } catch (e) {
    if (e instanceof SpecEditError) throw new UserError(`${loaded.display}: ${e.message}`);
    throw e;
  }
  const { lab, warnings } = relabel(loaded, text, `removing node ${name}`, "change what depends on the node first (apps pinned to its host, the last control plane), then remove it");

  // etcd quorum: decided before anything changes
  let quorum: RemovalVerdict | undefined;
  if (node.role === "controlplane") {
    quorum = checkEtcdRemoval(await etcdMembers(loaded.lab, opts.client), name);
    if (!quorum.safe && !opts.ignoreQuorum) {
      throw new UserError(`refusing to remove control plane ${name}: ${quorum.reason}`, `bring the other control planes back (or add one) first; --ignore-quorum removes it anyway and may leave the cluster without a working etcd (--force is only about unmanaged pods)`);
    }
  }

  // secrets and renders in memory: a render problem stops here too
  const key = findLocalKey({ keyFile: opts.ageKey });
  const store = await loadSecrets(lab, loaded.dir, key, { generators: opts.generators ?? {} });
  const forgotten = forgetPeer(store.secrets, nodePeer(name));
  const before = renderLab(loaded.lab, store.secrets);
  const after = renderLab(lab, forgotten.secrets);
  const diff = diffTrees(before, after);
  const outDir = resolve(opts.out ?? resolve(loaded.dir, "out"));

  // the cluster
  let drained: DrainResult | undefined;
  let nodeDeleted = false;
  let inCluster: boolean | undefined;
  if (opts.client) {
    const api = drainApi(opts.client);
    inCluster = (await api.getNode(name)) !== undefined;
    if (inCluster) {
      try {
        drained = await drainNode(api, name, opts.drain ?? {}, opts.onDrainEvent);
      } catch (e) {
        if (e instanceof DrainError) {
          throw new UserError(`${e.message}${e.pending.length ? `\n  pods still on ${name}: ${e.pending.join(", ")}` : ""}`, e.kind === "refused"
            ? "nothing was evicted and lab.yaml is unchanged (the node stays cordoned: kubectl uncordon to undo); add the flag named above to go ahead"
            : `lab.yaml is unchanged; ${name} stays cordoned with the pods listed above; run the command again to continue`);
        }
        throw e;
      }
      nodeDeleted = await opts.client.delete({ apiVersion: "v1", kind: "Node", name });
    }
  }

  // the files: store first (a re-run finds the node gone from the spec but its keys already dropped, which is fine)
  store.save();
  const opened = await readStore(store.path, store.display, key.identities);
  const pruned = forgetPeer(opened.secrets, nodePeer(name));
  if (pruned.removed.length) writeStore(store.path, { secrets: pruned.secrets, envelope: opened.envelope });
  writeLabText(loaded.path, text);
  await opts.rerender(loaded.path);

  const steps: Step[] = [];
  if (node.role === "controlplane") steps.push(...etcdRemovalSteps(loaded.lab, node, before, outDir));
  steps.push(...wipeSteps(loaded.lab, node, before, outDir));
  const peers = filesByNode(diff, lab);
  steps.push(...peerUpdateSteps(lab, after, outDir, peers));
  if (!opts.client) {
    steps.unshift({ title: `drain ${name} and delete its Node (or run this command with --kubeconfig)`, commands: [`kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data`, `kubectl delete node ${name}`] });
  }
  return {
    node,
    lab: loaded.display,
    outDir,
    quorum,
    drained,
    nodeDeleted,
    inCluster,
    secretsRemoved: pruned.removed,
    diff,
    peersChanged: Object.fromEntries(peers),
    steps,
    warnings,
  };
}
