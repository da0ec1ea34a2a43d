// Putting a cluster's admin kubeconfig where the user's tools find it: the file Drover keeps for the
// lab (mode 0600, written atomically), and merged into the user's kubeconfig under a named context,
// the way `talosctl kubeconfig` and `k3d kubeconfig merge` do: entries of that name are replaced,
// every other cluster, user and context is kept as it was, and the lab's context becomes current.
import { existsSync, readFileSync } from "node:fs";
import { isMap, isSeq, parseDocument, stringify, type Document, YAMLMap, YAMLSeq } from "yaml";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";

interface Entry { name: string; [k: string]: unknown }
interface Kubeconfig { clusters: Entry[]; users: Entry[]; contexts: Entry[]; "current-context"?: string }

function readConfig(text: string, display: string): Kubeconfig {
  let o: unknown;
  try {
    o = parseDocument(text).toJS();
  } catch (e) {
    throw new UserError(`${display} is not a kubeconfig: ${(e as Error).message.split("\n")[0]}`, "fetch it again");
  }
  const c = (o ?? {}) as Record<string, unknown>;
  const list = (k: string) => (Array.isArray(c[k]) ? (c[k] as Entry[]) : []);
  return { clusters: list("clusters"), users: list("users"), contexts: list("contexts"), ...(typeof c["current-context"] === "string" ? { "current-context": c["current-context"] as string } : {}) };
}

/**
 * The admin kubeconfig with one cluster, user and context, all named `name`, the server at `server`
 * (the address the cluster's own file names is often 127.0.0.1 or an internal one), current context `name`.
 */
export function namedKubeconfig(text: string, name: string, display: string, server?: string): string {
  const k = readConfig(text, display);
  const ctxName = k["current-context"] ?? k.contexts[0]?.name;
  const ctx = k.contexts.find((c) => c.name === ctxName)?.context as Record<string, unknown> | undefined;
  const cluster = k.clusters.find((c) => c.name === ctx?.cluster)?.cluster as Record<string, unknown> | undefined;
  const user = k.users.find((u) => u.name === ctx?.user)?.user as Record<string, unknown> | undefined;
  if (!ctx || !cluster || !user) throw new UserError(`${display}: no current context with a cluster and a user`, "fetch the kubeconfig again");
  if (server !== undefined && !/^https:\/\/[^\s/]+$/.test(server)) throw new Error(`internal: ${JSON.stringify(server)} is not an https://host:port address`);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { ...cluster, ...(server ? { server } : {}) } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, ...(typeof ctx.namespace === "string" ? { namespace: ctx.namespace } : {}) } }],
    "current-context": name,
  });
}

/** Replaces (or adds) the entry named `name` of a top-level list, keeping the others and their comments. */
function upsert(doc: Document, key: string, entry: Entry): boolean {
  let seq = doc.get(key);
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    doc.set(key, seq);
  }
  const items = (seq as YAMLSeq).items;
  const node = doc.createNode(entry);
  const i = items.findIndex((it) => isMap(it) && (it as YAMLMap).get("name") === entry.name);
  if (i >= 0) {
    const same = JSON.stringify((items[i] as YAMLMap).toJSON()) === JSON.stringify(entry);
    if (!same) items[i] = node;
    return !same;
  }
  items.push(node);
  return true;
}

/**
 * Merges the single-context kubeconfig `text` (from namedKubeconfig) into the file at `target`
 * (created when missing, mode 0600). Returns whether the file changed.
 */
export function mergeKubeconfig(target: string, text: string): boolean {
  const add = readConfig(text, "the lab's kubeconfig");
  const old = existsSync(target) ? readFileSync(target, "utf8") : "";
  const doc = parseDocument(old || "apiVersion: v1\nkind: Config\n");
  if (doc.errors.length) throw new UserError(`kubeconfig ${target} is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`, "fix it, or pass another file with --kubeconfig");
  if (!isMap(doc.contents)) throw new UserError(`kubeconfig ${target}: expected a mapping (apiVersion: v1, kind: Config)`, "fix it, or pass another file with --kubeconfig");
  let changed = false;
  for (const c of add.clusters) changed = upsert(doc, "clusters", c) || changed;
  for (const u of add.users) changed = upsert(doc, "users", u) || changed;
  for (const c of add.contexts) changed = upsert(doc, "contexts", c) || changed;
  const current = add["current-context"];
  if (current && doc.get("current-context") !== current) {
    doc.set("current-context", current);
    changed = true;
  }
  if (changed || !old) writeFileAtomic(target, doc.toString(), { mode: 0o600 });
  return changed || !old;
}
