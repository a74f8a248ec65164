import { startSupervisor, type SupervisorProcess } from "../daemon/start-supervisor.js";
import { stateLayout, type StateLayout } from "../state/paths.js";
import { Watchdog } from "../supervise/watchdog.js";
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

/** Kills a supervisor started early that no command took (a usage error, say). */
export function dropEarlySupervisor(): void {
  early().supervisor?.child.kill("SIGKILL");
  early().supervisor = undefined;
}

/**
 * `portmate up` in the foreground: starts its watchdog (see supervise/watchdog.ts). Unused (a usage error,
 * say), the watchdog exits with this process.
 */
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
