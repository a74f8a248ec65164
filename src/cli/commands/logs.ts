import { Command, InvalidArgumentError, Option } from "commander";
import { parseDuration } from "../../duration.js";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";

/** `--since 5m` (that long ago) or `--since 2026-12-05T10:00:00Z` (any date and time JavaScript reads). */
export function parseSince(value: string, now = Date.now()): Date {
  const ago = parseDuration(value);
  if (ago !== undefined) return new Date(now - ago);
  const at = /\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new InvalidArgumentError("must be a duration such as `5m` or `1h30m`, or a time such as `2026-12-05T10:00:00Z`");
  return new Date(at);
}

/** `portmate logs`. */
export function logsCli(io: CliIO): Command {
  const command = new Command("logs")
    .summary("show the services' output")
    .description("Show the services' output, prefixed by service, in the order it was printed.")
    .argument("[services...]", "only these services")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("-n, --tail <n>", "how many lines of each service to show first (default: all; 0: none, only new ones with -f)", count(0, Number.MAX_SAFE_INTEGER))
    .addOption(new Option("--lines <n>").argParser(count(0, Number.MAX_SAFE_INTEGER)).hideHelp())
    .option("-t, --timestamps", "show when each line was printed")
    .option("--since <when>", "only lines since then: a duration ago (`5m`, `1h30m`) or a time (`2026-12-05T10:00:00Z`)", (value: string) => parseSince(value))
    .option("--instance <n>", "only this instance", count(1, MAX_INSTANCES));
  // `-f` follows, as in docker compose and tail: the config file is `--file` here.
  withProjectOptions(command, { shortFile: false });
  helpExtras(
    command,
    {
      notes: ["Logs are kept after `portmate down`, until the project's next `up`. Each service has the colour it has in `up`."],
      exitCodes: [[ExitCode.ok, "shown (also when there are none yet)"], [ExitCode.usage, "usage error, or no logs of such a service"], INTERNAL_EXIT],
      examples: [
        ["portmate logs -f", "follow every service"],
        ["portmate logs backend -n 20", "backend's last 20 lines"],
        ["portmate logs -f -n 0", "only what is printed from now on"],
        ["portmate logs --since 5m -t", "the last five minutes, with times"],
      ],
    },
    io,
  );
  return command.action(
    async (
      services: string[],
      options: { follow?: boolean; tail?: number; lines?: number; timestamps?: boolean; since?: Date; instance?: number },
      self: Command,
    ) => {
      const { logsCommand } = await import("../logs-command.js");
      const code = await logsCommand(
        {
          ...globals(self),
          services,
          follow: options.follow === true,
          lines: options.tail ?? options.lines ?? Infinity,
          instance: options.instance,
          timestamps: options.timestamps === true,
          ...(options.since ? { since: options.since } : {}),
        },
        io,
      );
      throw new ExitRequest(code);
    },
  );
}
