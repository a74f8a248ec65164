import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCached } from "../util/code-cache.js";

// The supervisor's entry (dist/supervisor.js): it runs the supervisor's CommonJS bundle (cjs/supervisor.cjs)
// with V8's code cache, as the CLI's entry runs a command's (see util/code-cache.ts). `up -d` waits for its
// supervisor before the first service starts, and compiling the bundle was most of the supervisor's own
// start-up. When debugging (PORTMATE_DEBUG: stack traces through source maps, which a vm.Script has none of) or
// without that script, the ES module bundle of the same code runs instead.

/** The hash of the supervisor's script, set by the build (scripts/bundle-cli.mjs). */
declare const PORTMATE_SUPERVISOR_KEY: string | undefined;

/** Runs the CommonJS script with its code cache; false when it is not to be (debugging) or not there. */
function cachedScript(): boolean {
  const debug = process.env.PORTMATE_DEBUG;
  if (typeof PORTMATE_SUPERVISOR_KEY === "undefined" || (debug && debug !== "0")) return false;
  const file = fileURLToPath(new URL("./cjs/supervisor.cjs", import.meta.url));
  if (!existsSync(file)) return false;
  loadCached(file, PORTMATE_SUPERVISOR_KEY);
  return true;
}

if (!cachedScript()) await import("./supervisor-main.js");
