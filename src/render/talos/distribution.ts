// Talos's side of the distribution contract (render/distribution-contract.ts): machine configs and
// boot media, KubePrism for Cilium, the Image Factory ISO for VMs, and the talosctl steps.
import type { Lab } from "../../lab/types.js";
import type { DistributionRenderer, Output, RolloutStep } from "../distribution-contract.js";
import { controlPlanesFirst } from "../distribution-contract.js";
import { nodeFiles, type FileTree } from "../tree.js";
import { renderTalos } from "./index.js";
import { renderBoot } from "../boot/index.js";
import { bootMedia, nodeSchematic, schematicId } from "../boot/schematic.js";
import { talosToken } from "../../secrets/talos.js";
import { rotateTalosKubernetesCa } from "./kubernetes-ca.js";

/** KubePrism: the local API load balancer Talos runs on every node */
const KUBEPRISM = { host: "localhost", port: 7445 } as const;

function talosconfigPath(out: Output): string | undefined {
  const p = [...out.tree.keys()].find((x) => x === "talos/talosconfig" || x.endsWith("/talosconfig"));
  return p ? out.path(p) : undefined;
}

const tcFlag = (out: Output): string => {
  const tc = talosconfigPath(out);
  return tc ? `--talosconfig ${tc} ` : "";
};

/** `talosctl apply-config` of each node's rendered config, control planes first (run in the output folder). */
export function talosApplyRollout(lab: Lab, mode?: string): RolloutStep[] {
  return controlPlanesFirst(lab).map((n) => ({
    node: n.name,
    file: `talos/${n.name}.yaml`,
    action: `talosctl --talosconfig talos/talosconfig --nodes ${n.address} apply-config${mode ? ` --mode ${mode}` : ""} --file talos/${n.name}.yaml`,
  }));
}

export const talosRenderer: DistributionRenderer = {
  name: "talos",
  targets: [["talos", renderTalos], ["boot", renderBoot]],
  ciliumValues: () => ({
    k8sServiceHost: KUBEPRISM.host,
    k8sServicePort: KUBEPRISM.port,
    securityContext: {
      capabilities: {
        ciliumAgent: ["CHOWN", "KILL", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "SYS_ADMIN", "SYS_RESOURCE", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
        cleanCiliumState: ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"],
      },
    },
    cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
  }),
  vmBoot(lab, node) {
    const s = nodeSchematic(lab, node);
    const id = schematicId(s);
    return { kind: "talos-iso", url: bootMedia(s, node, lab.talosVersion).url, file: `talos-${id.slice(0, 12)}-v${lab.talosVersion}-${node.arch}.iso`, schematic: id };
  },
  nodeConfigFile: (t: FileTree, node) => nodeFiles(t, node, "talos").find((p) => p.endsWith(".yaml")),
  bootSteps(lab, rel) {
    const cps = lab.controlPlanes();
    return [
      `boot each node from the image in ${rel}/boot/README.md, then: talosctl apply-config --insecure -n <node address> -f ${rel}/talos/<node>.yaml`,
      ...(cps[0] ? [`once: talosctl --talosconfig ${rel}/talos/talosconfig -n ${cps[0].address} -e ${cps[0].address} bootstrap; then talosctl --talosconfig ${rel}/talos/talosconfig -n ${cps[0].address} -e ${cps[0].address} kubeconfig`] : []),
    ];
  },
  bringIn(lab, node, out) {
    const own = this.nodeConfigFile(out.tree, node.name);
    return [
      { title: `boot ${node.name} (${node.kind} on ${node.host}) from the Talos ${lab.talosVersion} image for ${node.arch}; it waits in maintenance mode at ${node.address}`, commands: [] },
      {
        title: `send ${node.name} its machine config (maintenance mode accepts it without credentials)`,
        commands: [own ? `talosctl apply-config --insecure --nodes ${node.address} --file ${out.path(own)}` : `talosctl apply-config --insecure --nodes ${node.address} --file <the node's config under ${out.path("talos")}>`],
      },
    ];
  },
  peerUpdate(_lab, node, files, out) {
    const cfg = files.find((f) => f.startsWith("talos/") && f.endsWith(".yaml"));
    return cfg ? `talosctl ${tcFlag(out)}apply-config --nodes ${node.address} --file ${out.path(cfg)}` : undefined;
  },
  etcdRemoval(lab, node, out) {
    const other = lab.controlPlanes().find((n) => n.name !== node.name);
    return [
      { title: `take ${node.name} out of etcd while it still runs (it leaves cleanly)`, commands: [`talosctl ${tcFlag(out)}--nodes ${node.address} etcd leave`] },
      ...(other
        ? [{
          title: `or, if ${node.name} is already off: find its member ID and remove it through ${other.name}`,
          commands: [`talosctl ${tcFlag(out)}--nodes ${other.address} etcd members`, `talosctl ${tcFlag(out)}--nodes ${other.address} etcd remove-member <ID of ${node.name}>`],
        }]
        : []),
    ];
  },
  wipe: (_lab, node, out) => [{ title: `wipe ${node.name} (it keeps its old keys otherwise)`, commands: [`talosctl ${tcFlag(out)}--nodes ${node.address} reset --graceful=false --reboot`] }],
  // its WireguardConfig wg0 changes in place, no reboot
  wireguardRollout: (lab, node) => ({ node, file: `talos/${node}.yaml`, action: `talosctl --talosconfig talos/talosconfig --nodes ${lab.node(node).address} apply-config --file talos/${node}.yaml` }),
  rotateJoinToken: (s, lab) => ({
    secrets: { ...s, talos: { ...s.talos, bootstrapToken: talosToken(), trustdToken: talosToken() } },
    changed: ["talos bootstrap token (cluster.token)", "talos trustd token (machine.token)"],
    rollout: talosApplyRollout(lab),
    notes: ["run the talosctl commands in the output folder; running nodes keep working, new machines need the new configs"],
  }),
  rotateKubernetesCa: rotateTalosKubernetesCa,
};
