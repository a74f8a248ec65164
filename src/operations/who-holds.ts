import type { HiddenHolder, PortHolder } from "../ports/port-lookup.js";
import { portOwnership, type StackUse } from "../stack/port-ownership.js";
import type { LockOwner } from "../state/port-locks.js";
import { stateLayout } from "../state/paths.js";

/** What `portmate who --json` prints: PortOwnership as JSON, its times as ISO strings and unknown facts left out. */
export interface WhoJson {
  port: number;
  lookup: {
    port: number;
    holders: Array<Omit<PortHolder, "startedAt" | "command" | "uid" | "user"> & { command?: string; uid?: number; user?: string; startedAt?: string }>;
    hidden: Array<Omit<HiddenHolder, "user"> & { user?: string }>;
    method: "proc" | "lsof" | "none";
  };
  stacks: StackUse[];
  reservedBy?: LockOwner;
}

/** Which processes hold `port` (pid, command, user, since when, addresses), and the portmate stack it belongs to, if any. */
export async function whoHolds(options: { port: number }): Promise<WhoJson> {
  // Through JSON, so that it is exactly what the CLI prints (and what a client over a wire gets).
  return JSON.parse(JSON.stringify(await portOwnership(options.port, stateLayout()))) as WhoJson;
}

/** Whether something holds the port, or portmate reserved it for a service about to start. */
export function isHeld(who: WhoJson): boolean {
  return who.lookup.holders.length > 0 || who.lookup.hidden.length > 0 || who.reservedBy !== undefined;
}
