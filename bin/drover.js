#!/usr/bin/env node
import { main } from "../dist/cli/main.js";
// a closed pipe (drover check | head) ends the output quietly, not with a stack trace
for (const s of [process.stdout, process.stderr]) s.on("error", (e) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); else throw e; });
process.exitCode = await main(process.argv.slice(2));
