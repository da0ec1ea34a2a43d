// The exposure-mode contract, capability side: how a site's public services are reached from the
// internet (direct port forwards, a DDNS name, a Cloudflare Tunnel), answered as data, so that spec
// rules, the Lab's public entry and external-dns ask the mode instead of testing network.tunnel or
// sites[].dynamicAddress. What it renders (cloudflared, the DDNS updater) is its file under
// render/platform/exposure/, found by name in render/platform/exposure/index.ts.

/** What public DNS records point at: "address", an A record to an IPv4; "name", a CNAME to a DNS name. */
export interface PublicTarget {
  readonly kind: "address" | "name";
  readonly value: string;
}

/** The lab.yaml fields a mode reads (the Spec has them; this layer sits below spec/). */
export interface ExposureSpec {
  readonly cluster: { readonly domains: { readonly public?: string | undefined } };
  readonly network: {
    readonly dns: { readonly public: string };
    readonly tls: { readonly challenge: string };
    readonly tunnel?: { readonly id: string } | undefined;
  };
  readonly sites: readonly { readonly name: string; readonly dynamicAddress?: boolean | undefined; readonly publicAddress?: string | undefined }[];
}

/** A lab.yaml problem of the mode: where (a path), what is wrong, how to fix it. */
export interface ExposureProblem {
  readonly at: readonly (string | number)[];
  readonly message: string;
  readonly fix: string;
}

export interface ExposureMode {
  readonly name: "direct" | "ddns" | "tunnel";
  /** how messages name it */
  readonly title: string;
  /** a few words for help texts */
  readonly summary: string;
  /** whether the public site is reached this way (the table's first mode that says yes wins) */
  uses(lab: { readonly tunnel: boolean; readonly dynamicAddress: boolean }): boolean;
  /** the public entry: what public DNS records point at, from the tunnel's id or the public site's address */
  target(at: { readonly tunnelId?: string | undefined; readonly siteAddress?: string | undefined }): PublicTarget | undefined;
  /** the public site's router forwards 80 and 443 to the public ingress */
  readonly webForwards: boolean;
  /** Let's Encrypt's HTTP-01 challenge can reach the lab's port 80 this way (given the forwards) */
  readonly http01: boolean;
  /** external-dns publishes the public records proxied (through the provider's edge) */
  readonly proxied: boolean;
  /** the public DNS provider it works with (network.dns.public), when it needs one */
  readonly publicDns?: string;
  /** the stored secrets it needs (drover secrets set <name>) */
  readonly credentials: readonly string[];
  /** what it carries to the lab: every public port, or only HTTP(S) to the public entry point */
  readonly carries: "all" | "https";
  /** lab.yaml problems of the lab-wide settings */
  check(spec: ExposureSpec): Iterable<ExposureProblem>;
  /** lab.yaml problems of one site using it */
  checkSite(spec: ExposureSpec, site: number): Iterable<ExposureProblem>;
  /** when it carries HTTPS only: the public entry point has no address; a raw public port it cannot carry */
  readonly reach?: {
    /** the lab.yaml field that chose the mode, where the missing address is reported */
    readonly at: readonly string[];
    readonly noEntryAddress: { readonly message: string; readonly fix: string };
    rawPort(app: string, port: string): { readonly message: string; readonly fix: string };
  };
}
