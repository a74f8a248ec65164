import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import { downCommand } from "../down-command.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";

/** `portmate down`. */
export function downCli(io: CliIO): Command {
  const command = new Command("down")
    .summary("stop the stack, even when its supervisor died")
    .description("Stop this project's stacks (with -a: every stack), even when their supervisor died; returns once every process is gone.")
    .option("-a, --all", "every stack, of every project")
    .option("--instance <n>", "only this instance", count(1, MAX_INSTANCES))
    .option("-t, --timeout <seconds>", "time each service gets to stop before SIGKILL (default: its stop_timeout)", count(0, 3600));
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
      ],
    },
    io,
  );
  return command.action(async (options: { all?: boolean; instance?: number; timeout?: number }, self: Command) => {
    throw new ExitRequest(await downCommand({ ...globals(self), all: options.all === true, instance: options.instance, timeoutSeconds: options.timeout }, io));
  });
}
