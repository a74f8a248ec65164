// Bundles the CLI (dist/portmate.js), the detached supervisor (dist/supervisor.js) and the reaper a watchdog
// runs when a supervisor dies (dist/reaper.js), each with its dependencies, into one file.
// Why: on Node 20 (no module compile cache) loading execa, yaml, listr2 and ajv as ~400 separate ES modules
// costs ~230 ms before portmate can do anything; bundled, the same code loads in ~25 ms. Start-up time is
// the first thing users of `portmate up` feel, and `npm run bench` holds it within 1.3x of a bare script.
// The supervisor is a bundle of its own so it carries no config parser, CLI or progress display: it stays
// in memory as long as the stack runs.
import { chmodSync, rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names change with their content: without this, every build would leave the last one's behind.
rmSync("dist/chunks", { recursive: true, force: true });

await build({
  entryPoints: { portmate: "src/cli/bin.ts", supervisor: "src/daemon/supervisor-main.ts", reaper: "src/daemon/reaper-main.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // The CLI's entry is tiny and loads the rest with import(): `up -d` starts its supervisor before that. The
  // command tree (src/cli/commands/) holds flags and help only; each command's action imports its work, so
  // `ps` never loads execa or listr2, and `--help` not even the YAML parser.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: true,
  minify: true,
  logLevel: "warning",
  // Some dependencies are CommonJS and call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __portmateRequire } from 'node:module'; const require = __portmateRequire(import.meta.url);" },
});

// The bin must be executable wherever it is run from (npm only sets the bit for installed packages).
chmodSync("dist/portmate.js", 0o755);
