import { constants } from "node:os";
import { execa } from "execa";
import { ExitCode, PortmateError } from "../errors.js";
import { isFolder } from "../util/is-folder.js";
import { inTerminalForeground } from "./terminal-foreground.js";

/** A command to run attached to portmate's terminal. */
export interface AttachedCommand {
  /** The program and its arguments, passed as they are: no shell. */
  argv: readonly string[];
  /** The folder it runs in; its `node_modules/.bin` is searched before PATH, as for a service's command. */
  cwd: string;
  /** Its whole environment. */
  env: Readonly<Record<string, string>>;
}

/** Signals a terminal sends its whole foreground process group (keys and hang-up): the command gets them too. */
const TERMINAL_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGQUIT", "SIGHUP"];
/** Signals meant for portmate alone (`kill PID`, a process manager), passed on for the command to decide. */
const OTHER_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM"];

/**
 * Runs a command with portmate's stdin, stdout and stderr (a terminal stays a terminal), and resolves with the
 * code portmate should exit with: the command's, or 128 + the number of the signal that killed it, as shells
 * report it. While it runs, portmate does not die of the signals meant for the command: a Ctrl-C reaches the
 * command through the terminal, and a signal sent to portmate alone is passed on; the command decides.
 * Throws when it cannot start: 127 when there is no such command, 126 when it cannot be run.
 */
export async function runAttached(command: AttachedCommand): Promise<number> {
  const [file, ...args] = command.argv;
  if (file === undefined) throw new PortmateError("no command to run", ExitCode.usage);
  if (!isFolder(command.cwd)) {
    throw new PortmateError(`cannot run ${file}: its folder ${command.cwd} does not exist`, ExitCode.cannotRun, [
      "hint: it was moved or removed since `portmate up`",
    ]);
  }
  const child = execa(file, args, {
    cwd: command.cwd,
    env: command.env,
    extendEnv: false,
    preferLocal: true,
    localDir: command.cwd,
    stdio: "inherit",
    reject: false,
    // portmate's own exit must not kill the command (signal-exit handlers would also swallow the signals
    // handled below), and a passed-on SIGTERM is the command's to answer, with no SIGKILL after it.
    cleanup: false,
    forceKillAfterDelay: false,
  });
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of [...TERMINAL_SIGNALS, ...OTHER_SIGNALS]) {
    const handler = () => {
      if (!(TERMINAL_SIGNALS.includes(signal) && inTerminalForeground())) child.kill(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  try {
    const result = await child;
    if (result.signal !== undefined) return 128 + (constants.signals[result.signal] ?? 0);
    if (result.exitCode !== undefined) return result.exitCode;
    throw startError(file, (result as { code?: string }).code, result.originalMessage ?? result.shortMessage ?? "it did not start");
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** Why the command did not start, as a shell would say it, with its exit code. */
function startError(file: string, code: string | undefined, message: string): PortmateError {
  if (code === "ENOENT") {
    return new PortmateError(`${file}: command not found`, ExitCode.commandNotFound, [
      "hint: it is looked for in node_modules/.bin of the folder it runs in, then in PATH; `portmate run -- sh -c '…'` runs a shell line",
    ]);
  }
  if (code === "EACCES") return new PortmateError(`${file}: permission denied (not executable)`, ExitCode.cannotRun);
  return new PortmateError(`cannot run ${file}: ${message}`, ExitCode.cannotRun);
}
