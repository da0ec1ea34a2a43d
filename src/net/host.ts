// Host names and network endpoints as lab.yaml writes them: an IPv4 or IPv6 literal or a DNS name,
// optionally with a port ("host:port", IPv6 in brackets), and http(s)/ssh URLs. Pure functions; each
// answers exactly what the consumers (wg-quick, kubelet, CSI drivers, Flux, restic, external-dns)
// read, and anything else (spaces, line breaks, brackets, '#', '=', '%' zones…) is refused here.
import { parseIp } from "./ip.js";

export type HostKind = "ipv4" | "ipv6" | "dns";

/** A host part and an optional port. */
export interface HostPort {
  readonly host: string;
  readonly kind: HostKind;
  readonly port: number | undefined;
}

const HEX4 = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text form (with "::" and an IPv4 tail); no zone ("%eth0"), no brackets. */
export function isIpv6(text: string): boolean {
  if (text.length < 2 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return false;
  let t = text;
  const lastColon = t.lastIndexOf(":");
  if (lastColon < 0) return false;
  const tail = t.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (parseIp(tail) === undefined) return false;
    t = t.slice(0, lastColon + 1) + "0:0"; // the IPv4 tail stands for two groups
  }
  if (t.includes(".")) return false;
  const double = t.indexOf("::");
  if (double >= 0) {
    if (t.indexOf("::", double + 1) >= 0) return false;
    const head = t.slice(0, double);
    const rest = t.slice(double + 2);
    const hs = head === "" ? [] : head.split(":");
    const ts = rest === "" ? [] : rest.split(":");
    if (![...hs, ...ts].every((g) => HEX4.test(g))) return false;
    return hs.length + ts.length < 8;
  }
  const groups = t.split(":");
  return groups.length === 8 && groups.every((g) => HEX4.test(g));
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * A DNS host name (RFC 1123 labels of letters, digits and '-', at most 253 characters, one optional
 * trailing dot). The last label is not all digits, so a mistyped IPv4 address is not a name.
 */
export function isDnsHostName(text: string): boolean {
  const t = text.endsWith(".") ? text.slice(0, -1) : text;
  if (t.length === 0 || t.length > 253) return false;
  const labels = t.split(".");
  if (!labels.every((l) => LABEL.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

/** What a bare host is (no port, no brackets), or undefined when it is none of them. */
export function hostKind(text: string): HostKind | undefined {
  if (parseIp(text) !== undefined) return "ipv4";
  if (text.includes(":")) return isIpv6(text) ? "ipv6" : undefined;
  if (/^[0-9.]+$/.test(text)) return undefined; // a broken IPv4 address, not a name
  return isDnsHostName(text) ? "dns" : undefined;
}

/** A host as it stands before ":port" or in a URL: IPv6 in brackets. */
export function hostForPort(h: { host: string; kind: HostKind }): string {
  return h.kind === "ipv6" ? `[${h.host}]` : h.host;
}

/** "host", "host:port", "[v6]" or "[v6]:port"; ports 1-65535 in decimal. */
export function parseHostPort(text: string): HostPort | { error: string } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return { error: "has '[' without ']' (write an IPv6 address as [2001:db8::1]:51820)" };
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return { error: "has text after ']' that is not :port" };
      portText = rest.slice(1);
    }
    if (!isIpv6(host)) return { error: `[${host}] is not an IPv6 address` };
  } else {
    const colons = text.split(":").length - 1;
    if (colons > 1) {
      if (isIpv6(text)) return { host: text, kind: "ipv6", port: undefined };
      return { error: "has more than one ':' (an IPv6 address with a port goes in brackets)" };
    }
    const c = text.indexOf(":");
    host = c < 0 ? text : text.slice(0, c);
    if (c >= 0) portText = text.slice(c + 1);
  }
  const kind = hostKind(host);
  if (!kind) return { error: `${JSON.stringify(host)} is neither an IP address nor a DNS name` };
  if (portText === undefined) return { host, kind, port: undefined };
  if (!/^[0-9]{1,5}$/.test(portText)) return { error: `the port ${JSON.stringify(portText)} is not a number` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { error: `the port ${port} is outside 1-65535` };
  return { host, kind, port };
}

/**
 * A URL whose scheme is one of `schemes`, written in printable ASCII without spaces, with a host
 * that is an IP literal or a DNS name, and an optional port. Returns the error, or undefined.
 */
export function urlError(text: string, schemes: readonly string[]): string | undefined {
  if (!/^[\x21-\x7e]+$/.test(text)) return "must be printable ASCII without spaces or line breaks (percent-encode other characters)";
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(text);
  if (!m || !schemes.includes(m[1]!.toLowerCase())) return `must be a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")}`;
  let authority = m[2]!;
  const at = authority.lastIndexOf("@");
  if (at >= 0) authority = authority.slice(at + 1);
  if (authority === "") return "has no host after ://";
  const hp = parseHostPort(authority);
  if ("error" in hp) return `host ${hp.error}`;
  try {
    new URL(text);
  } catch {
    return "is not a URL";
  }
  return undefined;
}

/**
 * "host:port" for a dialler (wg-quick Endpoint, a portal): the port from the text, else `defaultPort`;
 * IPv6 in brackets. Undefined when the text is not host[:port] (drover check refuses it).
 */
export function withPort(text: string, defaultPort: number): string | undefined {
  const hp = parseHostPort(text);
  if ("error" in hp) return undefined;
  return `${hostForPort(hp)}:${hp.port ?? defaultPort}`;
}

/**
 * Git's scp form `user@host:path` (git@github.com:you/homelab.git): a plain user name, a host that is an
 * IP literal or a DNS name, and a path of URL-safe characters that does not start with '-' (no option
 * injection into ssh). Returns the parts, or undefined when the text is not in that form.
 */
export function scpGitUrl(text: string): { user: string; host: string; path: string } | undefined {
  const m = /^([A-Za-z0-9._-]+)@([^:/@\s]+):([A-Za-z0-9._~/-]+)$/.exec(text);
  if (!m || m[3]!.startsWith("-") || m[1]!.startsWith("-")) return undefined;
  const kind = hostKind(m[2]!);
  if (kind !== "dns" && kind !== "ipv4") return undefined;
  return { user: m[1]!, host: m[2]!, path: m[3]! };
}
