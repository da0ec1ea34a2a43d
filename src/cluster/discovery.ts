// API discovery: which resources the server serves, so an object's apiVersion+kind maps to a URL
// (plural name, namespaced or not). Uses aggregated discovery (two requests for the whole server)
// and falls back to the per-group-version documents of older servers.

export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** the URL segment, e.g. "deployments" */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** apiVersion ("apps/v1", "v1") + kind → resource. */
export class ResourceMap {
  private readonly byGvk = new Map<string, ResourceInfo>();
  /** group/kind → preferred (first-listed) version's resource */
  private readonly byGk = new Map<string, ResourceInfo>();

  add(r: ResourceInfo): void {
    const gv = r.group ? `${r.group}/${r.version}` : r.version;
    const k = `${gv}|${r.kind}`;
    if (!this.byGvk.has(k)) this.byGvk.set(k, r);
    const gk = `${r.group}|${r.kind}`;
    if (!this.byGk.has(gk)) this.byGk.set(gk, r);
  }

  get(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.byGvk.get(`${apiVersion}|${kind}`);
  }

  /** The server's preferred version of a group's kind. */
  preferred(group: string, kind: string): ResourceInfo | undefined {
    return this.byGk.get(`${group}|${kind}`);
  }

  all(): ResourceInfo[] {
    return [...this.byGvk.values()];
  }
}

/** Media type that asks for aggregated discovery (v2), with plain JSON as the fallback. */
export const AGGREGATED_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

interface AggregatedList {
  kind: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: { resource: string; scope: string; responseKind?: { group?: string; version?: string; kind: string }; verbs?: string[] }[];
    }[];
  }[];
}

/** Reads an APIGroupDiscoveryList (from /api or /apis) into the map; false when the document is not one. */
export function addAggregated(map: ResourceMap, doc: unknown): boolean {
  const d = doc as AggregatedList;
  if (!d || d.kind !== "APIGroupDiscoveryList") return false;
  for (const g of d.items ?? []) {
    const group = g.metadata?.name ?? "";
    for (const v of g.versions ?? []) {
      for (const r of v.resources ?? []) {
        if (!r.responseKind?.kind || r.resource.includes("/")) continue;
        map.add({ group, version: v.version, kind: r.responseKind.kind, plural: r.resource, namespaced: r.scope === "Namespaced", verbs: r.verbs ?? [] });
      }
    }
  }
  return true;
}

interface LegacyResourceList {
  groupVersion: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/** Reads one APIResourceList (/api/v1, /apis/apps/v1). */
export function addLegacy(map: ResourceMap, doc: unknown): void {
  const d = doc as LegacyResourceList;
  const i = d.groupVersion.indexOf("/");
  const group = i < 0 ? "" : d.groupVersion.slice(0, i);
  const version = i < 0 ? d.groupVersion : d.groupVersion.slice(i + 1);
  for (const r of d.resources ?? []) {
    if (r.name.includes("/")) continue; // subresources
    map.add({ group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] });
  }
}
