#!/usr/bin/env node
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { packageInfo } from "../util/package-root.js";
import { loadCached } from "../util/code-cache.js";
import { debugging } from "../util/debugging.js";
import { namedCommand, type CommandName } from "./command-name.js";
import { startSupervisorEarly, startWatchdogEarly } from "./early-start.js";
import { timing } from "./timing.js";

// The CLI's entry (built as dist/portmate.cjs, the package's bin): it loads the bundle of the one command argv
// names (see scripts/bundle-cli.mjs), so `ps` loads neither `up`'s supervisor nor its progress display, and
// starts what `up` needs meanwhile. It is CommonJS, so no top-level await.
timing("entry");

const argv = process.argv.slice(2);
// `portmate --version` alone, as scripts and bug reports ask for it, without loading a command: the same line
// commander prints.
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`${packageInfo().version}\n`);
  process.exit(0);
}
// Stack traces of the bundle point into src/ (it ships its source maps): wanted only when debugging, and
// switched on before the bundle loads, as a module's source map is read when it is.
if (debugging(process.env)) process.setSourceMapsEnabled(true);
startSupervisorEarly(argv);
startWatchdogEarly(argv);

/** Each command's bundle, and the whole CLI for help, completion, an unknown command or none. */
const BUNDLES: Record<CommandName | "all", () => Promise<{ start: (argv: readonly string[]) => Promise<never> }>> = {
  up: () => import("./entries/up.js"),
  ps: () => import("./entries/ps.js"),
  down: () => import("./entries/down.js"),
  logs: () => import("./entries/logs.js"),
  port: () => import("./entries/port.js"),
  env: () => import("./entries/env.js"),
  export: () => import("./entries/export.js"),
  config: () => import("./entries/config.js"),
  who: () => import("./entries/who.js"),
  restart: () => import("./entries/restart.js"),
  stop: () => import("./entries/stop.js"),
  proxy: () => import("./entries/proxy.js"),
  start: () => import("./entries/start.js"),
  run: () => import("./entries/run.js"),
  trust: () => import("./entries/trust.js"),
  dashboard: () => import("./entries/dashboard.js"),
  mcp: () => import("./entries/mcp.js"),
  init: () => import("./entries/init.js"),
  completion: () => import("./entries/completion.js"),
  all: () => import("./entries/all.js"),
};

/** The hash of each command's script, set by the build (scripts/bundle-cli.mjs); undefined in dist/cli/bin.js. */
declare const PORTMATE_SCRIPT_KEYS: Record<string, string> | undefined;

type Bundle = Awaited<ReturnType<(typeof BUNDLES)["all"]>>;
const name = namedCommand(argv) ?? "all";

/**
 * The command's bundle as a CommonJS script with V8's code cache (see util/code-cache.ts), or as the ES module
 * above when debugging (Node maps a vm.Script's stack to no source) or when the script is not there.
 */
function commandScript(): Bundle | undefined {
  const key = typeof PORTMATE_SCRIPT_KEYS === "undefined" ? undefined : PORTMATE_SCRIPT_KEYS[name];
  if (!key || debugging(process.env)) return undefined;
  let file: string;
  try {
    file = fileURLToPath(new URL(`./cjs/main-${name}.cjs`, import.meta.url));
    if (!existsSync(file)) return undefined;
  } catch {
    return undefined;
  }
  return loadCached(file, key) as Bundle;
}

void (async () => {
  const { start } = commandScript() ?? (await BUNDLES[name]());
  await start(argv);
})();
