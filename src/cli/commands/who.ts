import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, helpExtras, INTERNAL_EXIT } from "./shared.js";

/** `portmate who`. */
export function whoCli(io: CliIO): Command {
  const command = new Command("who")
    .summary("tell which process holds a port")
    .description("Tell which process holds a port (pid, command, user, since when) and which portmate stack it belongs to.")
    .argument("<port>", "the port", count(1, 65535))
    .option("--json", "print JSON");
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "something holds (or portmate reserved) the port"],
        [ExitCode.serviceFailed, "nothing does"],
        [ExitCode.usage, "not a port"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate who 8000", "pid, command, user, start time, and the portmate project and service"],
        ["portmate who 8000 --json", "for scripts"],
      ],
    },
    io,
  );
  return command.action(async (port: number, options: { json?: boolean }) => {
    throw new ExitRequest(await (await import("../who-command.js")).whoCommand({ port, json: options.json === true }, io));
  });
}
