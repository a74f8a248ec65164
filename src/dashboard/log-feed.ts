import { endOfLines, eventsPath, logPath, readLastLines, readNewLines, type LogLine } from "../state/logs.js";
import type { StateLayout } from "../state/paths.js";
import { describeStackEvent } from "../stack/event-lines.js";
import type { ServiceInfo } from "../stack/stack.js";
import { parseServiceId } from "../plan/names.js";
import { PORTMATE, recordedEvent, sortByTime } from "../operations/log-files.js";
import type { ServiceView, StackView } from "./stacks-view.js";

/** One line as the page shows it: a service's output, or (`service` "portmate") what portmate did, as `portmate logs` tells it. */
export interface LogEntry {
  project: string;
  instance: number;
  /** `api`, `api#2`, or `portmate`. */
  service: string;
  at: string;
  text: string;
  /** It tells of a failure (an exit nobody asked for, a failed start, an unhealthy service): the page can jump to it. */
  failure?: true;
}

/** How often the followed files are read for new lines while a page is connected. */
const POLL_MS = 250;
/** How many of its last lines of each service a page gets when it connects. */
export const BACKLOG_LINES = 300;

/** A file the feed follows: a service's log, or a project's events. */
interface Followed {
  project: string;
  instance: number;
  service: string;
  path: string;
  offset: number;
}

/**
 * The output of every running stack's services, followed while a page is connected (nothing is read while
 * none is): the lines they print, and portmate's own lines (a restart, a config applied, an exit), as
 * `portmate logs -f` shows them.
 */
export class LogFeed {
  private readonly files = new Map<string, Followed>();
  private stacks: readonly StackView[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Whether `follow` was called before. */
  private followed = false;

  constructor(
    private readonly layout: StateLayout,
    private readonly send: (entries: LogEntry[]) => void,
  ) {}

  /**
   * Follows the files of these stacks (a file followed already keeps its place). The files there are when the
   * dashboard starts are followed from their end (a page gets their last lines as its backlog); a file that
   * comes later (a stack that started, a service added) from its start: all it holds is news.
   */
  follow(stacks: readonly StackView[]): void {
    const fromStart = this.followed;
    this.followed = true;
    this.stacks = stacks;
    const wanted = new Map<string, Omit<Followed, "offset">>();
    for (const stack of stacks.filter((candidate) => candidate.alive)) {
      for (const service of stack.services) {
        const path = this.logOf(stack, service.id);
        wanted.set(path, { project: stack.project, instance: stack.instance, service: service.id, path });
      }
      const events = eventsPath(this.layout, stack.project);
      wanted.set(events, { project: stack.project, instance: 0, service: PORTMATE, path: events });
    }
    for (const path of this.files.keys()) if (!wanted.has(path)) this.files.delete(path);
    for (const [path, file] of wanted) {
      if (!this.files.has(path)) this.files.set(path, { ...file, offset: fromStart ? 0 : endOfLines(path) });
    }
  }

  /** Reads while `on`: a page is connected. */
  running(on: boolean): void {
    if (on && !this.timer) {
      this.timer = setInterval(() => this.poll(), POLL_MS);
      this.timer.unref();
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Sends what is new now, so that a backlog read next starts where the feed stands. */
  poll(): void {
    const fresh: LogEntry[] = [];
    for (const file of this.files.values()) {
      const { lines, offset } = readNewLines(file.path, file.offset);
      file.offset = offset;
      fresh.push(...this.entries(file, lines));
    }
    if (fresh.length > 0) this.send(sortByTime(fresh));
  }

  /** The last lines of every followed file, in the order they were printed: what a page shows first. */
  backlog(count = BACKLOG_LINES): LogEntry[] {
    return sortByTime([...this.files.values()].flatMap((file) => this.entries(file, readLastLines(file.path, count))));
  }

  close(): void {
    this.running(false);
    this.files.clear();
  }

  private logOf(stack: StackView, id: string): string {
    const { name, instance } = parseServiceId(id);
    return logPath(this.layout, stack.project, instance, name);
  }

  private entries(file: Followed, lines: readonly LogLine[]): LogEntry[] {
    if (file.service !== PORTMATE) {
      return lines.map((line) => ({ project: file.project, instance: file.instance, service: file.service, at: line.at, text: line.text }));
    }
    const entries: LogEntry[] = [];
    const services = new Map(
      this.stacks.filter((stack) => stack.project === file.project).flatMap((stack) => stack.services.map((service) => [service.id, service])),
    );
    for (const line of lines) {
      const told = describe(line.text, services);
      if (!told) continue;
      const entry: LogEntry = { project: file.project, instance: told.instance, service: PORTMATE, at: line.at, text: told.text };
      entries.push(told.failure ? { ...entry, failure: true } : entry);
    }
    return entries;
  }
}

/** One of portmate's recorded events as `portmate logs` tells it, of which instance, and whether it tells of a failure. */
function describe(json: string, services: ReadonlyMap<string, ServiceView>): { text: string; instance: number; failure: boolean } | undefined {
  const event = recordedEvent(json);
  if (event === undefined) return undefined;
  const text = describeStackEvent(event, (id) => services.get(id) as ServiceInfo | undefined);
  if (text === undefined) return undefined;
  const instance = event.service === "" ? 1 : parseServiceId(event.service).instance;
  const failure = event.type === "failed" || event.type === "unhealthy" || (event.type === "exited" && !event.expected);
  return { text, instance, failure };
}
