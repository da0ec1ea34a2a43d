// The WireGuard mesh as data: for every node and seat, its interface and its peers (keys, allowed
// addresses, endpoints, keepalives). Pure; the text formats (wg-quick) are in conf.ts.
//
// Rules:
// - peers come from the topology (src/lab/mesh.ts): full-mesh, or site-leaders where leaders
//   relay for their site; seats connect to one hub node, which relays for them.
// - Endpoint: a peer on the same site is reached on its LAN address; a peer elsewhere only where it is
//   reachable (a public address, a site without NAT, or, for nodes that are not reachable themselves,
//   the site's forwarded endpoint for its entry node). A peer with no endpoint is reached once it has
//   contacted us.
// - PersistentKeepalive: on peers across sites when we are behind NAT (keeps the NAT mapping open so
//   the other side can reach us), and on every peer of a seat (roaming, usually behind NAT).
// - Relays (leaders, the seat hub) forward between peers: PostUp enables IPv4 forwarding; the hub also
//   masquerades seat traffic into its LAN so the private services answer.
import { dnsProvider } from "../../dns/index.js";
import type { Lab, Node, Seat } from "../../lab/types.js";
import type { LabSecrets } from "../../secrets/types.js";
import { presharedKey } from "../../secrets/preshared-keys.js";
import { linked, nodePeer, publicEndpoint, publicEndpoints, seatHub, seatPeer, servicesSite } from "../../lab/mesh.js";
import { rangeToCidrs } from "./ranges.js";

export interface WgPeer {
  /** "node/<name>" or "seat/<name>" */
  readonly id: string;
  /** a one-line comment naming the peer */
  readonly comment: string;
  readonly publicKey: string;
  readonly presharedKey: string;
  readonly allowedIps: readonly string[];
  readonly endpoint: string | undefined;
  readonly keepalive: number | undefined;
}

export interface WgInterface {
  readonly id: string;
  readonly comment: string;
  /** overlay address with prefix, e.g. 10.200.0.7/24 */
  readonly address: string;
  readonly privateKey: string;
  readonly listenPort: number | undefined;
  readonly mtu: number;
  readonly dns: readonly string[];
  /** wg-quick PostUp / PostDown commands (%i is the interface) */
  readonly postUp: readonly string[];
  readonly postDown: readonly string[];
  readonly peers: readonly WgPeer[];
}

const NAT_TABLE = "drover-seats";

function keyPair(secrets: LabSecrets, id: string) {
  const kp = secrets.wireguard[id];
  if (!kp) throw new Error(`internal: no WireGuard key for ${id} in the secrets store (ensureSecrets adds it)`);
  return kp;
}

function psk(secrets: LabSecrets, a: string, b: string): string {
  const k = presharedKey(secrets.wireguardPresharedKeys, a, b);
  if (!k) throw new Error(`internal: no preshared key for ${a} and ${b} in the secrets store`);
  return k;
}

/** Private routes a seat gets besides the overlay: the load-balancer pool and the private ingress. */
export function privateRoutes(lab: Lab): string[] {
  const out: string[] = [];
  if (lab.loadBalancer.pool) out.push(...rangeToCidrs(lab.loadBalancer.pool));
  const ing = lab.ingress.privateAddress;
  if (ing && !out.some((c) => inCidr(ing, c))) out.push(`${ing}/32`);
  return out;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const n = (s: string) => s.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base!) / size);
}

/** The private DNS server seats use: the private DNS app's load-balancer address, when there is one. */
export function privateDns(lab: Lab): string[] {
  const app = dnsProvider(lab.network.dns.private)?.app;
  if (!app) return [];
  const a = lab.apps.find((x) => x.catalog.name === app)?.loadBalancerAddress;
  return a ? [a] : [];
}

const host32 = (addr: string) => `${addr}/32`;

// the plan is shared by every target that needs it (wireguard, talos, k3s) in one render: Lab and
// LabSecrets are immutable, so one plan per pair of them
const plans = new WeakMap<Lab, WeakMap<LabSecrets, readonly WgInterface[]>>();

/** The interface of every node, in spec order (computed once per lab and secrets). */
export function nodeInterfaces(lab: Lab, secrets: LabSecrets): readonly WgInterface[] {
  let byLab = plans.get(lab);
  if (!byLab) plans.set(lab, (byLab = new WeakMap()));
  let plan = byLab.get(secrets);
  if (!plan) byLab.set(secrets, (plan = Object.freeze(planInterfaces(lab, secrets))));
  return plan;
}

