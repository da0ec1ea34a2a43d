// wg-quick configuration text, and its `wg setconf` subset (what `wg-quick strip` prints).
import type { WgInterface } from "./mesh.js";

export function wgQuickConf(i: WgInterface, header: string): string {
  // pieces joined once (a flat string; `+=` built a rope flattened later at several times the cost)
  const out: string[] = [];
  for (const h of header.split("\n")) out.push(`# ${h}`.trimEnd(), "\n");
  out.push(`# ${i.comment}\n[Interface]\nAddress = ${i.address}\n`);
  if (i.listenPort !== undefined) out.push(`ListenPort = ${i.listenPort}\n`);
  out.push(`PrivateKey = ${i.privateKey}\nMTU = ${i.mtu}\n`);
  if (i.dns.length) out.push(`DNS = ${i.dns.join(", ")}\n`);
  for (const c of i.postUp) out.push(`PostUp = ${c}\n`);
  for (const c of i.postDown) out.push(`PostDown = ${c}\n`);
  for (const p of i.peers) {
    out.push(`\n# ${p.comment}\n[Peer]\nPublicKey = ${p.publicKey}\nPresharedKey = ${p.presharedKey}\nAllowedIPs = ${p.allowedIps.join(", ")}\n${p.endpoint ? `Endpoint = ${p.endpoint}\n` : ""}${p.keepalive ? `PersistentKeepalive = ${p.keepalive}\n` : ""}`);
  }
  return out.join("");
}

/** The keys only wg-quick understands; `wg setconf` rejects them. */
const WG_QUICK_ONLY = new Set(["address", "dns", "mtu", "table", "preup", "predown", "postup", "postdown", "saveconfig"]);

/** A wg-quick file without its wg-quick-only keys and comments: input for `wg setconf` / `wg syncconf`. */
export function stripWgQuick(text: string): string {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const m = /^([A-Za-z]+)\s*=/.exec(line);
    if (m && WG_QUICK_ONLY.has(m[1]!.toLowerCase())) continue;
    out.push(line);
  }
  return out.join("\n") + "\n";
}

export interface WgQuickFields {
  readonly address: string[];
  readonly mtu: number | undefined;
  readonly dns: string[];
  readonly postUp: string[];
  readonly postDown: string[];
  readonly peers: { publicKey: string; allowedIps: string[]; endpoint: string | undefined }[];
}

/** Reads back the fields a test or an applier needs from a wg-quick file. */
export function parseWgQuick(text: string): WgQuickFields {
  const f = { address: [] as string[], mtu: undefined as number | undefined, dns: [] as string[], postUp: [] as string[], postDown: [] as string[], peers: [] as WgQuickFields["peers"] };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      section = line.toLowerCase();
      if (section === "[peer]") f.peers.push({ publicKey: "", allowedIps: [], endpoint: undefined });
      continue;
    }
    const eq = line.indexOf("=");
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    const list = () => value.split(",").map((s) => s.trim()).filter(Boolean);
    if (section === "[interface]") {
      if (key === "address") f.address.push(...list());
      else if (key === "mtu") f.mtu = Number(value);
      else if (key === "dns") f.dns.push(...list());
      else if (key === "postup") f.postUp.push(value);
      else if (key === "postdown") f.postDown.push(value);
    } else if (section === "[peer]") {
      const p = f.peers[f.peers.length - 1]!;
      if (key === "publickey") p.publicKey = value;
      else if (key === "allowedips") p.allowedIps.push(...list());
      else if (key === "endpoint") p.endpoint = value;
    }
  }
  return f;
}

/**
 * The shell command (for ssh) that applies /etc/wireguard/wg0.conf to a running wg0 without dropping
 * its tunnels: `wg syncconf` for keys and peers, then the file's PostUp commands, which Drover renders
 * idempotent, so a node that has just become a relay or the seat hub forwards at once.
 */
export const APPLY_WG0 = `wg syncconf wg0 <(wg-quick strip wg0) && sed -n 's/^PostUp = //p' /etc/wireguard/wg0.conf | sed 's/%i/wg0/g' | bash -e`;
