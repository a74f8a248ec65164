import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every test run gets a state folder of its own (port locks, stack records, logs), shared by its test files
 * and the portmate processes they start, like one machine's, and a folder of its own for the CLI's code
 * caches: the user's own state and cache are never touched.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "portmate-state-"));
  const cache = mkdtempSync(join(tmpdir(), "portmate-cache-"));
  process.env.PORTMATE_STATE_DIR = dir;
  // A test that asks for a cache folder of its own (PORTMATE_CACHE_DIR in its env) still gets it.
  process.env.PORTMATE_CACHE_DIR ??= cache;
  return () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  };
}
