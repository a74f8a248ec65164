import { lookupWithLsof } from "./lsof.js";
import type { PortLookup } from "./port-lookup.js";
import { lookupInProc } from "./proc-sockets.js";

const MAX_COMMAND_LENGTH = 80;

/**
 * Which processes listen on TCP `port`: on Linux from the kernel's tables in /proc, elsewhere (or where /proc
 * is not mounted) from lsof. `procRoot` stands in for /proc, for tests.
 */
export async function whoHolds(port: number, options: { procRoot?: string } = {}): Promise<PortLookup> {
  if (process.platform === "linux") {
    const found = await lookupInProc(port, options.procRoot ?? "/proc");
    if (found) return found;
  }
  return lookupWithLsof(port);
}

/**
 * One line for messages: `pid 1234 (python3 -m http.server 8000)`, `a process of another user (uid 1001, bob) that
 * this user cannot see`, several joined with ", "; undefined when nothing is known to hold the port.
 */
export function describeHolders(lookup: PortLookup): string | undefined {
  const parts = lookup.holders.map((holder) => (holder.command ? `pid ${holder.pid} (${oneLine(holder.command)})` : `pid ${holder.pid}`));
  // One user's sockets on several addresses are most likely one process: name each user once.
  const users = new Map(lookup.hidden.map((hidden) => [hidden.uid, hidden.user]));
  for (const [uid, user] of users) parts.push(`a process of another user (uid ${uid}${user ? `, ${user}` : ""}) that this user cannot see`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

/** A command line fit for one line of a message: arguments can hold newlines (`node -e` scripts), and can be long. */
function oneLine(command: string): string {
  const text = command.replace(/\s+/g, " ").trim();
  return text.length > MAX_COMMAND_LENGTH ? `${text.slice(0, MAX_COMMAND_LENGTH - 1)}…` : text;
}
