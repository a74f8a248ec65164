import { Command } from "commander";
import { ExitCode, UsageError } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { runAttached } from "../../process/run-attached.js";
import { oneOffSetting } from "../../stack/one-off-setting.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { commandAt } from "../command-name.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { recordedService, runningRecord } from "../../operations/running-stack.js";

const EXAMPLE = "`portmate run -- npm test`, or `portmate run backend -- npm run migrate`";

/** `portmate run`. */
export function runCli(io: CliIO): Command {
  const command = new Command("run")
    .summary("run a one-off command with a running stack's ports (or one service's env and folder)")
    .description(
      "Run a one-off command (a migration, a test run, a REPL) against a running stack, with every service's port " +
        "and URL in its environment (what `portmate env` prints) or, given a service, as that service: with its " +
        "whole environment, in its folder. The command gets portmate's stdin, stdout and stderr (a terminal stays a " +
        "terminal), and portmate exits with its exit code.",
    )
    .usage("[options] [service] -- <command...>")
    .argument("[service]", "run as this service: its environment and folder (default: the discovery variables, in this folder)")
    .argument("[command...]", "after --: the program and its arguments, run as they are (no shell)")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    // What comes before `--` is checked below, to tell a command typed without `--` from a mistyped option.
    .allowUnknownOption()
    .allowExcessArguments();
  withProjectOptions(command);
  helpExtras(
    command,
    {
      notes: [
        "Without a service the command runs in this folder with this shell's environment plus PORTMATE_PROJECT, " +
          "PORTMATE_INSTANCE and every service's <SVC>_PORT and <SVC>_URL (these win over stale ones of the shell). " +
          "With a service it runs in the service's folder with every variable portmate gave the service (its env:, " +
          "env files, the ports and URLs it gets) over this shell's environment; its command is looked for in " +
          "node_modules/.bin of that folder, then PATH.",
        "No shell runs the command, so nothing in it is expanded twice; for a shell line: `portmate run -- sh -c '…'`.",
        "Ctrl-C goes to the command, which decides: portmate waits for it, and a signal sent to portmate alone " + "(SIGTERM, SIGHUP) is passed on to it.",
        "There is no `portmate exec`: `portmate run SERVICE -- …` runs a command as that service would run it.",
      ],
      exitCodes: [
        [ExitCode.ok, "the command succeeded; any other code of the command is portmate's (128 + N when signal N killed it)"],
        [ExitCode.serviceFailed, "the stack is not running (message on stderr)"],
        [ExitCode.usage, "no command after --, or no such service (message on stderr)"],
        INTERNAL_EXIT,
        [ExitCode.cannotRun, "the command could not be started (not executable, its folder is gone)"],
        [ExitCode.commandNotFound, "no such command"],
      ],
      examples: [
        ["portmate run -- npm test", "tests against the running stack (BACKEND_URL…)"],
        ["portmate run backend -- npm run migrate", "in backend's folder, with its env"],
        ["portmate run backend -- python", "a REPL as the backend"],
        ["portmate run -- sh -c 'curl \"$BACKEND_URL/health\"'", "a shell line"],
        ["portmate run --instance 2 -- npm test", "against instance 2"],
      ],
    },
    io,
  );
  return command.action(async (_service: string | undefined, _command: string[], options: { instance: number }, self: Command) => {
    const { service, argv } = splitAtDashes(self);
    throw new ExitRequest(await runCommand({ ...globals(self), service, command: argv, instance: options.instance }, io));
  });
}

/**
 * The service and the command, told apart by where `--` was: commander drops it from the arguments, so it is
 * found in the command line as typed. Before it, only a service (and options) may stand.
 */
function splitAtDashes(self: Command): { service: string | undefined; argv: string[] } {
  // rawArgs (the root's whole command line) is not in commander's typings, but set by every parse since v2.
  const typed = (self.parent as { rawArgs?: string[] } | null)?.rawArgs ?? [];
  const dashes = typed.indexOf("--", commandAt(typed) + 1);
  if (dashes < 0) throw new UsageError("the command to run goes after --", EXAMPLE);
  const argv = typed.slice(dashes + 1);
  if (argv.length === 0) throw new UsageError("no command after --", EXAMPLE);
  const before = self.args.slice(0, self.args.length - argv.length);
  const option = before.find((word) => word.startsWith("-"));
  if (option !== undefined) throw new UsageError(`unknown option '${option}'`, "`portmate run --help` lists them");
  if (before.length > 1) throw new UsageError(`only a service may stand before --, got "${before.join(" ")}"`, EXAMPLE);
  return { service: before[0], argv };
}

export interface RunCommandOptions extends ProjectOptions {
  service?: string;
  /** The program and its arguments. */
  command: string[];
  instance: number;
}

/**
 * `portmate run [SERVICE] -- CMD…`: runs CMD attached to this terminal with the running stack's discovery
 * variables (or SERVICE's environment and folder); resolves with CMD's exit code.
 */
export async function runCommand(options: RunCommandOptions, io: CliIO): Promise<number> {
  const record = runningRecord(await currentProject(options), options.instance);
  const service = options.service === undefined ? undefined : recordedService(record, options.service);
  return runAttached({ argv: options.command, ...oneOffSetting(record, service, { env: io.env, cwd: process.cwd() }) });
}
