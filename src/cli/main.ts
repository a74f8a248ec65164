import { Command, CommanderError } from "commander";
import { unknownNameError } from "../util/did-you-mean.js";
import { ExitCode, PortmateError } from "../errors.js";
import { packageInfo } from "../util/package-root.js";
import { stateDir } from "../state/paths.js";
import { stateFolderError } from "../state/state-error.js";
import { collect, ExitRequest, helpExtras, INTERNAL_EXIT } from "./commands/shared.js";
import { helpWidth } from "./ui/help-text.js";
import { describeInternalError } from "./internal-error.js";
import { colors, processIO, type CliIO } from "./ui/terminal.js";

/** Makes one command: its flags, help and action (see commands/). */
export type CommandMaker = (io: CliIO) => Command;

/** The commands a bundle of the CLI carries (see entries/): one, or every one with the hidden `__complete`. */
export interface CommandSet {
  commands: CommandMaker[];
  /** The shells' completion asks `__complete` about every command: it comes with the whole tree. */
  complete?: (io: CliIO, root: () => Command) => Command;
}

/** Builds the command tree of `set`. */
function program(io: CliIO, set: CommandSet): Command {
  const root = new Command("portmate")
    .description("Run every service of a project on free ports, wired together, health-checked, and torn down cleanly.")
    .version(packageInfo().version, "-v, --version", "print the version")
    .option(
      "-f, --file <path>",
      "config file; repeatable: later files merge over earlier ones (default: portmate.yaml in this folder or the nearest one above, with portmate.override.yaml beside it)",
      collect,
    )
    .option("-p, --project-name <name>", "project name (default: `name:` of the file, else its folder's name)")
    .option("--env-file <path>", "read `${VAR}` of the config from this file instead of the .env beside it; repeatable, a later one wins", collect)
    .helpOption("-h, --help", "show help")
    .helpCommand(false)
    // A command's own options come after it (`logs -f` follows); -f and -p are taken on both sides.
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .exitOverride()
    .configureHelp({
      helpWidth: helpWidth(io.stdout),
      subcommandTerm: (command) => `${command.name()} ${command.usage().replace(/^\[options\] ?/, "")}`.trim(),
    })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => helpWidth(io.stdout),
      getErrHelpWidth: () => helpWidth(io.stderr),
    });
  helpExtras(
    root,
    {
      notes: ["`portmate help COMMAND` or `portmate COMMAND --help` tells more of each command."],
      exitCodes: [
        [ExitCode.ok, "done"],
        [ExitCode.serviceFailed, "a service failed or was not healthy in time; the stack is not running"],
        [ExitCode.usage, "usage or config error (nothing started)"],
        [ExitCode.noPorts, "no ports could be allocated"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate up", "start the stack of ./portmate.yaml; Ctrl-C stops it"],
        ["portmate up -d && portmate ps", "start it in the background, then list it"],
        ["portmate logs -f backend", "follow one service's output"],
        ["portmate down", "stop it"],
      ],
    },
    io,
  );
  for (const make of set.commands) root.addCommand(make(io));
  root.addCommand(helpCli(io, root));
  if (set.complete)
    root.addCommand(
      set.complete(io, () => root),
      { hidden: true },
    );
  // Commands made on their own (not with root.command()) take root's output, help layout and error handling.
  for (const command of root.commands) command.copyInheritedSettings(root);
  return root;
}

/** `portmate help [COMMAND]`: a command's help, the overview without one; an unknown one is an error with a guess. */
function helpCli(io: CliIO, root: Command): Command {
  return new Command("help")
    .summary("show help for a command")
    .description("Show the help of a command, or the overview of every command.")
    .argument("[command]", "the command")
    .action((name: string | undefined) => {
      if (name === undefined) {
        root.outputHelp();
        throw new ExitRequest(ExitCode.ok);
      }
      const command = root.commands.find((candidate) => candidate.name() === name && candidate.name() !== "__complete");
      if (!command) {
        const names = root.commands.map((candidate) => candidate.name()).filter((candidate) => candidate !== "__complete");
        throw unknownNameError(name, names, { message: `no command "${name}"`, list: "commands" });
      }
      command.outputHelp();
      throw new ExitRequest(ExitCode.ok);
    });
}

/** Runs the CLI with `argv` (without node and the script) and `set`'s commands; returns the exit code, never throws. */
export async function main(argv: readonly string[], set: CommandSet, io: CliIO = processIO): Promise<number> {
  try {
    const root = program(io, set);
    if (argv.length === 0) {
      root.outputHelp();
      return ExitCode.usage;
    }
    await root.parseAsync([...argv], { from: "user" });
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
  const stateFailure = stateFolderError(error, stateDir(io.env));
  if (stateFailure) return report(stateFailure, io);
  io.stderr.write(describeInternalError(error, io.env));
  return ExitCode.internal;
}
