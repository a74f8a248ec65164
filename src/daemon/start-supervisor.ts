import type { ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { childProcess } from "../util/child-process.js";
import { packageInfo } from "../util/package-root.js";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";

/** A supervisor process started and waiting for its plan, and the file where what it prints goes. */
export interface SupervisorProcess {
  child: ChildProcess;
  log: string;
  /** Resolves when it exits, listened to from its start: it may die before anyone waits for it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a detached supervisor (dist/cjs/supervisor.js, see supervisor-entry.ts) in a session of its own; it
 * waits for its plan over IPC and exits if none comes.
 */
export function startSupervisor(layout: StateLayout): SupervisorProcess {
  const log = join(ensurePrivateDir(layout.run), `supervisor-${process.pid}-${Date.now()}.log`);
  const logFd = openSync(log, "a", 0o600);
  try {
    const child = childProcess().fork(join(packageInfo().root, "dist", "cjs", "supervisor.js"), [log], {
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
