import { Command, InvalidArgumentError, Option } from "commander";
import { ExitCode, UsageError } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { type CliIO, colors } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { stateLayout } from "../../state/paths.js";
import { readNewLines, readServiceOrder } from "../../state/logs.js";
import { PrefixedOutput } from "../ui/output.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { lineTeller, logFiles, PORTMATE, sortByTime } from "../../operations/log-files.js";
import { readServiceLogs, SINCE_EXPECTED, sinceTime, type LogLineJson } from "../../operations/read-service-logs.js";

/** `--since 5m` (that long ago) or `--since 2026-12-05T10:00:00Z` (any date and time JavaScript reads). */
export function parseSince(value: string, now = Date.now()): Date {
  const since = sinceTime(value, now);
  if (!since) throw new InvalidArgumentError(SINCE_EXPECTED);
  return since;
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
    .option("--grep <regex>", "only lines this regular expression matches (`error|warn`)")
    .option("--instance <n>", "only this instance", count(1, MAX_INSTANCES))
    .option("--json", "print JSON: an array of {service, at, text}, in the order printed (not with -f)");
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
        ["portmate logs api --grep 'error|warn' -n 20", "api's last 20 lines that match"],
        ["portmate logs --json -n 50", "for scripts: {service, at, text} each"],
      ],
    },
    io,
  );
  return command.action(
    async (
      services: string[],
      options: { follow?: boolean; tail?: number; lines?: number; timestamps?: boolean; since?: Date; grep?: string; instance?: number; json?: boolean },
      self: Command,
    ) => {
      const code = await logsCommand(
        {
          ...globals(self),
          services,
          follow: options.follow === true,
          lines: options.tail ?? options.lines ?? Infinity,
          instance: options.instance,
          timestamps: options.timestamps === true,
          ...(options.since ? { since: options.since } : {}),
          ...(options.grep === undefined ? {} : { grep: options.grep }),
          json: options.json === true,
        },
        io,
      );
      throw new ExitRequest(code);
    },
  );
}

export interface LogsCommandOptions extends ProjectOptions {
  services: string[];
  follow: boolean;
  /** Lines per service to show first; Infinity for all, 0 for none (with `follow`: only new lines). */
  lines: number;
  instance?: number;
  /** Print each line's time (`-t`). */
  timestamps?: boolean;
  /** Only lines printed at or after this time (`--since`). */
  since?: Date;
  /** Only lines this regular expression matches (`--grep`). */
  grep?: string;
  /** Print the lines as JSON (`--json`), not with `follow`. */
  json?: boolean;
  /** With `follow`: stop following once this says so (the stack stopped). */
  until?: () => boolean;
}

const FOLLOW_POLL_MS = 200;

/**
 * `portmate logs`: the services' output from their log files, interleaved in the order it was printed and
 * prefixed like a foreground `up` (`svc |`, `svc#2 |`); `-f` keeps following, also files that appear later
 * (an instance started after), until Ctrl-C. Logs stay after `down`, so this also shows how a stack ended.
 * `-n` picks the last lines of each service (after `--since` and `--grep`), `-t` shows when each was printed;
 * each service has the colour it has in `up`.
 */
export async function logsCommand(options: LogsCommandOptions, io: CliIO): Promise<number> {
  if (options.json && options.follow) throw new UsageError("--json prints the lines there are: it does not follow", "drop -f, or --json");
  const project = await currentProject(options);
  const which = { services: options.services, ...(options.instance === undefined ? {} : { instance: options.instance }) };
  const found = logFiles(project, which);
  const first = readServiceLogs({
    project,
    ...which,
    tail: options.lines,
    ...(options.since ? { since: options.since } : {}),
    ...(options.grep === undefined ? {} : { grep: options.grep }),
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(first, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (found.length === 0 && !options.follow) {
    io.stderr.write(`No logs of ${project} yet. \`portmate up\` writes them.\n`);
    return ExitCode.ok;
  }
  const names = readServiceOrder(stateLayout(), project) ?? [...new Set(found.map((file) => file.name))].sort();
  const output = new PrefixedOutput(
    found.filter((file) => file.id !== PORTMATE).map((file) => file.id),
    names,
    (text) => io.stdout.write(text),
    found.some((file) => file.id === PORTMATE),
  );
  const matches = options.grep === undefined ? undefined : new RegExp(options.grep);
  const show = (line: LogLineJson) => {
    const text = options.timestamps ? `${colors.dim(line.at || "-".repeat(24))} ${line.text}` : line.text;
    if (line.service === PORTMATE) output.note(text);
    else output.line(line.service, text);
  };
  for (const line of first) show(line);
  if (!options.follow) return ExitCode.ok;

  const tell = lineTeller(project, options.instance);
  const offsets = new Map(found.map((file) => [file.path, sizeOf(file.path)]));
  let stopped = false;
  const stop = () => (stopped = true);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  while (!stopped && !options.until?.()) {
    const fresh: LogLineJson[] = [];
    for (const file of logFiles(project, which)) {
      const { lines, offset } = readNewLines(file.path, offsets.get(file.path) ?? 0);
      offsets.set(file.path, offset);
      for (const line of lines) fresh.push(...tell(file, line).map((text) => ({ service: file.id, at: line.at, text })));
    }
    for (const line of sortByTime(fresh)) if (!matches || matches.test(line.text)) show(line);
    await sleep(FOLLOW_POLL_MS);
  }
  return ExitCode.ok;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
