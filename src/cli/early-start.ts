import { startSupervisor, type SupervisorProcess } from "../daemon/start-supervisor.js";
import { stateLayout, type StateLayout } from "../state/paths.js";
import { Watchdog } from "../supervise/watchdog.js";
import { within } from "../util/deferred.js";
import { commandAt, namedCommand } from "./command-name.js";

// What `up` needs that the CLI's entry starts before it loads the command, so that it overlaps with the
// loading: `up -d`'s supervisor (a Node process of its own) and a foreground `up`'s watchdog (a spawn forks
// this process, and forking costs less the smaller it still is).
//
// The entry and the command's bundle are separate bundles, each with its own copy of this module: what the
// entry started is handed over through a slot of the process, not a variable of the module.

interface Early {
  supervisor?: SupervisorProcess;
  watchdog?: Watchdog;
}

const SLOT = Symbol.for("portmate.early-start");

function early(): Early {
  const global = globalThis as { [SLOT]?: Early };
  global[SLOT] ??= {};
  return global[SLOT];
}

/** `portmate up -d`: starts its supervisor, waiting for a plan. */
export function startSupervisorEarly(argv: readonly string[]): void {
  if (!wantsDetachedUp(argv)) return;
  try {
    early().supervisor = startSupervisor(stateLayout());
  } catch {
    // The state folder cannot be written: `up` meets the same error again where it is reported properly.
  }
}

/** The supervisor started early, or a new one. */
export function takeSupervisor(layout: StateLayout): SupervisorProcess {
  const started = early().supervisor;
  early().supervisor = undefined;
  return started ?? startSupervisor(layout);
}

/**
 * Stops what was started early and no command took (a usage error, say, or a state folder that cannot be
 * written), and waits until it has exited: a failed command leaves no process behind it.
 */
export async function dropEarlyStarts(boundMs = 1000): Promise<void> {
  const { supervisor, watchdog } = early();
  early().supervisor = undefined;
  early().watchdog = undefined;
  const waits: Array<Promise<unknown>> = [];
  if (supervisor) {
    supervisor.child.kill("SIGKILL");
    waits.push(within(supervisor.exited, boundMs));
  }
  if (watchdog) waits.push(watchdog.close(boundMs));
  await Promise.all(waits);
}

/** `portmate up` in the foreground: starts its watchdog (see supervise/watchdog.ts). */
export function startWatchdogEarly(argv: readonly string[]): void {
  if (namedCommand(argv) === "up" && !wantsDetachedUp(argv)) early().watchdog = Watchdog.start();
}

/** The watchdog started early, if any; the stack arms it. */
export function takeWatchdog(): Watchdog | undefined {
  const started = early().watchdog;
  early().watchdog = undefined;
  return started;
}

/** Whether argv asks for `up -d`: a cheap guess only, as a wrong one costs nothing but an idle process killed. */
function wantsDetachedUp(argv: readonly string[]): boolean {
  return namedCommand(argv) === "up" && argv.slice(commandAt(argv) + 1).some((arg) => arg === "-d" || arg === "--detach");
}
