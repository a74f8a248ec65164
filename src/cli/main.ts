import { Command, CommanderError, InvalidArgumentError } from "commander";
import { ExitCode, PortmateError } from "../errors.js";
import { MAX_INSTANCES } from "../stack.js";
import { packageInfo } from "../package-root.js";
import { upCommand } from "./up-command.js";
import { colors, processIO, type CliIO } from "./terminal.js";

interface GlobalOptions {
  file?: string;
  projectName?: string;
}

/** Thrown by an action to end the run with a code, after the action has printed what it had to. */
class ExitRequest {
  constructor(readonly code: number) {}
}

/** Builds the command tree: each command parses its own flags and hands over to a module of its own. */
function program(io: CliIO): Command {
  const root = new Command("portmate")
    .description("Run every service of a project on free ports, wired together, health-checked, and torn down cleanly.")
    .version(packageInfo().version, "-v, --version", "print the version")
    .option("-f, --file <path>", "config file (default: portmate.yaml in this folder or the nearest one above)")
    .option("-p, --project-name <name>", "project name (default: `name:` of the file, else its folder's name)")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  root
    .command("up")
    .description("Allocate ports, start the services in dependency order, wait until healthy, then show their output. Ctrl-C stops everything.")
    .argument("[services...]", "services to start, with what they depend on (default: all not disabled)")
    .option("-n, --instances <count>", `run N copies of the stack side by side, each on its own ports (1-${MAX_INSTANCES})`, parseCount, 1)
    .addHelpText(
      "after",
      `
Exit codes: 0 stopped on request, or every service exited with code 0; 1 a service failed or was not healthy
in time (its last lines are shown); 2 usage or config error (nothing started); 3 no ports could be allocated.

Examples:
  portmate up                 start every service
  portmate up ui              start ui and what it depends on
  portmate up --instances 3   three copies of the stack, each with its own ports`,
    )
    .action(async (services: string[], options: { instances: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const code = await upCommand({ file: globals.file, projectName: globals.projectName, services, instances: options.instances }, io);
      throw new ExitRequest(code);
    });

  return root;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > MAX_INSTANCES) throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_INSTANCES}`);
  return count;
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const root = program(io);
  try {
    if (argv.length === 0) {
      root.outputHelp();
      return ExitCode.usage;
    }
    await root.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    return report(error, io);
  }
}

/** The one place where errors become messages and exit codes. */
function report(error: unknown, io: CliIO): number {
  if (error instanceof ExitRequest) return error.code;
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are successes.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof PortmateError) {
    io.stderr.write(`${colors.red(error.message)}\n`);
    for (const line of error.details) io.stderr.write(`${line}\n`);
    return error.exitCode;
  }
  io.stderr.write(`${colors.red("portmate: unexpected error")}\n${(error as Error)?.stack ?? String(error)}\n`);
  return ExitCode.serviceFailed;
}
