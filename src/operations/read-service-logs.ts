import { UsageError } from "../errors.js";
import { parseDuration } from "../util/duration.js";
import { readLastLines } from "../state/logs.js";
import { lineTeller, logFiles, sortByTime } from "./log-files.js";

/** One line as `portmate logs` shows it, and as `logs --json` prints it. */
export interface LogLineJson {
  /** `api`, `api#2` (instance 2), or `portmate` for portmate's own lines (a restart, an exit, a config applied). */
  service: string;
  /** When it was printed (ISO); empty for a line written without a time. */
  at: string;
  text: string;
}

export interface ReadServiceLogsOptions {
  project: string;
  /** Only these services (`portmate` for portmate's own lines); default: every one. */
  services?: string[];
  /** Only this instance; default: every one. */
  instance?: number;
  /** The last lines of each service (after `since` and `grep`); default: all. */
  tail?: number;
  /** Only lines printed at or after this time. */
  since?: Date;
  /** Only lines this regular expression (JavaScript's) matches. */
  grep?: string;
}

/**
 * The services' output from their log files (kept after `down`, until the project's next `up`), interleaved in
 * the order it was printed, with portmate's own lines among them.
 */
export function readServiceLogs(options: ReadServiceLogsOptions): LogLineJson[] {
  const matches = grepOf(options.grep);
  const tail = options.tail ?? Infinity;
  const since = options.since?.toISOString();
  const tell = lineTeller(options.project, options.instance);
  const lines = logFiles(options.project, {
    services: options.services ?? [],
    ...(options.instance === undefined ? {} : { instance: options.instance }),
  }).flatMap((file) => {
    // A filter picks from every line, the tail from what it kept.
    const told = readLastLines(file.path, matches ? Infinity : tail, since).flatMap((line) =>
      tell(file, line).map((text) => ({ service: file.id, at: line.at, text })),
    );
    if (!matches) return told;
    const kept = told.filter((line) => matches.test(line.text));
    return tail === Infinity ? kept : kept.slice(kept.length - Math.min(tail, kept.length));
  });
  return sortByTime(lines);
}

function grepOf(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new UsageError(`grep: ${(error as Error).message}`, "a regular expression such as `error|warn`; escape `(`, `[`, `.` to match them as they are");
  }
}

/** What a `since` must be, for the message when it is not. */
export const SINCE_EXPECTED = "must be a duration such as `5m` or `1h30m`, or a time such as `2026-12-05T10:00:00Z`";

/** `5m` (that long ago) or `2026-12-05T10:00:00Z` (any date and time JavaScript reads); undefined for neither. */
export function sinceTime(value: string, now = Date.now()): Date | undefined {
  const ago = parseDuration(value);
  if (ago !== undefined) return new Date(now - ago);
  const at = /\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : new Date(at);
}
