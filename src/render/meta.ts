// Kubernetes object metadata, built one way: name, namespace (when namespaced), labels, annotations
// (only when there are some). Platform components add the managed-by label (flux/layout.ts meta),
// apps pass their full label set (apps/labels.ts meta); both build it here.
export type ObjectMeta = { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };

export function objectMeta(name: string, namespace: string | undefined, labels: Record<string, string>, annotations?: Record<string, string>): ObjectMeta {
  return { name, ...(namespace ? { namespace } : {}), labels, ...(annotations && Object.keys(annotations).length ? { annotations } : {}) };
}

/** The label every object Drover renders carries. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "drover" } as const;
