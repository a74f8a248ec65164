import { stopStacks } from "../down.js";
import { ExitCode, PortmateError } from "../errors.js";
import { recordedStacks } from "../stacks.js";
import { stateLayout } from "../state/paths.js";
import { currentProject, type ProjectOptions } from "./project.js";
import { colors, warn, type CliIO } from "./terminal.js";

export interface DownCommandOptions extends ProjectOptions {
  all: boolean;
  instance?: number;
  /** `-t`: overrides every service's stop_timeout, in seconds. */
  timeoutSeconds?: number;
}

/**
 * `portmate down`: stops this project's stacks (or `-a` every stack on the machine), even when their supervisor
 * died, and returns once every process is gone and every port closed.
 */
export async function downCommand(options: DownCommandOptions, io: CliIO): Promise<number> {
  const project = options.all ? undefined : currentProject(options);
  const layout = stateLayout();
  const report = (message: string) => warn(io, message);
  const stacks = recordedStacks(layout, { project, warn: report }).filter(
    ({ record }) => options.instance === undefined || record.instance === options.instance,
  );
  if (stacks.length === 0) {
    const what = project ? `${project}${options.instance === undefined ? "" : ` instance ${options.instance}`}` : "any project";
    io.stderr.write(`Nothing of ${what} is running.\n`);
    return ExitCode.ok;
  }
  for (const { record } of stacks) io.stderr.write(colors.dim(`Stopping ${label(record.project, record.instance)}…\n`));
  const result = await stopStacks(layout, stacks, {
    ...(options.timeoutSeconds === undefined ? {} : { timeoutMs: options.timeoutSeconds * 1000 }),
    warn: report,
  });
  if (result.survivors.length || result.listening.length) {
    const left = [
      ...(result.survivors.length ? [`processes still running: ${result.survivors.join(", ")}`] : []),
      ...(result.listening.length ? [`ports still listening: ${result.listening.join(", ")}`] : []),
    ];
    throw new PortmateError("not everything could be stopped", ExitCode.serviceFailed, [...left, "hint: `portmate who PORT` names what holds a port"]);
  }
  for (const stopped of result.stopped)
    io.stderr.write(`Stopped ${label(stopped.project, stopped.instance)}${stopped.stale ? " (its supervisor had died)" : ""}.\n`);
  return ExitCode.ok;
}

function label(project: string, instance: number): string {
  return instance === 1 ? project : `${project} instance ${instance}`;
}
