// The lab's admin kubeconfig, once a machine phase fetched it: Drover's copy (.drover/kubeconfig,
// 0600, atomic; context, cluster and user named after the lab) and, unless told not to, the same
// context merged into the user's kubeconfig and made current.
import { existsSync, readFileSync } from "node:fs";
import type { DistributionName } from "../../distributions/index.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { mergeKubeconfig, namedKubeconfig } from "../../cluster/kubeconfig-merge.js";
import type { UpReport } from "./progress.js";

export function keepKubeconfig(o: { name: string; text: string; server?: string; file: string; mergeInto?: string; report: UpReport; phase: DistributionName }): void {
  const text = namedKubeconfig(o.text, o.name, "the fetched kubeconfig", o.server);
  const same = existsSync(o.file) && readFileSync(o.file, "utf8") === text;
  if (!same) writeFileAtomic(o.file, text, { mode: 0o600 });
  const merged = o.mergeInto ? mergeKubeconfig(o.mergeInto, text) : false;
  o.report({ phase: o.phase, status: same && !merged ? "skip" : "done", message: `kubeconfig ${same ? "unchanged" : "written"}: ${o.file}${o.mergeInto ? ` (context ${o.name} ${merged ? "merged into" : "already in"} ${o.mergeInto})` : ""}` });
}
