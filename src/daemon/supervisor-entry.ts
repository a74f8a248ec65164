import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadCached } from "../util/code-cache.js";
import { debugging } from "../util/debugging.js";
import { packageInfo } from "../util/package-root.js";

// The supervisor's entry, which `up -d` forks: dist/cjs/supervisor.js, a CommonJS script like the CLI's entry
// (Node starts an ES module entry through its ES module loader, ~4 ms), and dist/supervisor.js, the same as an
// ES module. It runs the supervisor's CommonJS bundle (cjs/supervisor.cjs) with V8's code cache, as the CLI's
// entry runs a command's (see util/code-cache.ts): `up -d` waits for its supervisor before the first service
// starts, and compiling the bundle was most of the supervisor's own start-up. When debugging (PORTMATE_DEBUG:
// stack traces through source maps, which a vm.Script has none of) or without that script, the ES module bundle
// of the same code runs instead.

/** The hash of the supervisor's script, set by the build (scripts/bundle-cli.mjs). */
declare const PORTMATE_SUPERVISOR_KEY: string | undefined;

/** Runs the CommonJS script with its code cache; false when it is not to be (debugging) or not there. */
function cachedScript(): boolean {
  if (typeof PORTMATE_SUPERVISOR_KEY === "undefined" || debugging()) return false;
  const file = join(packageInfo().root, "dist", "cjs", "supervisor.cjs");
  if (!existsSync(file)) return false;
  loadCached(file, PORTMATE_SUPERVISOR_KEY);
  return true;
}

if (!cachedScript()) void import("./supervisor-main.js");
