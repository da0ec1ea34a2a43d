// Lab → nut/<host>/ for every Debian-based host on a UPS (Proxmox, libvirt, k3s nodes, a NAS): the
// NUT server on the UPS's own host (ups.conf, upsd.conf, upsd.users) and upsmon everywhere, with
// upssched timers on the hosts that shut down early (lab/power.ts says who goes when). Talos hosts get
// the same upsmon settings in their machine config (ExtensionServiceConfig of the nut-client system
// extension, ./talos.ts). Install on Debian: `apt install nut-server` (the UPS host) or `nut-client`,
// copy the folder to /etc/nut/ (root:nut, 0640), then `systemctl restart nut-server nut-monitor`.
import type { Lab } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { NUT_PORT, type Ups, type UpsHost } from "../../lab/power.js";
import { appSecret } from "../../secrets/generate.js";
import { addFile, tree, type FileTree } from "../tree.js";
import { directive, nutFile, quoted, section } from "./conf.js";

/** The store's folder of NUT's generated passwords (secrets.apps._ups). */
const STORE = "_ups";
export const PRIMARY_USER = "upsmon-primary";
export const SECONDARY_USER = "upsmon-secondary";
/** The upssched timer that shuts a host down early, and the script it runs. */
export const EARLY_TIMER = "early-shutdown";
export const UPSSCHED_CMD_PATH = "/etc/nut/drover-upssched-cmd";
/** What upsmon runs to power a Debian host off (as root), and the Talos extension's. */
export const DEBIAN_SHUTDOWN = "/sbin/shutdown -h +0";
export const TALOS_SHUTDOWN = "/sbin/poweroff";

/** The upsmon password of the primary or the secondaries of a UPS: generated once, kept in the store. */
export const upsPassword = (secrets: LabSecrets, ups: Ups, role: "primary" | "secondary"): string => appSecret(secrets, STORE, `${ups.name}-${role}`, "hex");

/** upsmon's MONITOR line: which UPS, through which server, as whom. */
export function monitorLine(secrets: LabSecrets, ups: Ups, h: UpsHost): string {
  const primary = h.role === "primary";
  const server = primary ? "localhost" : `${ups.serverAddress}:${NUT_PORT}`;
  return directive("MONITOR", `${ups.name}@${server}`, 1, primary ? PRIMARY_USER : SECONDARY_USER, upsPassword(secrets, ups, h.role), h.role);
}

/** The upsmon.conf lines every host of a UPS shares (the Talos extension's file is these). */
export function upsmonLines(secrets: LabSecrets, ups: Ups, h: UpsHost, shutdown: string): string[] {
  return [monitorLine(secrets, ups, h), directive("MINSUPPLIES", 1), `SHUTDOWNCMD ${quoted(shutdown)}`];
}

function upsmonConf(secrets: LabSecrets, ups: Ups, h: UpsHost): string {
  const lines = upsmonLines(secrets, ups, h, DEBIAN_SHUTDOWN);
  // the primary waits up to HOSTSYNC seconds for the secondaries to log out before it goes itself
  if (h.role === "primary") lines.push(directive("POWERDOWNFLAG", "/etc/killpower"), directive("HOSTSYNC", 15), directive("FINALDELAY", 5));
  if (h.step === "early") lines.push(directive("NOTIFYCMD", "/usr/sbin/upssched"), directive("NOTIFYFLAG", "ONBATT", "SYSLOG+WALL+EXEC"), directive("NOTIFYFLAG", "ONLINE", "SYSLOG+WALL+EXEC"));
  return nutFile([`upsmon for host ${h.host}: ${h.role} of UPS ${ups.name}. Rendered by drover; holds a password.`, `Shuts down ${stepWords(ups, h)}: ${h.why}.`], lines);
}

export const stepWords = (ups: Ups, h: UpsHost): string =>
  h.step === "early" ? `after ${Math.round(ups.earlyAfterSeconds / 60)} min on battery` : h.step === "last" ? "last, at low battery once the other hosts are down" : "at low battery";

/** upssched: the early-shutdown timer, started on battery and cancelled when the mains return. */
function upsschedConf(ups: Ups, h: UpsHost): string {
  return nutFile([`upssched for host ${h.host} (UPS ${ups.name}), rendered by drover: ${stepWords(ups, h)}.`], [
    directive("CMDSCRIPT", UPSSCHED_CMD_PATH),
    directive("PIPEFN", "/run/nut/upssched.pipe"),
    directive("LOCKFN", "/run/nut/upssched.lock"),
    directive("AT", "ONBATT", "*", "START-TIMER", EARLY_TIMER, ups.earlyAfterSeconds),
    directive("AT", "ONLINE", "*", "CANCEL-TIMER", EARLY_TIMER),
  ]);
}

