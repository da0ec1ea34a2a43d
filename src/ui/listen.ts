// Where the dashboard listens and which Host names it answers to. Loopback by default; any other
// address only with an explicit allowRemote. The Host header is always checked against an allow-list
// (DNS rebinding: a page on another name that resolves to this machine is refused): the loopback
// names, the listen address itself, and for a remote bind this machine's name and addresses plus
// every --allow-host name.
import { isIP } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import { EXIT_USAGE, UserError } from "../errors.js";
import { hostKind } from "../net/host.js";

/** A --listen or --allow-host value the dashboard cannot use: a usage error (exit 2, with the hint). */
export class ListenError extends UserError {
  constructor(message: string, hint: string) {
    super(message, hint, EXIT_USAGE);
    this.name = "ListenError";
  }
}

export interface ListenAddress {
  /** the address to bind: an IPv4 or IPv6 literal (no brackets), or "localhost" */
  readonly host: string;
  readonly port: number;
  /** only this machine can connect */
  readonly loopback: boolean;
}

const isLoopback = (host: string): boolean => host === "localhost" || (isIP(host) === 4 && host.startsWith("127.")) || host === "::1" || /^::ffff:127\./i.test(host);

/** "127.0.0.1:7480", "[::1]:7480", "localhost:7480", "0.0.0.0:7480" → address and port; a ListenError otherwise. */
export function parseListen(value: string): ListenAddress {
  const hint = "give address:port, for example --listen 127.0.0.1:7480, --listen [::1]:7480 or --listen 192.168.1.5:7480";
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]+)$/.exec(value);
  if (!m) throw new ListenError(`--listen ${JSON.stringify(value)} is not address:port`, hint);
  const v6 = m[1];
  const host = (v6 ?? m[2]!).toLowerCase();
  if (v6 !== undefined ? isIP(host) !== 6 : host !== "localhost" && isIP(host) !== 4) {
    throw new ListenError(`--listen ${JSON.stringify(value)}: ${JSON.stringify(host)} is not ${v6 !== undefined ? "an IPv6 address" : "an IPv4 address or localhost"}`, hint);
  }
  const port = Number(m[3]);
  if (m[3]!.length > 5 || port > 65535) throw new ListenError(`--listen ${JSON.stringify(value)}: port ${m[3]} is out of range (0 to 65535)`, hint);
  return { host, port, loopback: isLoopback(host) };
}

/** A host name as a Host header carries it: lower case, IPv6 literals in brackets. */
const hostForm = (h: string): string => (isIP(h) === 6 ? `[${h.toLowerCase()}]` : h.toLowerCase());

/** An --allow-host value: a DNS name or an IP literal (an IPv6 one with or without brackets), no port. */
export function parseAllowHost(value: string): string {
  const v = value.trim().toLowerCase();
  const bare = v.startsWith("[") && v.endsWith("]") ? v.slice(1, -1) : v;
  if (isIP(bare)) return hostForm(bare);
  if (hostKind(v) === "dns") return v.replace(/\.$/, "");
  throw new ListenError(`--allow-host ${JSON.stringify(value)} is not a host name or IP address`, "name the host as you type it in the browser, without scheme or port, for example --allow-host lab.home.arpa");
}

const WILDCARD = new Set(["0.0.0.0", "::"]);

/**
 * The Host header values the dashboard answers to (name:port, lower case). A remote bind adds this
 * machine's name and, on a wildcard address, every address of its interfaces, unless `derive` is off.
 */
export function allowedHosts(addr: ListenAddress, port: number, allowHosts: readonly string[] = [], derive = true): string[] {
  const names = new Set<string>(["localhost", "127.0.0.1", "[::1]"]);
  if (!WILDCARD.has(addr.host)) names.add(hostForm(addr.host));
  for (const h of allowHosts) names.add(parseAllowHost(h));
  if (!addr.loopback && derive) {
    const me = hostname().toLowerCase();
    if (hostKind(me) === "dns") names.add(me);
    if (WILDCARD.has(addr.host)) {
      for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (!i.address.includes("%")) names.add(hostForm(i.address));
    }
  }
  return [...names].sort().map((n) => `${n}:${port}`);
}

/** Whether a Host header names one of the allowed hosts (a missing port means 80). */
export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  if (!header) return false;
  const h = header.trim().toLowerCase();
  const withPort = /:[0-9]+$/.test(h) && !/^[^[]*:.*:/.test(h) ? h : `${h}:80`;
  return allowed.includes(withPort);
}

/**
 * A redirect target on this server: the path alone, with one leading slash. A path that starts with
 * more slashes or backslashes (`//evil.example/x`, `/\evil.example`), which a browser reads as another
 * host, or holds anything but plain path characters, becomes "/".
 */
export function localPath(pathname: string): string {
  const p = "/" + pathname.replace(/^[/\\]+/, "");
  return /^\/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(p) ? p : "/";
}
