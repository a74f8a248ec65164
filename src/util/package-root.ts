import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: { root: string; version: string } | undefined;

/**
 * The folder of portmate's own package.json, found by walking up from this module: the same code runs from
 * `src/` (tests), `dist/` (the library) and the bundled CLI, each at a different depth.
 */
export function packageInfo(): { root: string; version: string } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "portmate") return (cached = { root: dir, version: pkg.version ?? "0.0.0" });
    } catch {
      // not here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("portmate: cannot find its own package.json");
    dir = parent;
  }
}
