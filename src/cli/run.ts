import { dropEarlyStarts } from "./early-start.js";
import { installInternalErrorHandlers } from "./internal-error.js";
import { main, type CommandSet } from "./main.js";
import { processIO } from "./ui/terminal.js";

/**
 * Runs the CLI with `set`'s commands, then exits with its code: what each bundle of entries/ does once the
 * entry (bin.ts) has loaded it.
 */
export async function run(argv: readonly string[], set: CommandSet): Promise<never> {
  installInternalErrorHandlers(processIO);
  // `portmate up | head`: once nobody reads the output any more, stop the stack as SIGTERM does (gracefully,
  // nothing left running) rather than crash on the write error.
  let outputClosed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      if (outputClosed) return;
      outputClosed = true;
      process.kill(process.pid, "SIGTERM");
    });
  }
  const code = await main(argv, set);
  await dropEarlyStarts();
  // Output to pipes, files and terminals is written synchronously on POSIX, so exiting here loses nothing.
  process.exit(code);
}
