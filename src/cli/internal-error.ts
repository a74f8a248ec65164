import { ExitCode } from "../errors.js";
import { debugging } from "../util/debugging.js";
import { colors, type CliIO } from "./ui/terminal.js";

/** What stops what a run started when portmate itself breaks; registered by whoever started it. */
type Cleanup = () => void | Promise<void>;

const cleanups = new Set<Cleanup>();

/** How long the clean-up of a run that hit a bug may take before portmate exits anyway. */
const CLEANUP_TIMEOUT_MS = 20_000;

/**
 * Registers what to do before exiting on an internal error (end the display, stop the stack); returns the
 * function that removes it again.
 */
export function onInternalError(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** `portmate: internal error: … — rerun with PORTMATE_DEBUG=1 and report it`, and the stack when debugging. */
export function describeInternalError(error: unknown, env: CliIO["env"]): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  const line = `${colors.red(`portmate: internal error: ${message.split("\n")[0]}`)} — rerun with PORTMATE_DEBUG=1 and report it`;
  if (!debugging(env)) return `${line}\n`;
  return `${line}\n${error instanceof Error && error.stack ? error.stack : String(error)}\n`;
}

let handling = false;

/**
 * A bug that escapes every handler (an exception in a callback, a rejected promise nobody awaits) would make
 * Node print a minified line of the bundle and a stack trace, and exit with the stack half stopped. Instead:
 * one line, then the registered clean-ups (the stack is stopped as on Ctrl-C), then exit 70.
 */
export function installInternalErrorHandlers(io: CliIO): void {
  const handle = (error: unknown) => void failInternally(error, io);
  process.on("uncaughtException", handle);
  process.on("unhandledRejection", handle);
}

/** Says what broke, stops what was started, exits with ExitCode.internal. */
export async function failInternally(error: unknown, io: CliIO): Promise<never> {
  if (handling) {
    // A second error while cleaning up: say it too when debugging, and let the first clean-up finish.
    if (debugging(io.env)) io.stderr.write(describeInternalError(error, io.env));
    return new Promise<never>(() => {});
  }
  handling = true;
  const pending = [...cleanups];
  cleanups.clear();
  // The display first (synchronously, in the clean-ups' first turn), so the line is not drawn over.
  const done = Promise.allSettled(pending.map(async (cleanup) => cleanup()));
  io.stderr.write(describeInternalError(error, io.env));
  const timer = setTimeout(() => process.exit(ExitCode.internal), CLEANUP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
  process.exit(ExitCode.internal);
}