/** What every node's interface is planned from, computed once per lab. */
interface MeshPlan {
  readonly lab: Lab;
  readonly secrets: LabSecrets;
  readonly siteLeaders: boolean;
  leaderOf(site: string): string | undefined;
  readonly hub: Node | undefined;
  readonly seatIps: readonly string[];
  readonly reach: ReturnType<typeof publicEndpoints>;
  readonly keepalive: number | undefined;
  /** per node: what every peer entry for it shares */
  readonly info: ReadonlyMap<string, { id: string; ip: string; only: readonly string[]; comment: string; publicKey: string; lan: string }>;
  /** site → its nodes' overlay addresses */
  readonly siteNodes: ReadonlyMap<string, string[]>;
  talks(a: string, b: string): boolean;
  /** everything outside a site, for its non-leaders' route through their leader */
  outsideOf(site: string): string[];
}

function meshPlan(lab: Lab, secrets: LabSecrets): MeshPlan {
  const port = lab.overlay.port;
  const info = new Map(
    lab.nodes.map((q) => {
      const id = nodePeer(q.name);
      const ip = host32(q.overlayAddress);
      return [q.name, { id, ip, only: Object.freeze([ip]) as readonly string[], comment: `node ${q.name} (site ${q.site}, ${q.address})`, publicKey: keyPair(secrets, id).publicKey, lan: `${q.address}:${port}` }];
    }),
  );
  const siteNodes = new Map<string, string[]>();
  for (const o of lab.nodes) (siteNodes.get(o.site) ?? siteNodes.set(o.site, []).get(o.site)!).push(info.get(o.name)!.ip);
  // once per site
  const outside = new Map<string, string[]>();
  return {
    lab,
    secrets,
    siteLeaders: lab.overlay.topology === "site-leaders",
    leaderOf: (site) => lab.overlay.leaders[site],
    hub: lab.seats.length ? seatHub(lab) : undefined,
    seatIps: lab.seats.map((s) => host32(s.overlayAddress)),
    reach: publicEndpoints(lab),
    keepalive: lab.overlay.keepalive > 0 ? lab.overlay.keepalive : undefined,
    info,
    siteNodes,
    talks: linked(lab),
    outsideOf(site) {
      let o = outside.get(site);
      if (!o) outside.set(site, (o = lab.nodes.filter((x) => x.site !== site).map((x) => info.get(x.name)!.ip)));
      return o;
    },
  };
}

function planInterfaces(lab: Lab, secrets: LabSecrets): WgInterface[] {
  const m = meshPlan(lab, secrets);
  return lab.nodes.map((n) => {
    const id = m.info.get(n.name)!.id;
    const isLeader = m.siteLeaders && m.leaderOf(n.site) === n.name;
    const isHub = m.hub?.name === n.name;
    const { postUp, postDown } = forwarding(m, n, isLeader, isHub);
    return {
      id,
      comment: `node ${n.name} (site ${n.site}, ${n.nat ? "behind NAT" : "reachable"}), ${lab.overlay.topology}${isLeader ? ", site leader" : ""}${isHub ? ", seat hub" : ""}`,
      address: `${n.overlayAddress}/${lab.overlay.prefix}`,
      privateKey: keyPair(secrets, id).privateKey,
      listenPort: lab.overlay.port,
      mtu: lab.overlay.mtu,
      dns: [],
      postUp,
      postDown,
      peers: [...nodePeers(m, n, isLeader, isHub), ...(isHub ? seatPeers(m, id) : [])],
    };
  });
}

