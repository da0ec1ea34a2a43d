// drover node add: lab.yaml gains the node (spliced in, comments kept, written atomically), the node
// gets an address and its keys in the secrets store, everything is re-rendered (its own config, every
// peer's WireGuard list, the Talos/k3s configs that name it), and the steps that bring the machine in
// are listed. With a cluster, it is done when the Node is Ready.
import { resolve } from "node:path";
import type { Lab, Node } from "../lab/types.js";
import { loadLab, type LoadedLab } from "../lab/file.js";
import { UserError } from "../errors.js";
import { appendItem, SpecEditError } from "../spec/edit.js";
import { didYouMean } from "../spec/diagnostic.js";
import { freeNodeAddress } from "./address.js";
import { relabel, writeLabText } from "./lab-text.js";
import { renderLab, type FileTree } from "../render/index.js";
import { loadSecrets } from "../secrets/store.js";
import { findLocalKey } from "../secrets/keys.js";
import type { Generators } from "../secrets/generate.js";
import { diffTrees, filesByNode, type TreeDiff } from "./tree-diff.js";
import { bringInSteps, nodeConfigFile, type Step } from "./steps.js";
import type { Client } from "../cluster/client.js";

export interface NodeAddRequest {
  readonly name: string;
  readonly host: string;
  readonly role?: "controlplane" | "worker";
  readonly kind?: "baremetal" | "vm" | "cloud";
  readonly address?: string;
  readonly cpu?: number;
  readonly memory?: string;
  readonly mac?: string;
  readonly installDisk?: string;
  readonly publicAddress?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface NodeAddPlan {
  readonly text: string;
  readonly lab: Lab;
  readonly node: Node;
  readonly addressAllocated: boolean;
  /** new warnings about the lab with the node (e.g. an even number of control planes) */
  readonly warnings: readonly string[];
}

/** The new lab.yaml text and lab; pure. A UserError when the node cannot be added as asked. */
export function planNodeAdd(loaded: LoadedLab, req: NodeAddRequest): NodeAddPlan {
  const spec = loaded.spec;
  if (spec.nodes.some((n) => n.name === req.name)) throw new UserError(`${loaded.display}: a node named ${req.name} already exists`, "choose another name, or `drover node remove` it first");
  const host = spec.hosts.find((h) => h.name === req.host);
  if (!host) {
    const guess = didYouMean(req.host, spec.hosts.map((h) => h.name));
    throw new UserError(`${loaded.display}: no host named ${req.host}${guess ? `; ${guess}` : ""}`, `the hosts are ${spec.hosts.map((h) => h.name).join(", ")}; add the machine under hosts: first`);
  }
  const address = req.address ?? freeNodeAddress(spec, host.site);
  if (!address) throw new UserError(`site ${host.site}'s LAN ${spec.sites.find((s) => s.name === host.site)?.lan} has no free address left`, "give one with --address");
  const kind = req.kind ?? (host.hypervisor !== "none" ? "vm" : host.provider ? "cloud" : "baremetal");
  const item: Record<string, unknown> = { name: req.name, host: req.host };
  if (kind !== "baremetal") item.kind = kind;
  if ((req.role ?? "worker") !== "worker") item.role = req.role;
  if (req.cpu !== undefined) item.cpu = req.cpu;
  if (req.memory !== undefined) item.memory = req.memory;
  item.address = address;
  if (req.mac) item.mac = req.mac.toLowerCase();
  if (req.installDisk) item.installDisk = req.installDisk;
  if (req.publicAddress) item.publicAddress = req.publicAddress;
  if (req.labels && Object.keys(req.labels).length) item.labels = { ...req.labels };
  let text: string;
  try {
    text = appendItem(loaded.text, "nodes", item);
  } catch (e) {
    if (e instanceof SpecEditError) throw new UserError(`${loaded.display}: ${e.message}`);
    throw e;
  }
  const { lab, warnings } = relabel(loaded, text, `adding node ${req.name}`, kind === "vm" ? "a VM node needs --cpu and --memory that fit its host" : "fix the options, or edit lab.yaml by hand");
  return { text, lab, node: lab.node(req.name), addressAllocated: req.address === undefined, warnings };
}

export interface NodeAddOptions {
  readonly labPath?: string;
  readonly out?: string;
  readonly ageKey?: string;
  readonly generators?: Partial<Generators>;
  /** writes the rendered tree (drover render); injected so ops stays below the CLI */
  readonly rerender: (labPath: string) => Promise<unknown>;
}

export interface NodeAddResult {
  readonly node: Node;
  readonly addressAllocated: boolean;
  readonly lab: string;
  readonly outDir: string;
  readonly secretsAdded: readonly string[];
  readonly diff: TreeDiff;
  /** other nodes whose rendered files changed → those files */
  readonly peersChanged: Readonly<Record<string, readonly string[]>>;
  readonly configFile: string | undefined;
  readonly steps: readonly Step[];
  readonly warnings: readonly string[];
}

export async function nodeAdd(req: NodeAddRequest, opts: NodeAddOptions): Promise<NodeAddResult> {
  const loaded = loadLab(opts.labPath);
  const plan = planNodeAdd(loaded, req);
  const key = findLocalKey({ keyFile: opts.ageKey });
  const store = await loadSecrets(plan.lab, loaded.dir, key, { generators: opts.generators ?? {} });
  let before: FileTree;
  let after: FileTree;
  try {
    before = renderLab(loaded.lab, store.secrets);
    after = renderLab(plan.lab, store.secrets);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot render the lab with node ${req.name}: ${(e as Error).message}`, "nothing was changed; fix the spec and try again");
  }
  const diff = diffTrees(before, after);
  const saved = store.save();
  writeLabText(loaded.path, plan.text);
  await opts.rerender(loaded.path);
  const outDir = resolve(opts.out ?? resolve(loaded.dir, "out"));
  const peers = filesByNode(diff, plan.lab, req.name);
  return {
    node: plan.node,
    addressAllocated: plan.addressAllocated,
    lab: loaded.display,
    outDir,
    secretsAdded: saved,
    diff,
    peersChanged: Object.fromEntries(peers),
    configFile: nodeConfigFile(plan.lab, after, req.name),
    steps: bringInSteps(plan.lab, plan.node, after, outDir, peers),
    warnings: plan.warnings,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the Node exists and reports Ready; `onWait` is told what it is waiting for. */
export async function waitNodeReady(client: Client, name: string, timeoutMs: number, onWait: (state: string) => void = () => {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const n = (await client.get({ apiVersion: "v1", kind: "Node", name })) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
    const ready = n?.status?.conditions?.find((c) => c.type === "Ready")?.status;
    if (ready === "True") return;
    const state = n ? `registered, Ready=${ready ?? "unknown"}` : "not registered yet";
    if (state !== last) onWait((last = state));
    if (Date.now() > deadline) {
      throw new UserError(`node ${name} is not Ready after ${Math.round(timeoutMs / 1000)} s (${state}) at ${client.server}`, "check that the machine booted with its config and can reach the API endpoint; run the command again to keep waiting");
    }
    await sleep(500);
  }
}
