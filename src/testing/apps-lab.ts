// A lab that runs every catalog app (and a few functions), for the apps renderer's tests: mixed
// arches, a GPU host, a host with a serial device, NFS and local storage, a load-balancer pool,
// backups, replicas, pinning and patches.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLabText } from "../lab/load.js";
import type { ResolveOptions } from "../lab/resolve.js";
import type { Lab } from "../lab/types.js";
import { catalogNames } from "../catalog/index.js";
import { ensureSecrets } from "../secrets/generate.js";
import type { LabSecrets } from "../secrets/types.js";
import { generateTalosSecrets } from "../secrets/talos.js";
import { EXAMPLES } from "./paths.js";
import { host, labYaml, node } from "./lab-builder.js";

const SPECIAL: Record<string, string> = {
  homepage: "{ name: homepage, replicas: 2, groups: [family] }",
  atuin: "{ name: atuin, replicas: 3 }",
  vaultwarden: "{ name: vaultwarden, exposure: public, backup: true }",
  "paperless-ngx": "{ name: paperless-ngx, backup: true, storage: { class: nas, size: 40Gi } }",
  ollama: "{ name: ollama, placement: { gpu: 1 } }",
  jellyfin: "{ name: jellyfin, placement: { arch: [amd64] }, resources: { cpu: 2, memory: 2Gi } }",
  octoprint: "{ name: octoprint, placement: { hosts: [printer-pi] }, storage: { class: local } }",
  "home-assistant": "{ name: home-assistant, placement: { hosts: [printer-pi] } }",
  grafana: "{ name: grafana, env: { GF_LOG_LEVEL: warn }, patches: [{ target: { kind: StatefulSet }, patch: { spec: { template: { spec: { containers: [{ name: app, env: [{ name: GF_LOG_MODE, value: console }] }] } } } } }] }",
  etherpad: "{ name: etherpad, exposure: public }",
  "0x0": "{ name: \"0x0\", exposure: public }",
  postgres: "{ name: postgres, namespace: shared-db }",
};

export function appsLabYaml(): string {
  const apps = catalogNames().map((n) => `  - ${SPECIAL[n] ?? `{ name: ${n} }`}`);
  return labYaml({
    name: "every-app",
    cluster: ["endpoint: { address: 10.10.0.5 }", "domains: { public: apps.example.net, private: apps.internal }"],
    sites: ["{ name: home, lan: 10.10.0.0/16, gateway: 10.10.0.1 }"],
    hosts: [
      host({ name: "nuc1", site: "home", cpu: 8, memory: "32Gi", disk: "/dev/nvme0n1", size: "512Gi" }),
      host({ name: "nuc2", site: "home", cpu: 8, memory: "32Gi", disk: "/dev/nvme0n1", size: "512Gi" }),
      host({ name: "gpu-box", site: "home", cpu: 16, memory: "64Gi", extra: "gpus: [{ vendor: nvidia }]", disk: "/dev/nvme0n1", size: "1Ti" }),
      host({ name: "pi1", site: "home", arch: "arm64", cpu: 4, memory: "8Gi", disk: "/dev/mmcblk0", size: "64Gi" }),
      host({ name: "printer-pi", site: "home", arch: "arm64", cpu: 4, memory: "8Gi", extra: "devices: [/dev/ttyUSB0]", disk: "/dev/mmcblk0", size: "64Gi" }),
    ],
    nodes: [
      node({ name: "cp1", host: "nuc1", role: "controlplane", address: "10.10.0.11" }),
      ...["nuc2", "gpu-box", "pi1", "printer-pi"].map((h, i) => node({ name: `w${i + 1}`, host: h, address: `10.10.0.1${i + 2}` })),
    ],
    rest: `network:
  loadBalancer: { pool: 10.10.200.1-10.10.200.50 }
storage:
  classes:
    - { name: nas, type: nfs, server: 10.10.0.2, path: /tank/k8s, default: true }
    - { name: local, type: local }
identity:
  provider: authelia
  groups: [{ name: admins }, { name: family }]
  users: [{ name: ops, email: ops@apps.example.net, groups: [admins, family] }]
  defaultPolicy: { groups: [admins], twoFactor: true }
apps:
${apps.join("\n")}
backups:
  targets: [{ name: nas-s3, type: s3, endpoint: "http://10.10.0.2:9000", bucket: backups }]
functions:
  - { name: nightly-report, file: functions/report.py, schedule: "0 6 * * *", env: { REPORT_TO: ops } }
  - { name: hook, file: functions/hook.mjs, webhook: { path: /hook, exposure: public } }
  - { name: cleanup, file: functions/cleanup.sh, schedule: "@daily", webhook: { path: /, exposure: private } }
`,
  });
}

export const FUNCTION_SOURCES: ReadonlyMap<string, string> = new Map([
  ["functions/report.py", "import os\nprint('report for', os.environ.get('REPORT_TO'))\n"],
  ["functions/hook.mjs", "let body = '';\nprocess.stdin.on('data', (d) => (body += d)).on('end', () => console.log(body.length));\n"],
  ["functions/cleanup.sh", "#!/bin/bash\nset -eu\necho cleaned\n"],
]);

export function loadTestLab(text: string, opts: ResolveOptions = {}): Lab {
  const fns = opts.functionSources;
  const r = loadLabText(text, "lab.yaml", fns ? { functionSources: () => ({ sources: fns }) } : {});
  if (!r.lab) throw new Error(`test lab is invalid:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}`).join("\n")}`);
  return r.lab;
}

export function appsLab(): Lab {
  return loadTestLab(appsLabYaml(), { functionSources: FUNCTION_SOURCES });
}

/** A bundled example, with the sources of its functions (read beside its lab.yaml). */
export function exampleLab(name = "talos-mixed"): Lab {
  const text = readFileSync(join(EXAMPLES, name, "lab.yaml"), "utf8");
  const r = loadLabText(text, "lab.yaml", { functionSources: (spec) => ({ sources: new Map((spec.functions ?? []).map((f) => [f.file, readFileSync(join(EXAMPLES, name, f.file), "utf8")] as [string, string])) }) });
  if (!r.lab) throw new Error(`examples/${name} is invalid:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}`).join("\n")}`);
  return r.lab;
}

/** Secrets for a lab with deterministic app values (a counter), made by ensureSecrets. */
export function testSecrets(lab: Lab): LabSecrets {
  let n = 0;
  return ensureSecrets(lab, undefined, { talos: generateTalosSecrets, appSecret: (kind) => `${kind}-value-${String(++n).padStart(4, "0")}-Zq9` }).secrets;
}
