// What the catalog knows about an app: everything Drover needs to run it well, and to reason
// about where it can run (arch, devices, state) without the user saying so.

export type Arch = "amd64" | "arm64";

export interface CatalogPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: "TCP" | "UDP";
  /** served over HTTP(S) through the ingress (the first http port is the app's web UI) */
  readonly http?: boolean;
  /** a raw TCP/UDP port that should get its own load-balancer address (DNS, git over SSH) */
  readonly loadBalancer?: boolean;
}

export interface CatalogVolume {
  readonly name: string;
  readonly path: string;
  /** default size */
  readonly size: string;
}

export interface CatalogApp {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** homepage icon reference, e.g. "vaultwarden.png" (dashboard-icons) */
  readonly icon: string;
  /** default namespace */
  readonly category: string;
  readonly image: { readonly repository: string; readonly tag: string };
  readonly archs: readonly Arch[];
  readonly ports: readonly CatalogPort[];
  /** persistent state; empty means stateless */
  readonly volumes: readonly CatalogVolume[];
  /** stateless apps may scale; stateful ones run exactly one replica */
  readonly replicas: { readonly default: number; readonly scalable: boolean };
  readonly dependencies: readonly ("postgres" | "redis")[];
  readonly devices?: { readonly gpu?: "optional" | "required"; readonly serial?: boolean };
  readonly resources: { readonly cpu: string; readonly memory: string };
  readonly exposure: "public" | "private" | "none";
  readonly env?: Readonly<Record<string, string>>;
  readonly healthPath?: string;
  readonly runAsUser?: number;
}
