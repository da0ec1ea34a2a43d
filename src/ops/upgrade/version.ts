// Release versions as upgrades compare them: major.minor.patch, with or without a leading "v"
// (Kubernetes' "v1.35.4", k3s's "v1.35.4+k3s1", Talos's "v1.12.6"; a build suffix after "+" or "-" is kept
// for display and ignored in comparisons).
import { UserError } from "../../errors.js";

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** as written, without the leading "v" */
  readonly text: string;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:[+-][0-9A-Za-z.+-]*)?$/;

export function tryParseVersion(s: string): Version | undefined {
  const m = VERSION.exec(s.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: s.trim().replace(/^v/, "") };
}

/** The version, or a user error naming what it was for. */
export function parseVersion(s: string, what: string): Version {
  const v = tryParseVersion(s);
  if (!v) throw new UserError(`${what}: "${s}" is not a version such as 1.35.4`, "write major.minor.patch, with or without a leading v");
  return v;
}

/** <0, 0, >0 like a comparator; build suffixes ignored */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** minor releases from a to b (b.minor - a.minor within one major; Infinity across majors) */
export function minorsBetween(a: Version, b: Version): number {
  return a.major === b.major ? b.minor - a.minor : b.major > a.major ? Infinity : -Infinity;
}

export const minorOf = (v: Version): string => `${v.major}.${v.minor}`;
export const vText = (v: Version): string => `v${v.text}`;
