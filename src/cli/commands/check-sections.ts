// The modules that add sections to the `drover check` summary (they push onto summarySections when
// imported). Both the full command set (index.ts) and the fast path for `drover check` (main.ts)
// import this file: register a new section here, not only in index.ts.
import "./keys.js";
import "./what-if-summary.js";
import "./mesh-summary.js";
import "./exposure-summary.js";
