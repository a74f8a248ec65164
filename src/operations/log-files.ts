import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { unknownNameError } from "../util/did-you-mean.js";
import { parseServiceId, serviceId } from "../plan/names.js";
import { stateLayout } from "../state/paths.js";
import { EVENTS_FILE, type LogLine } from "../state/logs.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import type { ServiceInfo } from "../stack/stack.js";
import { describeStackEvent } from "../stack/event-lines.js";
import type { StackEvent } from "../supervise/events.js";

// Where a project's logs are and how each line is told: what `portmate logs` reads, once or as it grows.

/** The name `portmate logs` gives portmate's own lines (see eventsPath): `portmate logs portmate` shows them alone. */
export const PORTMATE = "portmate";

/** One service's log file of one instance, or (`id` portmate) the file of portmate's own events. */
export interface LogFile {
  /** `api`, `api#2`, or `portmate`. */
  id: string;
  name: string;
  path: string;
}

export interface LogFileOptions {
  /** Only these services (`portmate` for portmate's own lines); none: every one. */
  services: readonly string[];
  /** Only this instance. */
  instance?: number;
}

/**
 * The log files of a project, of the services (and instance) asked for, instance by instance, then portmate's
 * events; a usage error for a service that has no logs while others have.
 */
export function logFiles(project: string, options: LogFileOptions): LogFile[] {
  const dir = join(stateLayout().logs, project);
  const every = [...serviceFiles(dir, options.instance), ...eventsFile(dir)];
  if (every.length) {
    const known = [...new Set(every.map((file) => file.name))];
    for (const name of options.services) {
      if (!known.includes(name)) throw unknownNameError(name, known, { message: `no logs of a service "${name}" in ${project}`, list: "services with logs" });
    }
  }
  return options.services.length ? every.filter((file) => options.services.includes(file.name)) : every;
}

function serviceFiles(dir: string, only: number | undefined): LogFile[] {
  const files: LogFile[] = [];
  for (const instance of list(dir)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b)) {
    if (only !== undefined && instance !== only) continue;
    for (const entry of list(join(dir, String(instance)))
      .filter((name) => name.endsWith(".log"))
      .sort()) {
      const name = entry.slice(0, -".log".length);
      files.push({ id: serviceId(name, instance), name, path: join(dir, String(instance), entry) });
    }
  }
  return files;
}

function eventsFile(dir: string): LogFile[] {
  const path = join(dir, EVENTS_FILE);
  return existsSync(path) ? [{ id: PORTMATE, name: PORTMATE, path }] : [];
}

/**
 * Tells the lines of a log file as `portmate logs` shows them: a service's as they were printed; each of
 * portmate's events as the line (or lines) a foreground `up` shows for it, none when it is no news or of
 * another instance than `instance`.
 */
export function lineTeller(project: string, instance: number | undefined): (file: LogFile, line: LogLine) => string[] {
  const services = recordedServices(project);
  return (file, line) => {
    if (file.id !== PORTMATE) return [line.text];
    return describeRecordedEvent(line.text, services, instance)?.split("\n") ?? [];
  };
}

/** The services of a project's running instances, by id, for the ports a line about a restart names. */
function recordedServices(project: string): Map<string, ServiceInfo> {
  const services = new Map<string, ServiceInfo>();
  for (const { record } of recordedStacks(stateLayout(), { project })) {
    for (const service of record.services) services.set(service.id, { ports: service.ports } as ServiceInfo);
  }
  return services;
}

/** One line of portmate's events file as the event it records; undefined for a line that is none (cut short, edited). */
export function recordedEvent(text: string): StackEvent | undefined {
  try {
    return JSON.parse(text) as StackEvent;
  } catch {
    return undefined;
  }
}

function describeRecordedEvent(text: string, services: ReadonlyMap<string, ServiceInfo>, instance: number | undefined): string | undefined {
  const event = recordedEvent(text);
  if (event === undefined) return undefined;
  if (instance !== undefined && event.service !== "" && parseServiceId(event.service).instance !== instance) return undefined;
  return describeStackEvent(event, (id) => services.get(id));
}

/** Lines in the order they were printed; a stable sort keeps each file's own order for equal times. */
export function sortByTime<T extends { at: string }>(lines: T[]): T[] {
  return lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
