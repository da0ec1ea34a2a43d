// Where `drover up` keeps what it made for a lab, beside lab.yaml in .drover/ (git-ignore it):
//   kubeconfig      the cluster's admin kubeconfig (0600), context named after the lab
//   talosconfig     talosctl's config for the lab (0600, Talos labs)
//   admin.key       the lab's admin SSH key (0600, k3s labs: the seeds authorize it)
//   known_hosts     the SSH host keys seen on first contact (k3s servers, the Git remote)
//   repo/           the Git working tree Drover commits each render to
//   remote.git/     a local bare repository, the push target while the lab has no gitops.url
import { join } from "node:path";

export interface UpPaths {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly talosconfig: string;
  readonly adminKey: string;
  readonly knownHosts: string;
  readonly repo: string;
  readonly localRemote: string;
}

export function upPaths(labDir: string, opts: { stateDir?: string; repo?: string } = {}): UpPaths {
  const dir = opts.stateDir ?? join(labDir, ".drover");
  return {
    dir,
    kubeconfig: join(dir, "kubeconfig"),
    talosconfig: join(dir, "talosconfig"),
    adminKey: join(dir, "admin.key"),
    knownHosts: join(dir, "known_hosts"),
    repo: opts.repo ?? join(dir, "repo"),
    localRemote: join(dir, "remote.git"),
  };
}
