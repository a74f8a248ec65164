import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every test run gets a state folder of its own (port locks, stack records, logs), shared by its test files
 * and the portmate processes they start, like one machine's: the user's own state is never touched.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "portmate-state-"));
  process.env.PORTMATE_STATE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
