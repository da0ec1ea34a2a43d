import type { Output } from "./output.js";

/** What every command gets: its output (JSON or text) decided from the global flags. */
export interface Context {
  output(): Output;
}
