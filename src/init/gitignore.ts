// The lab folder's .gitignore that `drover init` writes (or adds to a .gitignore already there): age
// private keys, and the secret files of the default output folder. The secrets store
// (secrets.sops.yaml) is SOPS-encrypted and meant to be committed. `drover render` also names every
// secret file it writes in a .gitignore of its own beside them (render/gitignore.ts); these lines
// keep them out of Git even if those are deleted. A test renders every example and checks both.
export const LAB_GITIGNORE_MARKER = "# drover: private keys and rendered secrets";

export const LAB_GITIGNORE = `${LAB_GITIGNORE_MARKER} never go into Git.
# secrets.sops.yaml is encrypted with SOPS/age: commit it. The age key that opens it: never.
*.agekey
keys.txt
# cluster credentials you may keep beside the lab
kubeconfig
*.kubeconfig
talosconfig
# secret files of drover render's output (out/): machine configs, WireGuard keys, the k3s token,
# Proxmox answer files, NUT's passwords. out/kubernetes/ (Secrets SOPS-encrypted) is safe to commit.
/out/talos/
/out/seats/
/out/wireguard/*/wg0.conf
/out/k3s/*/config.yaml
/out/k3s/*/user-data
/out/proxmox/*/answer.toml
/out/nut/*/upsmon.conf
/out/nut/*/upsd.users
/out/.drover-staging-*/
# drover up's state: the cluster's kubeconfig, the talosconfig, the admin SSH key, its Git working tree
/.drover/
`;

/** The .gitignore text to write: ours, or an existing one with ours appended once (the user's lines kept). */
export function labGitignore(existing: string | undefined): string | undefined {
  if (existing === undefined) return LAB_GITIGNORE;
  if (existing.includes(LAB_GITIGNORE_MARKER)) return undefined;
  return `${existing}${existing === "" || existing.endsWith("\n") ? "" : "\n"}\n${LAB_GITIGNORE}`;
}
