// The Pod Security level an app's pods need (its namespace takes the most permissive of its apps').
import type { App } from "../../lab/types.js";
import type { PodSecurityLevel } from "./folder.js";

const BASELINE_CAPS = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

/** The Pod Security level the app's pods need. */
export function podSecurityLevel(a: App, device: boolean): PodSecurityLevel {
  if (device) return "privileged";
  const caps = a.catalog.capabilities ?? [];
  if (caps.some((c) => !BASELINE_CAPS.has(c))) return "privileged";
  if (a.catalog.runAsUser === undefined || caps.some((c) => c !== "NET_BIND_SERVICE")) return "baseline";
  return "restricted";
}
