// The talosctl invocations `drover up` makes, as argument lists (no shell). Kept in one place so a
// test can run each one against the real talosctl (flag and config parsing) without a Talos node.
// Every authenticated call names its endpoint and node explicitly (-e/-n), never relying on the
// talosconfig's defaults.

/** In maintenance mode a node answers without credentials: its network links, with their MACs. */
export const linksInsecure = (address: string): string[] => ["get", "links", "--insecure", "--nodes", address, "--output", "json"];

/** Sends a node its machine config while it waits in maintenance mode. */
export const applyConfigInsecure = (address: string, file: string): string[] => ["apply-config", "--insecure", "--nodes", address, "--file", file];

const auth = (talosconfig: string, address: string): string[] => ["--talosconfig", talosconfig, "--endpoints", address, "--nodes", address];

/** Answers only once the node runs its machine config (mTLS with the lab's OS CA). */
export const version = (talosconfig: string, address: string): string[] => [...auth(talosconfig, address), "version"];

/** The etcd members a control plane knows: succeeds only once etcd has been bootstrapped. */
export const etcdMembers = (talosconfig: string, address: string): string[] => [...auth(talosconfig, address), "etcd", "members"];

/** Starts etcd on the first control plane: once per cluster (Talos refuses a second one with AlreadyExists). */
export const bootstrap = (talosconfig: string, address: string): string[] => [...auth(talosconfig, address), "bootstrap"];

/** Writes the cluster's admin kubeconfig to `file` (a new file, not merged: Drover merges it itself). */
export const kubeconfig = (talosconfig: string, address: string, file: string): string[] => [...auth(talosconfig, address), "kubeconfig", file, "--force", "--merge=false"];
