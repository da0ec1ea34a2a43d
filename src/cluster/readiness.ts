// When is an applied object done? kubectl rollout status's rules for Deployments, StatefulSets and
// DaemonSets; Jobs complete (or fail); CRDs Established. Everything else is ready once applied.
import type { KubeObject } from "./objects.js";

export interface Readiness {
  readonly ready: boolean;
  /** it can't become ready (a failed Job) */
  readonly failed?: boolean;
  /** "2/3 ready", "waiting for the rollout to be observed" … */
  readonly message: string;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const cond = (o: Obj, type: string): { status?: string; reason?: string; message?: string } | undefined =>
  ((o.status?.conditions as { type: string; status?: string; reason?: string; message?: string }[] | undefined) ?? []).find((c) => c.type === type);

/** The kinds whose readiness is more than existing. */
export const WAITED_KINDS: ReadonlySet<string> = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "batch/Job", "apiextensions.k8s.io/CustomResourceDefinition"]);

export function waitedKind(apiVersion: string, kind: string): boolean {
  const g = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return WAITED_KINDS.has(`${g}/${kind}`);
}

export function readiness(o: Obj): Readiness {
  const s = o.status ?? {};
  const gen = num(o.metadata.generation);
  const observed = num(s.observedGeneration);
  switch (o.kind) {
    case "Deployment": {
      if (observed < gen) return { ready: false, message: "waiting for the rollout to be observed" };
      const progressing = cond(o, "Progressing");
      if (progressing?.reason === "ProgressDeadlineExceeded") return { ready: false, failed: true, message: `rollout exceeded its progress deadline: ${progressing.message ?? ""}` };
      const want = o.spec?.replicas === undefined ? 1 : num(o.spec.replicas);
      const updated = num(s.updatedReplicas);
      const available = num(s.availableReplicas);
      const total = num(s.replicas);
      if (updated < want) return { ready: false, message: `${updated}/${want} updated` };
      if (total > updated) return { ready: false, message: `${total - updated} old replicas pending termination` };
      if (available < updated) return { ready: false, message: `${available}/${want} available` };
      return { ready: true, message: `${available}/${want} available` };
    }
    case "StatefulSet": {
      if (observed < gen) return { ready: false, message: "waiting for the rollout to be observed" };
      const want = o.spec?.replicas === undefined ? 1 : num(o.spec.replicas);
      const ready = num(s.readyReplicas);
      const strategy = (o.spec?.updateStrategy as { type?: string } | undefined)?.type;
      if (ready < want) return { ready: false, message: `${ready}/${want} ready` };
      if (strategy !== "OnDelete" && s.updateRevision && s.currentRevision !== s.updateRevision && num(s.updatedReplicas) < want) {
        return { ready: false, message: `${num(s.updatedReplicas)}/${want} updated` };
      }
      return { ready: true, message: `${ready}/${want} ready` };
    }
    case "DaemonSet": {
      if (observed < gen) return { ready: false, message: "waiting for the rollout to be observed" };
      const want = num(s.desiredNumberScheduled);
      const updated = num(s.updatedNumberScheduled);
      const available = num(s.numberAvailable);
      if (updated < want) return { ready: false, message: `${updated}/${want} updated` };
      if (available < want) return { ready: false, message: `${available}/${want} available` };
      return { ready: true, message: `${available}/${want} available` };
    }
    case "Job": {
      if (cond(o, "Failed")?.status === "True") return { ready: false, failed: true, message: `failed: ${cond(o, "Failed")?.message ?? cond(o, "Failed")?.reason ?? ""}` };
      if (cond(o, "Complete")?.status === "True") return { ready: true, message: "complete" };
      return { ready: false, message: `${num(s.succeeded)}/${num(o.spec?.completions ?? 1)} succeeded` };
    }
    case "CustomResourceDefinition": {
      if (cond(o, "Established")?.status === "True") return { ready: true, message: "established" };
      const np = cond(o, "NamesAccepted");
      if (np?.status === "False") return { ready: false, failed: true, message: `names not accepted: ${np.message ?? ""}` };
      return { ready: false, message: "not established yet" };
    }
    default:
      return { ready: true, message: "applied" };
  }
}
