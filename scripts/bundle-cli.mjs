// Bundles the CLI (dist/portmate.cjs and a bundle per command), the detached supervisor (dist/cjs/supervisor.js)
// and the reaper a watchdog runs when a supervisor dies (dist/reaper.js), each with its dependencies.
// Why bundles: on Node 20 (no module compile cache) loading execa, yaml, listr2 and ajv as ~400 separate ES
// modules costs ~230 ms before portmate can do anything; bundled, the same code loads in ~25 ms.
// Why a bundle per command: every file costs the loader about a millisecond of its own, and one bundle split
// into chunks shared between commands made `portmate port` load 20 files and `up` 42. Now the entry
// (src/cli/bin.ts) loads one file with that command and what it needs, and `main-all` for help and
// completion. Code shared by commands is repeated in their bundles: disk, not time.
// Each command bundle is built twice: as one CommonJS script, `cjs/main-COMMAND.cjs`, which the entry runs with
// V8's code cache (see below), and as an ES module, `chunks/main-COMMAND.js` (what it loads later, such as the
// exporters, is a chunk of its own), which it loads when debugging.
// The supervisor is a bundle of its own so it carries no config parser, CLI or progress display: it stays in
// memory as long as the stack runs. Like a command's, it runs as a CommonJS script with V8's code cache.
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

// Chunk names change with their content: without this, every build would leave the last one's behind.
rmSync("dist/chunks", { recursive: true, force: true });
rmSync("dist/cjs", { recursive: true, force: true });

/**
 * commander requires node:child_process as it loads, for subcommands that are executables of their own, which
 * portmate has none of: it gets it when it spawns one, so that commands which start no process (ps, port, env)
 * do not load it (~2 ms).
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]commander[\\/]lib[\\/]command\.js$/.test(args.importer) ? { path: "child_process", namespace: "lazy" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
      loader: "js",
    }));
  },
};

const common = {
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: true,
  minify: true,
  logLevel: "warning",
  // Some dependencies are CommonJS and call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __portmateRequire } from 'node:module'; const require = __portmateRequire(import.meta.url);" },
  plugins: [lazyChildProcess],
};

/**
 * What makes a build a CommonJS script. "use strict" comes first, as esbuild's own would come after the banner
 * (the ES modules were strict); `import.meta.url` (the package root is found from it) is the script's own file.
 */
