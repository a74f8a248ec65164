import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";

/** `portmate restart`. */
export function restartCli(io: CliIO): Command {
  const command = new Command("restart")
    .summary("restart services of a running stack")
    .description("Restart services of a running stack, each healthy before the next.")
    .argument("<services...>", "the services")
    .option("--new-port", "on newly allocated ports; the services that refer to them are restarted too, so they point at the new ports")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1);
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "restarted and healthy"],
        [ExitCode.serviceFailed, "the stack is not running, or a service did not come back healthy"],
        [ExitCode.usage, "no such service"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate restart backend", "on the same port"],
        ["portmate restart backend --new-port", "on a new port; what refers to it is restarted too"],
      ],
    },
    io,
  );
  return command.action(async (services: string[], options: { newPort?: boolean; instance: number }, self: Command) => {
    throw new ExitRequest(
      await (
        await import("../restart-command.js")
      ).restartCommand({ ...globals(self), services, instance: options.instance, newPort: options.newPort === true }, io),
    );
  });
}
