import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./files.js";
import { ensurePrivateDir, type StateLayout } from "./paths.js";

/**
 * A project's last ports (spec §3, sticky): `sticky/<project>.json` maps `instance/service/port` to the port it
 * had, so the next `up` prefers the same ports and bookmarks keep working.
 */
export function readStickyPorts(layout: StateLayout, project: string): Record<string, number> {
  try {
    const data = JSON.parse(readFileSync(stickyPath(layout, project), "utf8")) as { ports?: unknown };
    if (!data.ports || typeof data.ports !== "object") return {};
    return Object.fromEntries(Object.entries(data.ports).filter((entry): entry is [string, number] => Number.isInteger(entry[1])));
  } catch {
    return {}; // none yet, or unreadable: nothing to prefer
  }
}

/** Remembers `ports` over what was remembered (services not started this time keep their last ports). */
export function writeStickyPorts(layout: StateLayout, project: string, ports: Readonly<Record<string, number>>): void {
  ensurePrivateDir(layout.sticky);
  const merged = { ...readStickyPorts(layout, project), ...ports };
  writeFileAtomic(stickyPath(layout, project), `${JSON.stringify({ version: 1, ports: merged }, null, 2)}\n`);
}

/** What a stack is given to remember its ports in (`rememberPorts`), in the foreground as in a supervisor. */
export function stickyPortsWriter(layout: StateLayout, project: string): (ports: Readonly<Record<string, number>>) => void {
  return (ports) => writeStickyPorts(layout, project, ports);
}

function stickyPath(layout: StateLayout, project: string): string {
  return join(layout.sticky, `${project}.json`);
}
