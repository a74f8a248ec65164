import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";

/** `portmate env`. */
export function envCli(io: CliIO): Command {
  const command = new Command("env")
    .summary("print export lines of a running stack's ports and URLs")
    .description('Print `export NAME=value` lines of a running stack, for `eval "$(portmate env)"`.')
    .argument("[service]", "every variable portmate gives this service (default: every service's <SVC>_PORT and <SVC>_URL)")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1);
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [[ExitCode.ok, "printed"], [ExitCode.serviceFailed, "the stack is not running"], [ExitCode.usage, "no such service"], INTERNAL_EXIT],
      examples: [
        ['eval "$(portmate env)"', "BACKEND_PORT, BACKEND_URL… in this shell"],
        ["portmate env ui", "everything ui was started with by portmate"],
      ],
    },
    io,
  );
  return command.action(async (service: string | undefined, options: { instance: number }, self: Command) => {
    throw new ExitRequest((await import("../env-command.js")).envCommand({ ...globals(self), service, instance: options.instance }, io));
  });
}
