// The spec's per-object patches (apps[].patches): merged into the rendered objects, strategic-merge
// style — mappings merge key by key, lists of named items (containers, env, ports, volumes, mounts)
// merge by `name` (or `mountPath`/`containerPort` where that is the key), other lists are replaced,
// and null removes a key. Applied last, so the user always has the final word.
import { UserError } from "../../errors.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The key that identifies items of a list, if the list is a list of named items. */
function mergeKey(items: readonly unknown[]): string | undefined {
  for (const k of ["name", "mountPath", "containerPort", "devicePath", "ip"]) {
    if (items.length && items.every((i) => isObj(i) && i[k] !== undefined)) return k;
  }
  return undefined;
}

export function mergePatch(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? mergePatch(base[k], v) : structuredClone(v);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const key = mergeKey(base);
    if (key && mergeKey(patch) === key) {
      const out = base.map((i) => i as Obj);
      for (const p of patch as Obj[]) {
        const at = out.findIndex((i) => i[key] === p[key]);
        if (at >= 0) out[at] = mergePatch(out[at], p) as Obj;
        else out.push(structuredClone(p));
      }
      return out;
    }
  }
  return structuredClone(patch);
}

export interface ObjectPatch {
  readonly target: { readonly kind: string; readonly name?: string };
  readonly patch: Record<string, unknown>;
}

/** A patch that targets no object the app renders (drover check reports it at the patch's target). */
export class PatchTargetError extends UserError {
  constructor(message: string, hint: string, readonly index: number) {
    super(message, hint);
  }
}

/** Applies each patch to the objects it targets; a patch that targets nothing is a user error. */
export function applyPatches(objects: Obj[], patches: readonly ObjectPatch[], where: (i: number) => string): Obj[] {
  let out = objects;
  patches.forEach((p, i) => {
    let hit = false;
    out = out.map((o) => {
      const m = o.metadata as Obj | undefined;
      if (o.kind !== p.target.kind || (p.target.name !== undefined && m?.name !== p.target.name)) return o;
      hit = true;
      return mergePatch(o, p.patch) as Obj;
    });
    if (!hit) {
      const names = objects.map((o) => `${String(o.kind)}/${String((o.metadata as Obj | undefined)?.name)}`).join(", ");
      throw new PatchTargetError(`${where(i)}: the patch targets ${p.target.kind}${p.target.name ? `/${p.target.name}` : ""}, which is not rendered for this app`, `target one of: ${names}`, i);
    }
  });
  return out;
}
