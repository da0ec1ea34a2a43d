import type { Command } from "commander";
import type { Context } from "../context.js";
import * as check from "./check.js";
import * as schema from "./schema.js";
import * as render from "./render.js";
import * as keys from "./keys.js";
import * as whatIf from "./what-if.js";
import * as ui from "./ui.js";
import * as apply from "./apply.js";
import * as diff from "./diff.js";
import * as status from "./status.js";
import * as node from "./node.js";
import * as init from "./init.js";
import * as seat from "./seat.js";
import * as secrets from "./secrets.js";
import * as catalog from "./catalog.js";
import * as upgrade from "./upgrade.js";
import * as backup from "./backup.js";
import * as upCmd from "./up.js";
import * as completion from "./completion.js";
import * as ca from "./ca.js";
import "./check-sections.js";

/** Every command module; each registers itself on the program. */
export const commands: readonly { register(program: Command, ctx: Context): void }[] = [init, check, schema, render, keys, whatIf, ui, apply, diff, status, node, seat, secrets, catalog, upgrade, backup, upCmd, ca, completion];
