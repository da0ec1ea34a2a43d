// Direct: the router of the public site forwards 80/443 (and each public app port) to the lab, and
// public DNS records point at the site's fixed public address (an IPv4: A records; a name kept current
// elsewhere, e.g. the router's own dynamic DNS: CNAMEs). A private address is never a target.
import { isPrivateIpv4, parseIp } from "../net/ip.js";
import type { ExposureMode, PublicTarget } from "./contract.js";

/** What public DNS records point at for a site reached at `address`. */
export function addressTarget(address: string | undefined): PublicTarget | undefined {
  if (!address) return undefined;
  if (parseIp(address) !== undefined) return isPrivateIpv4(address) ? undefined : { kind: "address", value: address };
  return { kind: "name", value: address };
}

export const direct: ExposureMode = {
  name: "direct",
  title: "port forwards",
  summary: "the router forwards ports to a fixed public address",
  uses: () => true,
  target: (at) => addressTarget(at.siteAddress),
  webForwards: true,
  http01: true,
  proxied: false,
  credentials: [],
  carries: "all",
  check: () => [],
  checkSite: () => [],
};
