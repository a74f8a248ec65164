import { Command, InvalidArgumentError, Option } from "commander";
import { parseDuration } from "../../util/duration.js";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { type CliIO, colors } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { unknownNameError } from "../../util/did-you-mean.js";
import { parseServiceId, serviceId } from "../../plan/names.js";
import { stateLayout } from "../../state/paths.js";
import { EVENTS_FILE, readLastLines, readNewLines, readServiceOrder, type LogLine } from "../../state/logs.js";
import { recordedStacks } from "../../state/recorded-stacks.js";
import type { ServiceInfo } from "../../stack/stack.js";
import type { StackEvent } from "../../supervise/events.js";
import { describeStackEvent } from "../ui/event-lines.js";
import { PrefixedOutput } from "../ui/output.js";
import { currentProject, type ProjectOptions } from "../project.js";

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
  /** With `follow`: stop following once this says so (the stack stopped). */
  until?: () => boolean;
}

/** One service's log file of one instance. */
interface LogFile {
  id: string;
  name: string;
  path: string;
}

const FOLLOW_POLL_MS = 200;

/**
 * `portmate logs`: the services' output from their log files, interleaved in the order it was printed and
 * prefixed like a foreground `up` (`svc |`, `svc#2 |`); `-f` keeps following, also files that appear later
 * (an instance started after), until Ctrl-C. Logs stay after `down`, so this also shows how a stack ended.
 * `-n` picks the last lines of each service (after `--since`), `-t` shows when each was printed; each service
 * has the colour it has in `up`.
 */
export async function logsCommand(options: LogsCommandOptions, io: CliIO): Promise<number> {
  const project = await currentProject(options);
  const dir = join(stateLayout().logs, project);
  const files = () => [...logFiles(dir, options), ...eventsFile(dir, options)];
  checkNames(options.services, [...logFiles(dir, { ...options, services: [] }), ...eventsFile(dir, { ...options, services: [] })], project);
  const found = files();
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
  const since = options.since?.toISOString();
  const services = recordedServices(project);
  const show = ({ file, line }: { file: LogFile; line: LogLine }) => {
    if (since !== undefined && line.at < since) return;
    const stamp = (text: string) => (options.timestamps ? `${colors.dim(line.at || "-".repeat(24))} ${text}` : text);
    if (file.id !== PORTMATE) {
      output.line(file.id, stamp(line.text));
      return;
    }
    const told = describeRecordedEvent(line.text, services, options.instance);
    if (told !== undefined) for (const part of told.split("\n")) output.note(stamp(part));
  };

  const first = found.flatMap((file) => readLastLines(file.path, options.lines, since).map((line) => ({ file, line })));
  for (const entry of sortByTime(first)) show(entry);
  if (!options.follow) return ExitCode.ok;

  const offsets = new Map(found.map((file) => [file.path, sizeOf(file.path)]));
  let stopped = false;
  const stop = () => (stopped = true);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  while (!stopped && !options.until?.()) {
    const fresh: Array<{ file: LogFile; line: LogLine }> = [];
    for (const file of files()) {
      const { lines, offset } = readNewLines(file.path, offsets.get(file.path) ?? 0);
      offsets.set(file.path, offset);
      fresh.push(...lines.map((line) => ({ file, line })));
    }
    for (const entry of sortByTime(fresh)) show(entry);
    await sleep(FOLLOW_POLL_MS);
  }
  return ExitCode.ok;
}

/** The name `portmate logs` gives portmate's own lines (see eventsPath): `portmate logs portmate` shows them alone. */
const PORTMATE = "portmate";

/** The file of portmate's own events, when there is one and it is asked for. */
function eventsFile(dir: string, options: LogsCommandOptions): LogFile[] {
  const path = join(dir, EVENTS_FILE);
  if (!existsSync(path) || (options.services.length && !options.services.includes(PORTMATE))) return [];
  return [{ id: PORTMATE, name: PORTMATE, path }];
}

/** The services of a project's running instances, by id, for the ports a line about a restart names. */
function recordedServices(project: string): Map<string, ServiceInfo> {
  const services = new Map<string, ServiceInfo>();
  for (const { record } of recordedStacks(stateLayout(), { project })) {
    for (const service of record.services) services.set(service.id, { ports: service.ports } as ServiceInfo);
  }
  return services;
}

/** One of portmate's events as the line a foreground `up` shows for it; undefined when it is no news. */
function describeRecordedEvent(text: string, services: ReadonlyMap<string, ServiceInfo>, instance: number | undefined): string | undefined {
  let event: StackEvent;
  try {
    event = JSON.parse(text) as StackEvent;
  } catch {
    return undefined;
  }
  if (instance !== undefined && event.service !== "" && parseServiceId(event.service).instance !== instance) return undefined;
  return describeStackEvent(event, (id) => services.get(id));
}

/** The log files of a project, of the services (and instance) asked for, instance by instance. */
function logFiles(dir: string, options: LogsCommandOptions): LogFile[] {
  const files: LogFile[] = [];
  for (const instance of list(dir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b)) {
    if (options.instance !== undefined && instance !== options.instance) continue;
    for (const entry of list(join(dir, String(instance)))
      .filter((name) => name.endsWith(".log"))
      .sort()) {
      const name = entry.slice(0, -".log".length);
      if (options.services.length && !options.services.includes(name)) continue;
      files.push({ id: serviceId(name, instance), name, path: join(dir, String(instance), entry) });
    }
  }
  return files;
}

function checkNames(names: readonly string[], files: readonly LogFile[], project: string): void {
  if (files.length === 0) return;
  const known = [...new Set(files.map((file) => file.name))];
  for (const name of names) {
    if (known.includes(name)) continue;
    throw unknownNameError(name, known, { message: `no logs of a service "${name}" in ${project}`, list: "services with logs" });
  }
}

/** Lines in the order they were printed; a stable sort keeps each file's own order for equal times. */
function sortByTime<T extends { line: LogLine }>(lines: T[]): T[] {
  return lines.sort((a, b) => (a.line.at < b.line.at ? -1 : a.line.at > b.line.at ? 1 : 0));
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