/**
 * The timer's command: asks upsmon for a forced shutdown (upssched runs unprivileged; upsmon's root
 * half runs SHUTDOWNCMD). A constant: nothing from lab.yaml reaches it.
 */
export const UPSSCHED_CMD = `#!/bin/sh
# Run by upssched when a timer fires, with the timer's name. Rendered by drover.
case "$1" in
  ${EARLY_TIMER})
    logger -t drover-ups "on battery too long: shutting this host down early to save the battery for the others"
    /usr/sbin/upsmon -c fsd
    ;;
  *)
    logger -t drover-ups "unknown upssched timer: $1"
    ;;
esac
`;

function serverFiles(t: FileTree, secrets: LabSecrets, ups: Ups, dir: string): void {
  addFile(t, `${dir}/ups.conf`, nutFile([`UPS ${ups.name}, rendered by drover.`], [section(ups.name, [["driver", ups.driver], ["port", ups.port]])]));
  const listen = [directive("LISTEN", "127.0.0.1", NUT_PORT)];
  if (ups.serverAddress) listen.push(directive("LISTEN", ups.serverAddress, NUT_PORT));
  addFile(t, `${dir}/upsd.conf`, nutFile([`upsd for UPS ${ups.name}, rendered by drover: the NUT clients of the other hosts connect here.`], listen));
  const users = [
    section(PRIMARY_USER, [["password", upsPassword(secrets, ups, "primary")], ["upsmon", "primary"]]),
    ...(ups.hosts.some((h) => h.role === "secondary") ? [section(SECONDARY_USER, [["password", upsPassword(secrets, ups, "secondary")], ["upsmon", "secondary"]])] : []),
  ];
  addFile(t, `${dir}/upsd.users`, nutFile([`upsd users for UPS ${ups.name}. Rendered by drover; holds passwords.`], users), { secret: true });
}

export function renderNut(lab: Lab, secrets: LabSecrets): FileTree {
  const t = tree();
  for (const ups of lab.ups) {
    for (const h of ups.hosts) {
      if (!h.files) continue;
      const dir = h.host;
      addFile(t, `${dir}/nut.conf`, nutFile([`NUT mode for host ${h.host}, rendered by drover.`], [`MODE=${h.role === "primary" ? "netserver" : "netclient"}`]));
      if (h.role === "primary") serverFiles(t, secrets, ups, dir);
      addFile(t, `${dir}/upsmon.conf`, upsmonConf(secrets, ups, h), { secret: true });
      if (h.step === "early") {
        addFile(t, `${dir}/upssched.conf`, upsschedConf(ups, h));
        addFile(t, `${dir}/drover-upssched-cmd`, UPSSCHED_CMD, { mode: 0o755 });
      }
    }
  }
  if (lab.ups.length) addFile(t, "README.md", readme(lab));
  return t;
}

function readme(lab: Lab): string {
  const out = ["# Power: what shuts down when, on battery", "", "Rendered by drover from `ups:` in lab.yaml. NUT (Network UPS Tools) watches each UPS; on low battery it shuts every", "other host down and the UPS's own host last.", ""];
  for (const ups of lab.ups) {
    out.push(`## UPS ${ups.name} (on ${ups.host}, ${Math.round(ups.runtimeSeconds / 60)} min on battery)`, "", "| host | NUT | shuts down | why |", "|---|---|---|---|");
    for (const h of ups.hosts) out.push(`| ${h.host} | ${h.role}${h.files ? "" : ` (${lab.capabilities.title}'s NUT client, in the node's config)`} | ${stepWords(ups, h)} | ${h.why} |`);
    out.push("");
  }
  out.push(
    "## Install (Debian, Proxmox)",
    "",
    "On each host with a folder here: `apt install nut-server` on the UPS's own host (`nut-client` elsewhere), then",
    "",
    "```sh",
    "install -o root -g nut -m 0640 <host>/*.conf <host>/upsd.users /etc/nut/   # the files this host has",
    "install -o root -g root -m 0755 <host>/drover-upssched-cmd /etc/nut/         # where present",
    "systemctl restart nut-server nut-monitor                                      # nut-monitor only on clients",
    "upsc <ups>@localhost                                                          # on the UPS's host: the UPS answers",
    "```",
    "",
    "Talos hosts (none in a k3s lab): the `siderolabs/nut-client` extension is in their image schematic and its settings in their machine config.",
    "",
  );
  return out.join("\n");
}
