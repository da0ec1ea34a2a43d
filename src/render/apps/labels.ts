// The labels every object of an app carries, and the selector its pods are found by.
import { MANAGED_BY, objectMeta } from "../meta.js";
import type { App } from "../../lab/types.js";
import { INSTANCE_LABEL } from "../../lab/pods.js";

export { MANAGED_BY };

/** Labels of the app's own objects. */
export function appLabels(a: App): Record<string, string> {
  return {
    "app.kubernetes.io/name": a.catalog.name,
    "app.kubernetes.io/instance": a.name,
    "app.kubernetes.io/version": labelValue(a.image.tag),
    ...MANAGED_BY,
  };
}

/** The pod selector of the app's main workload (dependencies have their own instance label). */
export function appSelector(a: App): Record<string, string> {
  return { [INSTANCE_LABEL]: a.name };
}

/** Labels of a component that belongs to an app (its postgres, its redis). */
export function componentLabels(a: App, component: string, name: string, version: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": `${a.name}-${component}`,
    "app.kubernetes.io/version": labelValue(version),
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": a.name,
    ...MANAGED_BY,
  };
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends. */
export function labelValue(s: string): string {
  const v = s.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 63);
  return v.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
}

export function meta(name: string, namespace: string, labels: Record<string, string>, annotations?: Record<string, string>): Record<string, unknown> {
  return objectMeta(name, namespace, labels, annotations);
}
