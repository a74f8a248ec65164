import { fork, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { packageInfo } from "../util/package-root.js";
import { ensurePrivateDir, stateLayout, type StateLayout } from "../state/paths.js";
import { Watchdog } from "../supervise/watchdog.js";

/** A supervisor process started and waiting for its plan, and the file where what it prints goes. */
export interface SupervisorProcess {
  child: ChildProcess;
  log: string;
  /** Resolves when it exits, listened to from its start: it may die before anyone waits for it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a detached supervisor (dist/supervisor.js) in a session of its own; it waits for its plan over IPC
 * and exits if none comes.
 */
export function startSupervisor(layout: StateLayout): SupervisorProcess {
  const log = join(ensurePrivateDir(layout.run), `supervisor-${process.pid}-${Date.now()}.log`);
  const logFd = openSync(log, "a", 0o600);
  try {
    const child = fork(join(packageInfo().root, "dist", "supervisor.js"), [log], {
      detached: true,
      stdio: ["ignore", logFd, logFd, "ipc"],
      // V8's optimizing compiler buys a process that mostly waits on processes, sockets and timers nothing
      // but memory it would hold as long as the stack runs: ~3 MB, for ~25 ms more start-up.
      execArgv: ["--no-opt"],
    });
    // A message sent to a supervisor that just died fails with EPIPE; its exit says what happened, better.
    child.on("error", () => undefined);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    return { child, log, exited };
  } finally {
    closeSync(logFd);
  }
}

let early: SupervisorProcess | undefined;

/**
 * `portmate up -d`: called by the CLI's entry before it loads the rest of itself, so the supervisor's boot
 * (a Node process of its own) overlaps with loading the CLI, the config and allocating ports.
 */
export function startSupervisorEarly(argv: readonly string[]): void {
  if (!wantsDetachedUp(argv)) return;
  try {
    early = startSupervisor(stateLayout());
  } catch {
    // The state folder cannot be written: `up` meets the same error again where it is reported properly.
  }
}

/** The supervisor started early, or a new one. */
export function takeSupervisor(layout: StateLayout): SupervisorProcess {
  const started = early;
  early = undefined;
  return started ?? startSupervisor(layout);
}

/** Kills a supervisor started early that no command took (a usage error, say). */
export function dropEarlySupervisor(): void {
  early?.child.kill("SIGKILL");
  early = undefined;
}

let earlyWatchdog: Watchdog | undefined;

/**
 * `portmate up` in the foreground: starts its watchdog (see supervise/watchdog.ts) from the CLI's entry, before
 * the rest of the CLI is loaded. A spawn forks this process, and forking costs less the smaller it still is.
 * Unused (a usage error, say), the watchdog exits with this process.
 */
export function startWatchdogEarly(argv: readonly string[]): void {
  if (asksFor(argv, "up") && !wantsDetachedUp(argv)) earlyWatchdog = Watchdog.start();
}

/** The watchdog started early, if any; the stack arms it. */
export function takeWatchdog(): Watchdog | undefined {
  const started = earlyWatchdog;
  earlyWatchdog = undefined;
  return started;
}

/** Whether argv asks for `up -d`: a cheap guess only, as a wrong one costs nothing but an idle process killed. */
function wantsDetachedUp(argv: readonly string[]): boolean {
  return asksFor(argv, "up") && argv.slice(commandAt(argv) + 1).some((arg) => arg === "-d" || arg === "--detach");
}

function asksFor(argv: readonly string[], name: string): boolean {
  return argv[commandAt(argv)] === name;
}

/** Where the command name is: the first word that is not an option or the value of -f/-p. */
function commandAt(argv: readonly string[]): number {
  return argv.findIndex((arg, index) => !arg.startsWith("-") && !["-f", "--file", "-p", "--project-name"].includes(argv[index - 1] ?? ""));
}
