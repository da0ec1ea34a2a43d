// A command that acts on the live cluster with what a lab renders, or with manifests given with -f
// (apply, diff, status): the lab as its `[lab]` operand, and the kubeconfig, context, age key,
// skip-unserved and -f options of ops/cluster-input.ts.
import type { Command } from "commander";
import { LAB_HELP } from "./lab-argument.js";
import { clusterOptions } from "../ops/cluster-input.js";

/** The `[lab]` operand's help where -f may give the manifests instead. */
export const LAB_OF_MANIFESTS_HELP = `${LAB_HELP}; with -f, the lab the manifests belong to`;

/** Adds the subcommand `name` to `parent`, with the `[lab]` operand (described by labHelp) and the cluster options. */
export function clusterCommand(parent: Command, name: string, description: string, labHelp = LAB_OF_MANIFESTS_HELP): Command {
  return clusterOptions(parent.command(name).description(description).argument("[lab]", labHelp));
}
