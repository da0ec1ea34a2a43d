// The distribution contract, render side: what a distribution renders and the steps that bring its
// machines in, take them out and roll changed configs out — as data, so that render/, ops/ and the
// CLI ask the distribution instead of comparing its name. Its capabilities (what it is) are in
// distributions/; each distribution implements this in render/<name>/distribution.ts, and
// render/distributions.ts finds it by name.
import type { Lab, Node } from "../lab/types.js";
import type { LabSecrets } from "../secrets/types.js";
import type { FileTree } from "./tree.js";
import type { DistributionName } from "../distributions/index.js";

export type Target = (lab: Lab, secrets: LabSecrets) => FileTree;

/** A step printed for the operator: what to do, and the commands (paths relative to the working folder). */
export interface Step {
  readonly title: string;
  readonly commands: readonly string[];
}

/** One node's part of a rollout after a key rotation. */
export interface RolloutStep {
  /** the node to update */
  readonly node: string;
  /** the rendered file (relative to the output folder) that carries the new material */
  readonly file: string;
  /** what to do on the node, as a command or a sentence */
  readonly action: string;
  /** the same as commands Drover can run itself (argv each, paths relative to the output folder), when it can */
  readonly commands?: readonly (readonly string[])[];
}

/** How a Proxmox VM node boots: an ISO, or a cloud image with cloud-init user data (Proxmox snippets). */
export type VmBoot =
  | { readonly kind: "talos-iso"; readonly url: string; readonly file: string; readonly schematic: string }
  | { readonly kind: "debian-cloud-image"; readonly url: string; readonly file: string; readonly userData: string; readonly networkConfig: string };

/** Where the rendered output is, to name files in commands (relative to the working folder). */
export interface Output {
  readonly tree: FileTree;
  /** a rendered path as the operator types it */
  path(p: string): string;
}

export interface DistributionRenderer {
  readonly name: DistributionName;
  /** rendered folder → what goes there (node configs, boot media…) */
  readonly targets: readonly (readonly [string, Target])[];
  /** Cilium chart values the distribution needs: where the agents reach the API, OS-specific settings */
  ciliumValues(lab: Lab): Record<string, unknown>;
  /** how a VM node of this distribution boots on Proxmox */
  vmBoot(lab: Lab, node: Node): VmBoot;
  /** the node's own config file in the rendered tree */
  nodeConfigFile(t: FileTree, node: string): string | undefined;
  /** after a render: how the machines boot and the cluster is bootstrapped (rel: the output folder as typed) */
  bootSteps(lab: Lab, rel: string): string[];
  /** after `node add`: boot the machine and give it its config */
  bringIn(lab: Lab, node: Node, out: Output): Step[];
  /** the command that refreshes a running peer whose rendered files changed (its WireGuard peer list) */
  peerUpdate(lab: Lab, node: Node, files: readonly string[], out: Output): string | undefined;
  /** a control plane leaving: its etcd member, as the distribution removes it */
  etcdRemoval(lab: Lab, node: Node, out: Output): Step[];
  /** wiping a machine that left */
  wipe(lab: Lab, node: Node, out: Output): Step[];
  /** after new WireGuard keys: how one node gets its new config (run in the output folder) */
  wireguardRollout(lab: Lab, node: string): RolloutStep;
  /** `drover keys rotate join-token`: new join credentials in the secrets, and their rollout */
  rotateJoinToken(secrets: LabSecrets, lab: Lab): { secrets: LabSecrets; changed: string[]; rollout: RolloutStep[]; notes: string[] };
  /** `drover keys rotate kubernetes-ca`: the next step of the Kubernetes CA rotation in the secrets, and its rollout */
  rotateKubernetesCa(secrets: LabSecrets, lab: Lab, now: Date): { secrets: LabSecrets; changed: string[]; rollout: RolloutStep[]; notes: string[]; phase: string; done: boolean };
}

/** Control planes first, then the other nodes, each group in spec order. */
export const controlPlanesFirst = (lab: Lab): Node[] => [...lab.controlPlanes(), ...lab.nodes.filter((n) => n.role !== "controlplane")];
