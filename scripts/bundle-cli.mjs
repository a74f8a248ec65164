// Bundles the CLI and its dependencies into one file, dist/portmate.js.
// Why: on Node 20 (no module compile cache) loading execa, yaml, listr2 and ajv as ~400 separate ES modules
// costs ~230 ms before portmate can do anything; bundled, the same code loads in ~25 ms. Start-up time is
// the first thing users of `portmate up` feel, and `npm run bench` holds it within 1.3x of a bare script.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/bin.ts"],
  outfile: "dist/portmate.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  minify: true,
  logLevel: "warning",
  // Some dependencies are CommonJS and call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __portmateRequire } from 'node:module'; const require = __portmateRequire(import.meta.url);" },
});

// The bin must be executable wherever it is run from (npm only sets the bit for installed packages).
import { chmodSync } from "node:fs";
chmodSync("dist/portmate.js", 0o755);
