#!/usr/bin/env node
import { dropEarlySupervisor, startSupervisorEarly, startWatchdogEarly } from "../daemon/start-supervisor.js";
import { packageInfo } from "../util/package-root.js";
import { debugging, installInternalErrorHandlers } from "./internal-error.js";
import { timing } from "./timing.js";
import { processIO } from "./ui/terminal.js";

timing("entry");

const argv = process.argv.slice(2);
// `portmate --version` alone, as scripts and bug reports ask for it, without loading the command tree: the
// same line commander prints.
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`${packageInfo().version}\n`);
  process.exit(0);
}
// Stack traces of the bundle point into src/ (the bundle ships its source maps): wanted only when debugging.
if (debugging(process.env)) process.setSourceMapsEnabled(true);
installInternalErrorHandlers(processIO);
startSupervisorEarly(argv);
startWatchdogEarly(argv);
// The rest of the CLI is a chunk of its own, loaded only now (see scripts/bundle-cli.mjs).
const { main } = await import("./main.js");

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

const code = await main(argv);
dropEarlySupervisor();
// Output to pipes, files and terminals is written synchronously on POSIX, so exiting here loses nothing.
process.exit(code);
