import type { Writable } from "node:stream";
import pc from "picocolors";

/** Where the CLI writes, injected so tests can capture it. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

export const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** Live, redrawn progress only on an interactive terminal; plain lines in CI, pipes and dumb terminals. */
export function wantsFancyProgress(io: CliIO): boolean {
  return io.stdout.isTTY === true && !io.env.CI && io.env.TERM !== "dumb";
}

/** Colours, or none when NO_COLOR is set or the output is not a terminal (picocolors decides). */
export const colors = pc;

/** Prints a line worth knowing but no warning on stderr. */
export function info(io: CliIO, message: string): void {
  io.stderr.write(`${colors.dim(message)}\n`);
}

/** Prints a warning line on stderr. */
export function warn(io: CliIO, message: string): void {
  io.stderr.write(`${colors.yellow("warning:")} ${message}\n`);
}
