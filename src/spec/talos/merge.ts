// Talos's strategic merge for config patches: maps merge key by key, lists append (except the few
// fields Talos marks merge:"replace"), scalars replace, `$patch: delete` removes a key. A patch that
// puts a map where a list or scalar is (or the other way round) is refused with the path it broke at.

/** Talos 1.12 v1alpha1 fields tagged merge:"replace": patches replace these lists instead of appending. */
const REPLACE_LISTS = new Set(["podSubnets", "serviceSubnets"]);
/** Talos 1.12 fields tagged merge:"replace" that hold a whole object (the audit policy). */
const REPLACE_OBJECTS = new Set(["auditPolicy"]);

export class PatchError extends Error {
  constructor(readonly path: readonly (string | number)[], message: string) {
    super(message);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const kindOf = (v: unknown): string => (Array.isArray(v) ? "a list" : isObj(v) ? "a map" : v === null ? "null" : `a ${typeof v}`);

/** `base` with `patch` merged in; neither input is changed. `path` locates errors (the patch's place). */
export function strategicMerge(base: unknown, patch: unknown, path: (string | number)[] = []): unknown {
  if (isObj(patch) && isObj(base)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (k === "$patch") continue;
      if (isObj(v) && v.$patch === "delete") {
        delete out[k];
        continue;
      }
      const have = out[k];
      if (have === undefined || have === null || REPLACE_OBJECTS.has(k)) out[k] = clean(v);
      else if (Array.isArray(have) && Array.isArray(v)) out[k] = REPLACE_LISTS.has(k) ? clean(v) : [...have, ...(clean(v) as unknown[])];
      else if (isObj(have) !== isObj(v) || Array.isArray(have) !== Array.isArray(v)) {
        if (v === null) out[k] = null;
        else throw new PatchError([...path, k], `${[...path, k].join(".")} is ${kindOf(have)} in the Talos machine config, but the patch gives ${kindOf(v)}`);
      } else out[k] = strategicMerge(have, v, [...path, k]);
    }
    return out;
  }
  return clean(patch);
}

// drops `$patch` markers from freshly added values
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (k !== "$patch" && !(isObj(x) && x.$patch === "delete")) out[k] = clean(x);
    return out;
  }
  return v;
}
