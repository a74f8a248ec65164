import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { restartServices } from "../../operations/restart-services.js";

/** `portmate restart`. */
export function restartCli(io: CliIO): Command {
  const command = new Command("restart")
    .summary("restart services of a running stack")
    .description("Restart services of a running stack (without a name, every one, in start order), each healthy before the next.")
    .argument("[services...]", "the services (default: every one)")
    .option("--new-port", "on newly allocated ports; the services that refer to them are restarted too, so they point at the new ports")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    .option("--json", "print JSON: an array of {service, moved: [{name, from, to}], restarted}");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "restarted and healthy"],
        [ExitCode.serviceFailed, "the stack is not running, or a service did not come back healthy"],
        [ExitCode.usage, "no such service, or --new-port without one"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate restart", "every service, dependencies first, each on its port"],
        ["portmate restart backend", "on the same port"],
        ["portmate restart backend --new-port", "on a new port; what refers to it is restarted too"],
        ["portmate restart backend --new-port --json", "for scripts: the ports it moved from and to"],
      ],
    },
    io,
  );
  return command.action(async (services: string[], options: { newPort?: boolean; instance: number; json?: boolean }, self: Command) => {
    throw new ExitRequest(
      await restartCommand({ ...globals(self), services, instance: options.instance, newPort: options.newPort === true, json: options.json === true }, io),
    );
  });
}

export interface RestartCommandOptions extends ProjectOptions {
  services: string[];
  instance: number;
  newPort: boolean;
  json: boolean;
}

/**
 * `portmate restart [SERVICE…] [--new-port]`: asks the stack's supervisor to restart services (by default every
 * one, in start order), each healthy before the next; with `--new-port` on new ports, restarting the services
 * that refer to them as well.
 */
export async function restartCommand(options: RestartCommandOptions, io: CliIO): Promise<number> {
  const reports = await restartServices({
    project: await currentProject(options),
    instance: options.instance,
    services: options.services,
    newPort: options.newPort,
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    return ExitCode.ok;
  }
  for (const report of reports) {
    const moved = report.moved.map((move) => `${move.name === "default" ? "port" : `port ${move.name}`} ${move.from} → ${move.to}`).join(", ");
    io.stdout.write(`${report.service} restarted${moved ? ` (${moved})` : ""}\n`);
    if (report.restarted.length) io.stdout.write(`  also restarted, as they refer to it: ${report.restarted.join(", ")}\n`);
  }
  return ExitCode.ok;
}
