import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { psCommand } from "../ps-command.js";
import type { CliIO } from "../terminal.js";
import { ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";

/** `portmate ps`. */
export function psCli(io: CliIO): Command {
  const command = new Command("ps")
    .summary("list the running services")
    .description("List the services of this project's running stacks (with -a: every stack on this machine).")
    .option("-a, --all", "every stack, of every project")
    .option("--json", "print JSON: an array of {project, instance, service, pid, port, ports, status, url, public_url, startedAt, listening}");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      notes: ["Statuses: starting, healthy, unhealthy, restarting, exited (CODE), stopping, stale (its supervisor died)."],
      exitCodes: [[ExitCode.ok, "listed (also when nothing runs)"], [ExitCode.usage, "usage or config error"], INTERNAL_EXIT],
      examples: [
        ["portmate ps", "this project's services"],
        ["portmate ps -a", "every stack on this machine"],
        ["portmate ps --json | jq '.[].url'", "for scripts"],
      ],
    },
    io,
  );
  return command.action(async (options: { all?: boolean; json?: boolean }, self: Command) => {
    throw new ExitRequest(await psCommand({ ...globals(self), all: options.all === true, json: options.json === true }, io));
  });
}
