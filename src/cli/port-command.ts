import { ExitCode, UsageError } from "../errors.js";
import { currentProject, type ProjectOptions } from "./project.js";
import { recordedService, runningRecord } from "./running-stack.js";
import type { CliIO } from "./terminal.js";

export interface PortCommandOptions extends ProjectOptions {
  service: string;
  name?: string;
  instance: number;
}

/** `portmate port SERVICE [NAME]`: the port a running service got, as a bare number for scripts. */
export function portCommand(options: PortCommandOptions, io: CliIO): number {
  const service = recordedService(runningRecord(currentProject(options), options.instance), options.service);
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
