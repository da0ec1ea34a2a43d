import { test } from "node:test";
import assert from "node:assert/strict";
import { cronError } from "./cron.js";

test("cron: what a Kubernetes CronJob (robfig/cron ParseStandard) accepts", () => {
  for (const ok of ["0 3 * * *", "*/15 * * * *", "0 */2 * * *", "30 2 1,15 * *", "0 9 * jan-mar mon-fri", "0 0 ? * SUN", "5/10 * * * *", "0-59/5 0-23 1-31 1-12 0-6", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "  0 3 * * *  "]) assert.equal(cronError(ok), undefined, ok);
});

test("cron: injections, junk, wrong counts and out-of-range values are refused", () => {
  for (const bad of ["@hourly; rm -rf /", "junk 0 3 * * *", "0 3 * * * junk", "0 3 * *", "", "@every 1h", "@reboot", "CRON_TZ=UTC 0 3 * * *", "TZ=Europe/Paris 0 3 * * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 7", "*/0 * * * *", "5-1 * * * *", "1-2-3 * * * *", "1/2/3 * * * *", "1,,2 * * * *", "a * * * *", "0 3 * * *\n0 4 * * *", "0\u20283 * * *", "+5 * * * *", "0 0 * foo *"]) assert.ok(cronError(bad), JSON.stringify(bad));
});
