import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import { portCommand } from "../port-command.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";

/** `portmate port`. */
export function portCli(io: CliIO): Command {
  const command = new Command("port")
    .summary("print a running service's port")
    .description("Print the port a running service got (its primary one, or the named one), as a bare number.")
    .argument("<service>", "the service")
    .argument("[name]", "a named port of the service")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1);
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [[ExitCode.ok, "printed"], [ExitCode.serviceFailed, "the stack is not running"], [ExitCode.usage, "no such service or port"], INTERNAL_EXIT],
      examples: [
        ["portmate port backend", "8000"],
        ["portmate port admin metrics", "a named port"],
        ['curl "localhost:$(portmate port backend)/health"', "in a script"],
      ],
    },
    io,
  );
  return command.action((service: string, name: string | undefined, options: { instance: number }, self: Command) => {
    throw new ExitRequest(portCommand({ ...globals(self), service, name, instance: options.instance }, io));
  });
}