/** A node's peers among the nodes, in spec order (the topology of src/lab/mesh.ts): what each carries and where it is dialled. */
function nodePeers(m: MeshPlan, n: Node, isLeader: boolean, isHub: boolean): WgPeer[] {
  const { lab, secrets, siteLeaders, leaderOf, hub, seatIps } = m;
  const id = m.info.get(n.name)!.id;
  const peers: WgPeer[] = [];
  for (const q of lab.nodes) {
    if (q === n) continue;
    const sameSite = q.site === n.site;
    if (!m.talks(n.name, q.name)) continue;
    const qi = m.info.get(q.name)!;
    let allowed: readonly string[] = qi.only;
    const extra: string[] = [];
    if (siteLeaders) {
      if (!sameSite) {
        // another site's leader: it relays for its whole site
        for (const a of m.siteNodes.get(q.site)!) if (a !== qi.ip) extra.push(a);
      } else if (!isLeader && leaderOf(n.site) === q.name) {
        // our own leader: everything outside our site goes through it
        extra.push(...m.outsideOf(n.site));
      }
    }
    // the seats' hub carries the seats (a non-leader elsewhere reaches them through its own leader)
    if (hub && !isHub && hub.name === q.name && !(siteLeaders && !isLeader && !sameSite)) extra.push(...seatIps);
    else if (hub && !isHub && siteLeaders && !isLeader && leaderOf(n.site) === q.name && hub.site !== n.site) extra.push(...seatIps);
    if (extra.length) allowed = [qi.ip, ...extra];
    peers.push({
      id: qi.id,
      comment: qi.comment,
      publicKey: qi.publicKey,
      presharedKey: psk(secrets, id, qi.id),
      allowedIps: allowed,
      // a peer reached only through its site's forwarded port is dialled that way only by nodes that
      // cannot be reached themselves; a reachable node waits for it to call (it keeps alive), and then
      // answers the address the call came from (the router may map that node to another port)
      endpoint: sameSite ? qi.lan : q.wireguardEndpoint ?? (n.wireguardEndpoint ? undefined : m.reach.get(q.name)),
      keepalive: n.nat && !sameSite ? m.keepalive : undefined,
    });
  }
  return peers;
}

/** The seat hub's peers: one per seat. */
function seatPeers(m: MeshPlan, id: string): WgPeer[] {
  return m.lab.seats.map((s) => {
    const sid = seatPeer(s.name);
    return {
      id: sid,
      comment: `seat ${s.name}${s.owner ? ` (${s.owner}'s ${s.device})` : ` (${s.device})`}`,
      publicKey: keyPair(m.secrets, sid).publicKey,
      presharedKey: psk(m.secrets, id, sid),
      allowedIps: [host32(s.overlayAddress)],
      endpoint: undefined,
      keepalive: undefined,
    };
  });
}

/** Leaders and the hub forward; the hub masquerades the seats onto its LAN. */
function forwarding(m: MeshPlan, n: Node, isLeader: boolean, isHub: boolean): { postUp: string[]; postDown: string[] } {
  const postUp: string[] = [];
  const postDown: string[] = [];
  if (isLeader || isHub) postUp.push("sysctl -q -w net.ipv4.ip_forward=1");
  if (isHub) {
    const site = m.lab.site(n.site);
    postUp.push(
      // idempotent (flush before adding), so it can be re-run on a live interface (see applyOnNode)
      `nft add table ip ${NAT_TABLE}; nft flush table ip ${NAT_TABLE}; nft add chain ip ${NAT_TABLE} postrouting '{ type nat hook postrouting priority srcnat; }'; nft add rule ip ${NAT_TABLE} postrouting ip saddr { ${m.lab.seats.map((s) => s.overlayAddress).join(", ")} } ip daddr ${site.lan} masquerade`,
    );
    postDown.push(`nft delete table ip ${NAT_TABLE}`);
  }
  return { postUp, postDown };
}

/** A seat's interface: one peer, the hub, carrying the overlay and the private services. */
export function seatInterface(lab: Lab, secrets: LabSecrets, seat: Seat): WgInterface {
  const hub = seatHub(lab);
  if (!hub) throw new Error("internal: a lab without nodes has no seat hub");
  const id = seatPeer(seat.name);
  const hid = nodePeer(hub.name);
  const site = servicesSite(lab);
  return {
    id,
    comment: `seat ${seat.name}${seat.owner ? ` for ${seat.owner}` : ""} (${seat.device}) on lab ${lab.name}`,
    address: host32(seat.overlayAddress),
    privateKey: keyPair(secrets, id).privateKey,
    listenPort: undefined,
    mtu: lab.overlay.mtu,
    dns: privateDns(lab),
    postUp: [],
    postDown: [],
    peers: [
      {
        id: hid,
        comment: `node ${hub.name} (site ${site} entry, relays for the lab)`,
        publicKey: keyPair(secrets, hid).publicKey,
        presharedKey: psk(secrets, id, hid),
        allowedIps: [lab.overlay.subnet, ...privateRoutes(lab)],
        endpoint: publicEndpoint(lab, hub),
        keepalive: lab.overlay.keepalive > 0 ? lab.overlay.keepalive : 25,
      },
    ],
  };
}
