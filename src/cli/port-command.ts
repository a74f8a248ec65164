import { didYouMean } from "../config/did-you-mean.js";
import { ExitCode, PortmateError, UsageError } from "../errors.js";
import { recordedStacks } from "../stacks.js";
import { stateLayout } from "../state/paths.js";
import { currentProject, type ProjectOptions } from "./project.js";
import type { CliIO } from "./terminal.js";

export interface PortCommandOptions extends ProjectOptions {
  service: string;
  name?: string;
  instance: number;
}

/** `portmate port SERVICE [NAME]`: the port a running service got, as a bare number for scripts. */
export function portCommand(options: PortCommandOptions, io: CliIO): number {
  const project = currentProject(options);
  const stack = recordedStacks(stateLayout(), { project }).find(({ record }) => record.instance === options.instance);
  if (!stack) {
    throw new PortmateError(`${project}${options.instance === 1 ? "" : ` instance ${options.instance}`} is not running`, ExitCode.serviceFailed, [
      "hint: `portmate up -d` starts it in the background",
    ]);
  }
  if (!stack.alive) {
    throw new PortmateError(`${project} is stale: its supervisor died, so its ports may be gone`, ExitCode.serviceFailed, [
      "hint: `portmate down` cleans it up; `portmate up` starts it again",
    ]);
  }
  const service = stack.record.services.find((candidate) => candidate.name === options.service);
  if (!service) {
    const names = stack.record.services.map((candidate) => candidate.name);
    const guess = didYouMean(options.service, names);
    throw new UsageError(`${project} has no service "${options.service}"${guess ? ` (did you mean "${guess}"?)` : ""}`, `services: ${names.join(", ")}`);
  }
  const port = options.name === undefined ? service.port : service.ports[options.name];
  if (port === undefined || port === null) {
    const names = Object.keys(service.ports);
    throw new UsageError(
      options.name === undefined ? `${options.service} has no port` : `${options.service} has no port named "${options.name}"`,
      names.length ? `its ports: ${names.join(", ")}` : undefined,
    );
  }
  io.stdout.write(`${port}\n`);
  return ExitCode.ok;
}
