import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { parseServiceId } from "../../plan/names.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { stopServices } from "../../operations/stop-services.js";

/** `portmate stop`. */
export function stopCli(io: CliIO): Command {
  const command = new Command("stop")
    .summary("stop services of a running stack, keeping their ports")
    .description(
      "Stop services of a running stack, dependents first; the rest keeps running. Each keeps its port: `portmate start` brings it back on the same one. `portmate down` stops the whole stack.",
    )
    .argument("<services...>", "the services to stop")
    .option("--with-dependents", "also stop the services that depend on them (else they keep running, and are named)")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    .option("-t, --timeout <seconds>", "time each service gets to stop before SIGKILL (default: its stop_timeout)", count(0, 3600))
    .option("--json", "print what was done as JSON");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "stopped (or was not running)"],
        [ExitCode.serviceFailed, "the stack is not running, or a service could not be stopped"],
        [ExitCode.usage, "no such service"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate stop api", "stop api, to run it under a debugger; what depends on it keeps running"],
        ["portmate stop db --with-dependents", "stop db and every service that depends on it"],
        ["portmate start api", "bring it back on the same port"],
      ],
    },
    io,
  );
  return command.action(
    async (services: string[], options: { withDependents?: boolean; instance: number; timeout?: number; json?: boolean }, self: Command) => {
      throw new ExitRequest(
        await stopCommand(
          {
            ...globals(self),
            services,
            instance: options.instance,
            withDependents: options.withDependents === true,
            ...(options.timeout === undefined ? {} : { timeoutSeconds: options.timeout }),
            json: options.json === true,
          },
          io,
        ),
      );
    },
  );
}

export interface StopCommandOptions extends ProjectOptions {
  services: string[];
  instance: number;
  withDependents: boolean;
  /** `-t`: overrides the services' stop_timeout, in seconds. */
  timeoutSeconds?: number;
  json: boolean;
}

/** `portmate stop SERVICE…`: asks the stack's supervisor to stop services, leaving the rest running. */
export async function stopCommand(options: StopCommandOptions, io: CliIO): Promise<number> {
  const report = await stopServices({
    project: await currentProject(options),
    instance: options.instance,
    services: options.services,
    withDependents: options.withDependents,
    timeoutMs: options.timeoutSeconds === undefined ? null : options.timeoutSeconds * 1000,
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return ExitCode.ok;
  }
  for (const id of report.stopped) io.stdout.write(`${id} stopped\n`);
  for (const id of report.notRunning) io.stdout.write(`${id} was not running\n`);
  if (report.leftRunning.length) {
    io.stdout.write(
      `${report.leftRunning.join(", ")} ${report.leftRunning.length === 1 ? "depends" : "depend"} on it and kept running (\`--with-dependents\` stops them too)\n`,
    );
  }
  if (report.stopped.length) {
    const again = `portmate start ${report.stopped
      .map((id) => parseServiceId(id).name)
      .reverse()
      .join(" ")}${options.instance === 1 ? "" : ` --instance ${options.instance}`}`;
    io.stdout.write(`\`${again}\` brings ${report.stopped.length === 1 ? "it" : "them"} back on the same ports\n`);
  }
  return ExitCode.ok;
}
