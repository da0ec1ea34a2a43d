// drover keys rotate join-token: new join credentials. Talos: the bootstrap token (cluster.token, what
// kubelets join with) and the trustd token (machine.token, what machines get their certificates with).
// k3s: the cluster token. A leaked token then admits nobody; running nodes keep working.
import { randomBytes } from "node:crypto";
import { talosToken } from "../../secrets/talos.js";
import type { Rotation, RotationStep } from "./types.js";
import { join, relative } from "node:path";

const rel = (outDir: string, p: string) => relative(process.cwd(), join(outDir, p)) || p;

export const joinTokenRotation: Rotation = {
  name: "join-token",
  description: "new join tokens: Talos bootstrap and trustd tokens, or the k3s cluster token",
  async rotate({ lab, store }) {
    const s = store.secrets;
    if (lab.distribution === "talos") {
      return {
        store: { ...store, secrets: { ...s, talos: { ...s.talos, bootstrapToken: talosToken(), trustdToken: talosToken() } } },
        changed: ["talos bootstrap token (cluster.token)", "talos trustd token (machine.token)"],
      };
    }
    return { store: { ...store, secrets: { ...s, k3s: { token: randomBytes(32).toString("hex") } } }, changed: ["k3s token"] };
  },
  rollout({ lab, tree, outDir }) {
    const steps: RotationStep[] = [];
    if (lab.distribution === "talos") {
      const tc = [...tree.keys()].find((p) => p.endsWith("talosconfig"));
      const cmds = lab.nodes.map((n) => {
        const f = [...tree.keys()].find((p) => p === `talos/${n.name}.yaml`) ?? `talos/${n.name}.yaml`;
        return `talosctl ${tc ? `--talosconfig ${rel(outDir, tc)} ` : ""}--nodes ${n.address} apply-config --file ${rel(outDir, f)}`;
      });
      steps.push({ title: "apply the new configs, control planes first (the running cluster keeps working; new machines need the new token)", commands: cmds });
      return steps;
    }
    const cp = lab.controlPlanes()[0];
    if (cp) {
      steps.push({
        title: `on ${cp.name}, switch the cluster to the new token (k3s keeps both working until every node has it); the new value is \`token:\` in ${rel(outDir, `k3s/${cp.name}/config.yaml`)}`,
        commands: [`ssh root@${cp.address} "k3s token rotate --new-token \\$(sed -n 's/^token: *//p' /dev/stdin)" < ${rel(outDir, `k3s/${cp.name}/config.yaml`)}`],
      });
    }
    steps.push({
      title: "install each node's new config and restart k3s (servers first)",
      commands: [...lab.controlPlanes(), ...lab.nodes.filter((n) => n.role !== "controlplane")].map((n) =>
        `scp ${rel(outDir, `k3s/${n.name}/config.yaml`)} root@${n.address}:/etc/rancher/k3s/config.yaml && ssh root@${n.address} systemctl restart ${n.role === "controlplane" ? "k3s" : "k3s-agent"}`),
    });
    return steps;
  },
};
