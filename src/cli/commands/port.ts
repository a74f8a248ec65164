import { Command } from "commander";
import { ExitCode, UsageError } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { currentProject, type ProjectOptions } from "../project.js";
import { recordedService, runningRecord } from "../running-stack.js";

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
  return command.action(async (service: string, name: string | undefined, options: { instance: number }, self: Command) => {
    throw new ExitRequest(await portCommand({ ...globals(self), service, name, instance: options.instance }, io));
  });
}

export interface PortCommandOptions extends ProjectOptions {
  service: string;
  name?: string;
  instance: number;
}

/** `portmate port SERVICE [NAME]`: the port a running service got, as a bare number for scripts. */
export async function portCommand(options: PortCommandOptions, io: CliIO): Promise<number> {
  const service = recordedService(runningRecord(await currentProject(options), options.instance), options.service);
  const port = options.name === undefined ? service.port : service.ports[options.name];
  if (port === undefined || port === null) {
    const names = Object.keys(service.ports);
    throw new UsageError(
      options.name === undefined
        ? `${options.service} has no port${service.status === "starting" ? " yet" : ""}`
        : `${options.service} has no port named "${options.name}"`,
      names.length ? `its ports: ${names.join(", ")}` : undefined,
    );
  }
  io.stdout.write(`${port}\n`);
  return ExitCode.ok;
}
