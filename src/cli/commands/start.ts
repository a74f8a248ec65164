import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { serviceId } from "../../plan/names.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { startServices } from "../../operations/start-services.js";

/** `portmate start`. */
export function startCli(io: CliIO): Command {
  const command = new Command("start")
    .summary("start stopped services of a running stack again, on their ports")
    .description(
      "Start services of a running stack that are not running (stopped with `portmate stop`, exited, or given up on by their restart policy), on the ports they had, with the stopped services they depend on first; each healthy before the next. Without a name, every one that is not running. `portmate up` starts a stack that is not running.",
    )
    .argument("[services...]", "the services (default: every one that is not running)")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    .option("--json", "print what was done as JSON");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "started and healthy (or running already)"],
        [ExitCode.serviceFailed, "the stack is not running, or a service did not come up healthy (it is stopped again)"],
        [ExitCode.usage, "no such service"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate start api", "after `portmate stop api`: api again, on its port"],
        ["portmate start", "every service of the stack that is not running"],
      ],
    },
    io,
  );
  return command.action(async (services: string[], options: { instance: number; json?: boolean }, self: Command) => {
    throw new ExitRequest(await startCommand({ ...globals(self), services, instance: options.instance, json: options.json === true }, io));
  });
}

export interface StartCommandOptions extends ProjectOptions {
  services: string[];
  instance: number;
  json: boolean;
}

/** `portmate start [SERVICE…]`: asks the stack's supervisor to start services that are not running. */
export async function startCommand(options: StartCommandOptions, io: CliIO): Promise<number> {
  const report = await startServices({ project: await currentProject(options), instance: options.instance, services: options.services });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return ExitCode.ok;
  }
  for (const { service, ports } of report.started) {
    const list = Object.entries(ports).map(([name, port]) => (name === "default" ? `${port}` : `${name} ${port}`));
    io.stdout.write(`${service} started${list.length ? ` on port ${list.join(", ")}` : ""}\n`);
  }
  // Named and running already: said, so nobody wonders; unnamed (`start` alone), that is the rest of the stack.
  const named = new Set(options.services.map((name) => serviceId(name, options.instance)));
  const running = report.alreadyRunning.filter((id) => named.has(id));
  if (running.length) io.stdout.write(`${running.join(", ")} ${running.length === 1 ? "was" : "were"} running already\n`);
  if (!report.started.length && !running.length) io.stdout.write(`every service of ${report.project} is running\n`);
  return ExitCode.ok;
}
