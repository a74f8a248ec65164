import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, portOverride, withProjectOptions } from "./shared.js";

/** `portmate config`. */
export function configCli(io: CliIO): Command {
  const command = new Command("config")
    .summary("print the config with every template filled in")
    .description("Print the config with every template filled in: the running stack's ports, else the ports free now.")
    .option("--json", "print JSON instead of YAML")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    .option("--port <service=port>", "as for `up`: prefer this port for a service; repeatable", portOverride);
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "printed"],
        [ExitCode.usage, "config error (each problem with its file, line and column)"],
        [ExitCode.noPorts, "no ports could be allocated"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate config", "what `up` would run, as YAML"],
        ["portmate config --json | jq .services", "for scripts"],
      ],
    },
    io,
  );
  return command.action(async (options: { json?: boolean; instance: number; port?: Record<string, number> }, self: Command) => {
    throw new ExitRequest(
      await (
        await import("../config-command.js")
      ).configCommand({ ...globals(self), json: options.json === true, instance: options.instance, ports: options.port ?? {} }, io),
    );
  });
}
