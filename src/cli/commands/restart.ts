import { Command } from "commander";
import { ExitCode, PortmateError } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import type { RestartReport } from "../../supervise/rewiring.js";
import type { ProjectOptions } from "../project.js";
import { askSupervisor, namedIds } from "./service-requests.js";

/** `portmate restart`. */
export function restartCli(io: CliIO): Command {
  const command = new Command("restart")
    .summary("restart services of a running stack")
    .description("Restart services of a running stack (without a name, every one, in start order), each healthy before the next.")
    .argument("[services...]", "the services (default: every one)")
    .option("--new-port", "on newly allocated ports; the services that refer to them are restarted too, so they point at the new ports")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1);
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
      ],
    },
    io,
  );
  return command.action(async (services: string[], options: { newPort?: boolean; instance: number }, self: Command) => {
    throw new ExitRequest(await restartCommand({ ...globals(self), services, instance: options.instance, newPort: options.newPort === true }, io));
  });
}

export interface RestartCommandOptions extends ProjectOptions {
  services: string[];
  instance: number;
  newPort: boolean;
}

/**
 * `portmate restart [SERVICE…] [--new-port]`: asks the stack's supervisor to restart services (by default every
 * one, in start order), each healthy before the next; with `--new-port` on new ports, restarting the services
 * that refer to them as well.
 */
export async function restartCommand(options: RestartCommandOptions, io: CliIO): Promise<number> {
  // Every service moving at once would restart each one that refers to another once per move.
  if (options.newPort && options.services.length === 0) {
    throw new PortmateError("--new-port needs the services to move", ExitCode.usage, ["hint: `portmate restart backend --new-port`"]);
  }
  // None named: the supervisor restarts every service of the instance, in start order (dependencies first).
  const { record, ids } = await namedIds(options, options.services);
  const request = { op: "restart", services: ids, instance: options.instance, newPort: options.newPort } as const;
  const what = ids.length ? ids.join(", ") : `every service of ${record.project}`;
  const reports = (await askSupervisor(record, request, `could not restart ${what}`)) as RestartReport[];
  for (const report of reports) {
    const moved = report.moved.map((move) => `${move.name === "default" ? "port" : `port ${move.name}`} ${move.from} → ${move.to}`).join(", ");
    io.stdout.write(`${report.service} restarted${moved ? ` (${moved})` : ""}\n`);
    if (report.restarted.length) io.stdout.write(`  also restarted, as they refer to it: ${report.restarted.join(", ")}\n`);
  }
  return ExitCode.ok;
}
