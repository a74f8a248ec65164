import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCleanup } from "./helpers.js";

/** A throwaway HOME and state folder, the env that points the CLI at them, both removed after the test. */
export function sandbox() {
  const root = mkdtempSync(join(tmpdir(), "portmate-trust-"));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, "home");
  const state = join(root, "state");
  mkdirSync(home);
  return { root, home, state, env: { HOME: home, PORTMATE_STATE_DIR: state } };
}
