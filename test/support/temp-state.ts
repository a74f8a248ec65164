import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { stateLayout, type StateLayout } from "../../src/state/paths.js";

const roots: string[] = [];

/** A state folder's layout in a fresh temporary folder, removed after the test. */
export function tempState(): StateLayout {
  const root = mkdtempSync(join(tmpdir(), "portmate-state-"));
  roots.push(root);
  return stateLayout(join(root, "state"));
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