const commonJs = {
  format: "cjs",
  banner: { js: "\"use strict\"; var __portmateImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};
const importMetaUrl = { "import.meta.url": "__portmateImportMetaUrl" };

/** The entry's `import("./entries/NAME.js")` loads the bundle built from that file: `./chunks/main-NAME.js`. */
const commandBundles = {
  name: "command-bundles",
  setup(build) {
    build.onResolve({ filter: /^\.\/entries\/[a-z]+\.js$/ }, (args) => ({ path: `./chunks/main-${args.path.slice("./entries/".length)}`, external: true }));
  },
};

/**
 * The MCP SDK (and zod, its schemas) is in `mcp`'s bundle alone. The whole CLI's bundle (help, completion) has
 * the command too, and would load the SDK only to run it, which `portmate mcp` does through its own bundle:
 * there it stays a package to load then, so that help does not carry it.
 */
const mcpSdkOutside = (name) => (name === "mcp" ? {} : { external: ["@modelcontextprotocol/sdk", "@modelcontextprotocol/sdk/*", "zod", "zod/*"] });

// One build each: built together, esbuild would share their common code through chunks again.
for (const file of readdirSync("src/cli/entries")) {
  const name = file.replace(/\.ts$/, "");
  // Whitespace is kept in these: a stack trace or a profile without source maps then points at a line that
  // says something (measured: no slower to load), and what each bundle imports can be read from it.
  await build({
    ...common,
    entryPoints: { [`chunks/main-${name}`]: `src/cli/entries/${file}` },
    ...mcpSdkOutside(name),
    splitting: true,
    minify: false,
    minifyIdentifiers: true,
    minifySyntax: true,
  });
}

// The same bundles again as single CommonJS scripts (`cjs/main-NAME.cjs`, what a lazy `import()` loads is in the
// file and runs when called), which the entry loads as a vm.Script with V8's code cache (see
// src/util/code-cache.ts): Node 20 has no compile cache for ES modules, and compiling the `up` bundle took about
// a fifth of `portmate up`'s start. `import.meta.url` (the package root is found from it) is the script's file.
// The supervisor's bundle is built the same way (`cjs/supervisor.cjs`), for its entry to load.
// What a supervisor (or `up`) loads only when it needs it (the watcher, once a stack has `watch:`; the config reader and
// planner, once the config changes) is a script of its own beside it, required then: inlined, its source would
// be held by every detached supervisor from its start (~2 MB of memory for the YAML parser and the validator).
const SUPERVISOR_LAZY = { "./watch-restarts.js": "./watch-restarts.cjs", "../stack/reload.js": "./reload.cjs" };
// (Each is a module of the bundle that requires the script when it is first imported: an `import()` left in a
// script that runs as a vm.Script, as the entries run it, has no loader to call.)
const supervisorLazy = {
  name: "supervisor-lazy",
  setup(build) {
    build.onResolve({ filter: /^(\.\/watch-restarts|\.\.\/stack\/reload)\.js$/ }, (args) => ({ path: SUPERVISOR_LAZY[args.path], namespace: "lazy" }));
    build.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
    build.onResolve({ filter: /\.cjs$/, namespace: "lazy" }, (args) => ({ path: args.path, external: true }));
  },
};
const scripts = {
  ...Object.fromEntries(readdirSync("src/cli/entries").map((file) => [`cjs/main-${file.replace(/\.ts$/, "")}`, `src/cli/entries/${file}`])),
  "cjs/supervisor": "src/daemon/supervisor-main.ts",
  "cjs/proxy": "src/daemon/proxy-main.ts",
  "cjs/dashboard": "src/dashboard/dashboard-main.ts",
  "cjs/watch-restarts": "src/supervise/watch-restarts.ts",
  "cjs/reload": "src/stack/reload.ts",
};
for (const [out, source] of Object.entries(scripts)) {
  await build({
    ...common,
    entryPoints: { [out]: source },
    ...(out.startsWith("cjs/main-") ? mcpSdkOutside(out.slice("cjs/main-".length)) : {}),
    ...commonJs,
    outExtension: { ".js": ".cjs" },
    define: importMetaUrl,
    minify: false,
    minifyIdentifiers: true,
    minifySyntax: true,
    // (The commands' scripts too: a foreground `up` loads the watcher only for a stack with `watch:`.)
    ...(out === "cjs/watch-restarts" || out === "cjs/reload" ? {} : { plugins: [supervisorLazy] }),
  });
}

// The entries read each script as Latin-1, which is quicker than decoding UTF-8 and the same for ASCII: esbuild
// escapes what is not ASCII in code, and here what it leaves in comments.
for (const file of readdirSync("dist/cjs").filter((name) => name.endsWith(".cjs"))) {
  const text = readFileSync(`dist/cjs/${file}`, "utf8");
  const ascii = text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (ascii !== text) writeFileSync(`dist/cjs/${file}`, ascii);
}

// The entries know each script by a hash of its content, the key of its code cache, so that they need not read
// and hash the script themselves (loading node:crypto alone costs a few milliseconds).
const scriptKeys = Object.fromEntries(
  readdirSync("dist/cjs")
    .filter((file) => file.endsWith(".cjs"))
    .map((file) => [
      file.replace(/^main-/, "").slice(0, -".cjs".length),
      createHash("sha256")
        .update(readFileSync(`dist/cjs/${file}`))
        .digest("hex")
        .slice(0, 24),
    ]),
);
const supervisorKey = scriptKeys.supervisor;
delete scriptKeys.supervisor;
// The entry is a CommonJS script too (`portmate.cjs`, the package's bin): Node starts an ES module entry through
// its ES module loader, which costs ~4 ms of every command, `--version` included. What it loads with `import()`
// (the ES module bundles, when debugging) stays an `import()`.
await build({
  ...common,
  entryPoints: { portmate: "src/cli/bin.ts" },
  ...commonJs,
  outExtension: { ".js": ".cjs" },
  supported: { "dynamic-import": true },
  define: { ...importMetaUrl, PORTMATE_SCRIPT_KEYS: JSON.stringify(scriptKeys) },
  plugins: [commandBundles, lazyChildProcess],
});
// `dist/portmate.js`, the entry's former name, stays for what runs it by its path.
writeFileSync("dist/portmate.js", '#!/usr/bin/env node\n// The CLI\'s entry is dist/portmate.cjs (see scripts/bundle-cli.mjs).\nimport "./portmate.cjs";\n');

// The supervisor's bundle as an ES module, `chunks/supervisor-main.js` (what its entry loads when debugging),
// built with the reaper (they share their chunks).
await build({
  ...common,
  entryPoints: { "chunks/supervisor-main": "src/daemon/supervisor-main.ts", reaper: "src/daemon/reaper-main.ts" },
  splitting: true,
});
// Its entry, which loads `cjs/supervisor.cjs` (see src/daemon/supervisor-entry.ts): `cjs/supervisor.js`, a
// CommonJS script (dist/cjs/package.json says so), which `up -d` forks, and `supervisor.js`, an ES module.
writeFileSync("dist/cjs/package.json", `${JSON.stringify({ type: "commonjs" })}\n`);
for (const [out, format] of [
  ["supervisor", "esm"],
  ["cjs/supervisor", "cjs"],
]) {
  const esmBundle = format === "esm" ? "./chunks/supervisor-main.js" : "../chunks/supervisor-main.js";
  await build({
    ...common,
    entryPoints: { [out]: "src/daemon/supervisor-entry.ts" },
    ...(format === "cjs" ? { ...commonJs, supported: { "dynamic-import": true } } : {}),
    plugins: [
      lazyChildProcess,
      {
        name: "supervisor-bundle",
        setup(build) {
          build.onResolve({ filter: /^\.\/supervisor-main\.js$/ }, () => ({ path: esmBundle, external: true }));
        },
      },
    ],
    define: {
      PORTMATE_SUPERVISOR_KEY: JSON.stringify(supervisorKey),
      ...(format === "cjs" ? importMetaUrl : {}),
    },
  });
}

// The bin must be executable wherever it is run from (npm only sets the bit for installed packages).
chmodSync("dist/portmate.cjs", 0o755);
chmodSync("dist/portmate.js", 0o755);

// The dashboard's page, as it is: plain HTML, CSS and an ES module, no build step; with ansi_up (MIT), which
// turns the services' ANSI colours into HTML in the page.
rmSync("dist/dashboard-page", { recursive: true, force: true });
cpSync("src/dashboard/page", "dist/dashboard-page", { recursive: true });
copyFileSync("node_modules/ansi_up/ansi_up.js", "dist/dashboard-page/ansi_up.js");
copyFileSync("node_modules/ansi_up/LICENSE", "dist/dashboard-page/ansi_up.LICENSE");
