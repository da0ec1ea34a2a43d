// IPv4 arithmetic for addresses, CIDRs and ranges. Pure functions; IPv4 only (home labs and
// WireGuard overlays here are IPv4; IPv6 can come later behind the same names).

export interface Cidr {
  readonly base: number; // network address as an unsigned 32-bit integer
  readonly bits: number; // prefix length
  readonly text: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIp(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part.startsWith("0")) return undefined;
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

export function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses "a.b.c.d/n". Returns an error string when the text is not a CIDR or has host bits set. */
export function parseCidr(text: string): { cidr: Cidr } | { error: string; hint?: string } {
  const slash = text.indexOf("/");
  if (slash < 0) return { error: `${text} is not a CIDR (expected address/prefix, e.g. 10.0.0.0/24)` };
  const ip = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  const bits = /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (ip === undefined || !(bits >= 0 && bits <= 32)) {
    return { error: `${text} is not a CIDR (expected address/prefix, e.g. 10.0.0.0/24)` };
  }
  const base = (ip & maskOf(bits)) >>> 0;
  if (base !== ip) {
    const fixed = `${formatIp(base)}/${bits}`;
    return { error: `${text} has host bits set`, hint: `did you mean ${fixed}?` };
  }
  return { cidr: { base, bits, text } };
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.bits)) >>> 0) === c.base;
}

export function cidrLast(c: Cidr): number {
  return c.base + cidrSize(c) - 1;
}

export function rangesOverlap(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 <= b1 && b0 <= a1;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return rangesOverlap(a.base, cidrLast(a), b.base, cidrLast(b));
}

/** An inclusive address range, written "a.b.c.d-e.f.g.h" or as a CIDR. */
export interface IpRange {
  readonly first: number;
  readonly last: number;
  readonly text: string;
}

export function parseRange(text: string): { range: IpRange } | { error: string; hint?: string } {
  if (text.includes("/")) {
    const r = parseCidr(text);
    if ("error" in r) return r;
    return { range: { first: r.cidr.base, last: cidrLast(r.cidr), text } };
  }
  const dash = text.indexOf("-");
  if (dash < 0) {
    const ip = parseIp(text);
    if (ip === undefined) return { error: `${text} is not an address range`, hint: "write it as 192.168.1.200-192.168.1.220 or as a CIDR" };
    return { range: { first: ip, last: ip, text } };
  }
  const a = parseIp(text.slice(0, dash).trim());
  const b = parseIp(text.slice(dash + 1).trim());
  if (a === undefined || b === undefined) {
    return { error: `${text} is not an address range`, hint: "write it as 192.168.1.200-192.168.1.220 or as a CIDR" };
  }
  if (b < a) return { error: `${text} ends before it starts`, hint: `did you mean ${formatIp(b)}-${formatIp(a)}?` };
  return { range: { first: a, last: b, text } };
}

/** The n-th usable host address of a CIDR (1-based: n=1 is base+1). */
export function hostAddress(c: Cidr, n: number): number | undefined {
  const ip = c.base + n;
  if (n < 1 || ip >= cidrLast(c)) return undefined;
  return ip;
}

/** RFC 1918, CGNAT, loopback and link-local ranges: addresses the internet cannot reach. */
const NOT_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"];

/** Whether an IPv4 address is one the internet cannot reach (false for anything that is not an IPv4 address). */
export function isPrivateIpv4(text: string): boolean {
  const ip = parseIp(text);
  if (ip === undefined) return false;
  return NOT_PUBLIC.some((c) => {
    const p = parseCidr(c);
    return "cidr" in p && cidrContains(p.cidr, ip);
  });
}
