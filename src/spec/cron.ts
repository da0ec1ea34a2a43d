// Cron schedules as a Kubernetes CronJob reads them (robfig/cron v3, ParseStandard): five fields
// (minute hour day-of-month month day-of-week), each a comma list of `*`, `?`, a value or a range
// low-high, optionally /step; months and weekdays may be named (jan, mon…, any case); or one of the
// descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly. Kubernetes refuses a
// TZ= or CRON_TZ= prefix (the CronJob's timeZone field says it), so Drover does too. Stricter than
// the library where it is lax (empty list items, signs, other whitespace): nothing accepted here is
// read differently by it.

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 6, names: DAYS },
];

export const CRON_DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"] as const;

const show = (s: string) => JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s);

function value(text: string, f: Field): number | string {
  if (/^[0-9]{1,4}$/.test(text)) return Number(text);
  const named = f.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  return `${show(text)} is not a ${f.name}${f.names ? ` (a number or a name such as ${Object.keys(f.names)[1]})` : " (a number)"}`;
}

function exprError(expr: string, f: Field): string | undefined {
  const parts = expr.split("/");
  if (parts.length > 2) return `${show(expr)} has more than one '/'`;
  const [range, stepText] = parts as [string, string | undefined];
  let low: number;
  let high: number;
  if (range === "*" || range === "?") {
    low = f.min;
    high = f.max;
  } else {
    const ends = range.split("-");
    if (ends.length > 2) return `${show(expr)} has more than one '-'`;
    const a = value(ends[0]!, f);
    if (typeof a === "string") return a;
    const b = ends.length === 2 ? value(ends[1]!, f) : stepText !== undefined ? f.max : a;
    if (typeof b === "string") return b;
    low = a;
    high = b;
  }
  if (stepText !== undefined) {
    if (!/^[0-9]{1,4}$/.test(stepText)) return `the step ${show(stepText)} is not a number`;
    if (Number(stepText) === 0) return `the step in ${show(expr)} must be a positive number`;
  }
  if (low < f.min || high > f.max) return `${show(expr)} is outside the ${f.name} range ${f.min}-${f.max}`;
  if (low > high) return `${show(expr)} starts after it ends`;
  return undefined;
}

/** Why Kubernetes would refuse this schedule, or undefined when it is a valid one. */
export function cronError(schedule: string): string | undefined {
  if (/TZ/.test(schedule)) return "must not name a time zone (TZ= or CRON_TZ=): Kubernetes refuses it in a schedule";
  if (!/^[\x20-\x7e\t]*$/.test(schedule)) return "must be plain text on one line";
  const s = schedule.replace(/^[ \t]+|[ \t]+$/g, "");
  if (s === "") return "must not be empty";
  if (s.startsWith("@")) {
    if ((CRON_DESCRIPTORS as readonly string[]).includes(s)) return undefined;
    return `${show(s)} is not a schedule macro (one of ${CRON_DESCRIPTORS.join(", ")})`;
  }
  const fields = s.split(/[ \t]+/);
  if (fields.length !== 5) return `has ${fields.length} field${fields.length === 1 ? "" : "s"}, not 5`;
  for (let i = 0; i < 5; i++) {
    const f = FIELDS[i]!;
    for (const expr of fields[i]!.split(",")) {
      if (expr === "") return `the ${f.name} field ${show(fields[i]!)} has an empty list item`;
      const e = exprError(expr, f);
      if (e) return `${f.name}: ${e}`;
    }
  }
  return undefined;
}
