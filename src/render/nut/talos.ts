// The NUT client of a Talos host (a bare-metal Talos node on a UPS): the nut-client system extension
// (in the node's image schematic) reads upsmon.conf from its ExtensionServiceConfig document.
import type { Lab, Node } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import type { Ups, UpsHost } from "../../lab/power.js";
import { TALOS_SHUTDOWN, upsmonLines } from "./index.js";
import { nutFile } from "./conf.js";

export const NUT_CLIENT_EXTENSION = "siderolabs/nut-client";

/** The UPS and plan of a Talos node's host, when it is on one. */
export function talosUpsHost(lab: Lab, node: Node): { ups: Ups; host: UpsHost } | undefined {
  if (node.kind === "vm") return undefined;
  for (const ups of lab.ups) {
    const host = ups.hosts.find((h) => h.host === node.host && !h.files);
    if (host) return { ups, host };
  }
  return undefined;
}

export function nutClientDocument(lab: Lab, secrets: LabSecrets, node: Node): Record<string, unknown> | undefined {
  const on = talosUpsHost(lab, node);
  if (!on) return undefined;
  const content = nutFile([`upsmon for ${node.name} on host ${node.host}: ${on.host.role} of UPS ${on.ups.name}, rendered by drover.`], upsmonLines(secrets, on.ups, on.host, TALOS_SHUTDOWN));
  return { apiVersion: "v1alpha1", kind: "ExtensionServiceConfig", name: "nut-client", configFiles: [{ content, mountPath: "/usr/local/etc/nut/upsmon.conf" }] };
}
