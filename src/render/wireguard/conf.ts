// wg-quick configuration text, and its `wg setconf` subset (what `wg-quick strip` prints).
import type { WgInterface } from "./mesh.js";
import { isDnsHostName, parseHostPort } from "../../net/host.js";

/**
 * The one writer of wg-quick text (wg0.conf, seat configs, the k3s user-data's wg0.conf, the
 * rotation rollout). wg-quick reads a file line by line: a line break ends a value, "#" starts a
 * comment, a line starting with "[" opens a section, the first "=" ends the key. So every value is
 * checked for what it is (keys, addresses, endpoints, numbers, commands without line breaks or "#"),
 * comments for line breaks, and anything else is refused with an internal error: drover check
 * refuses the lab.yaml values that could lead here.
 */
export function wgQuickConf(i: WgInterface, header: string): string {
  // pieces joined once (a flat string; `+=` built a rope flattened later at several times the cost)
  const out: string[] = [];
  for (const h of header.split("\n")) out.push(comment(`# ${h}`.trimEnd()), "\n");
  out.push(`${comment(`# ${i.comment}`)}\n[Interface]\nAddress = ${cidr(i.address, "Address")}\n`);
  if (i.listenPort !== undefined) out.push(`ListenPort = ${int(i.listenPort, "ListenPort")}\n`);
  out.push(`PrivateKey = ${key(i.privateKey, "PrivateKey")}\nMTU = ${int(i.mtu, "MTU")}\n`);
  if (i.dns.length) out.push(`DNS = ${i.dns.map((d) => dns(d)).join(", ")}\n`);
  for (const c of i.postUp) out.push(`PostUp = ${command(c, "PostUp")}\n`);
  for (const c of i.postDown) out.push(`PostDown = ${command(c, "PostDown")}\n`);
  for (const p of i.peers) {
    out.push(`\n${comment(`# ${p.comment}`)}\n[Peer]\nPublicKey = ${key(p.publicKey, "PublicKey")}\nPresharedKey = ${key(p.presharedKey, "PresharedKey")}\nAllowedIPs = ${p.allowedIps.map((a) => cidr(a, "AllowedIPs")).join(", ")}\n${p.endpoint ? `Endpoint = ${endpoint(p.endpoint)}\n` : ""}${p.keepalive ? `PersistentKeepalive = ${int(p.keepalive, "PersistentKeepalive")}\n` : ""}`);
  }
  return out.join("");
}

/** Characters that end a line for some reader of the file (wg-quick's bash, editors, QR apps). */
const LINE_BREAK = /[\n\r\v\f\x85\u2028\u2029]/;
/** Controls no value or comment may hold. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;

function refuse(field: string, v: unknown, why: string): never {
  throw new Error(`internal: wg-quick ${field} ${JSON.stringify(v)} ${why} (drover check refuses the lab.yaml value that leads here)`);
}

function comment(c: string): string {
  if (LINE_BREAK.test(c) || CONTROL.test(c)) refuse("comment", c, "holds a line break or a control character");
  return c;
}

function key(k: string, field: string): string {
  if (!/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(k)) refuse(field, field.endsWith("Key") ? "(a key)" : k, "is not a base64 WireGuard key");
  return k;
}

function int(n: number, field: string): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535) refuse(field, n, "is not a whole number from 0 to 65535");
  return String(n);
}

function cidr(a: string, field: string): string {
  if (!/^[0-9a-fA-F.:]+(\/[0-9]{1,3})?$/.test(a)) refuse(field, a, "is not an address or CIDR");
  return a;
}

function dns(d: string): string {
  if (!/^[0-9a-fA-F.:]+$/.test(d) && !isDnsHostName(d)) refuse("DNS", d, "is neither an address nor a search domain");
  return d;
}

function endpoint(e: string): string {
  const hp = parseHostPort(e);
  if ("error" in hp || hp.port === undefined) refuse("Endpoint", e, "is not host:port");
  return e;
}

function command(c: string, field: string): string {
  if (LINE_BREAK.test(c) || CONTROL.test(c) || c.includes("#")) refuse(field, c, "holds a line break, a control character or '#'");
  return c;
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
