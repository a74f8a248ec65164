import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { type CliIO, colors, warn } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { downProject } from "../../operations/down-project.js";

/** `portmate down`. */
export function downCli(io: CliIO): Command {
  const command = new Command("down")
    .summary("stop the stack, even when its supervisor died")
    .description("Stop this project's stacks (with -a: every stack), even when their supervisor died; returns once every process is gone.")
    .option("-a, --all", "every stack, of every project")
    .option("--instance <n>", "only this instance", count(1, MAX_INSTANCES))
    .option("-t, --timeout <seconds>", "time each service gets to stop before SIGKILL (default: its stop_timeout)", count(0, 3600))
    .option("--json", "print JSON: {stopped: [{project, instance, stale}]}");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "stopped (or nothing was running)"],
        [ExitCode.serviceFailed, "something could not be stopped (it is named)"],
        [ExitCode.usage, "usage or config error"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate down", "stop this project"],
        ["portmate down --instance 2", "stop instance 2 only"],
        ["portmate down -a -t 0", "stop every stack on this machine, killing at once"],
        ["portmate down --json", "for scripts: what was stopped"],
      ],
    },
    io,
  );
  return command.action(async (options: { all?: boolean; instance?: number; timeout?: number; json?: boolean }, self: Command) => {
    throw new ExitRequest(
      await downCommand(
        { ...globals(self), all: options.all === true, instance: options.instance, timeoutSeconds: options.timeout, json: options.json === true },
        io,
      ),
    );
  });
}

export interface DownCommandOptions extends ProjectOptions {
  all: boolean;
  instance?: number;
  /** `-t`: overrides every service's stop_timeout, in seconds. */
  timeoutSeconds?: number;
  json: boolean;
}

/**
 * `portmate down`: stops this project's stacks (or `-a` every stack on the machine), even when their supervisor
 * died, and returns once every process is gone and every port closed.
 */
export async function downCommand(options: DownCommandOptions, io: CliIO): Promise<number> {
  const project = options.all ? undefined : await currentProject(options);
  const result = await downProject({
    project,
    ...(options.instance === undefined ? {} : { instance: options.instance }),
    ...(options.timeoutSeconds === undefined ? {} : { timeoutMs: options.timeoutSeconds * 1000 }),
    warn: (message) => warn(io, message),
    stopping: (stacks) => {
      for (const stack of stacks) io.stderr.write(colors.dim(`Stopping ${label(stack.project, stack.instance)}…\n`));
    },
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (result.stopped.length === 0) {
    const what = project ? `${project}${options.instance === undefined ? "" : ` instance ${options.instance}`}` : "any project";
    io.stderr.write(`Nothing of ${what} is running.\n`);
    return ExitCode.ok;
  }
  for (const stopped of result.stopped)
    io.stderr.write(`Stopped ${label(stopped.project, stopped.instance)}${stopped.stale ? " (its supervisor had died)" : ""}.\n`);
  return ExitCode.ok;
}

function label(project: string, instance: number): string {
  return instance === 1 ? project : `${project} instance ${instance}`;
}
