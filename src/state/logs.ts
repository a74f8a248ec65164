import { closeSync, fstatSync, openSync, readSync, renameSync, statSync, writeSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "./files.js";
import { ensurePrivateDir, type StateLayout } from "./paths.js";

/** A log file that grows past this is moved to `<file>.1` (replacing the previous one) and started afresh. */
export const LOG_MAX_BYTES = 10 * 1024 * 1024;

/** `<state>/logs/<project>/<instance>/<service>.log` */
export function logPath(layout: StateLayout, project: string, instance: number, service: string): string {
  return join(layout.logs, project, String(instance), `${service}.log`);
}

/**
 * `<state>/logs/<project>/portmate.events`: what portmate did once the stack was up (a restart, a watch, a
 * config applied, an exit), one JSON event per line, which `portmate logs` tells as `portmate | …` lines.
 */
export function eventsPath(layout: StateLayout, project: string): string {
  return join(layout.logs, project, EVENTS_FILE);
}

/** The name of that file in a project's log folder. */
export const EVENTS_FILE = "portmate.events";

/** `<state>/logs/<project>/services.json`: the config's service names in order, so `logs` colours them as `up` did. */
function serviceOrderPath(layout: StateLayout, project: string): string {
  return join(layout.logs, project, "services.json");
}

/** Keeps the order of a project's services beside its logs. A state folder that cannot be written loses only colours. */
export function writeServiceOrder(layout: StateLayout, project: string, names: readonly string[]): void {
  try {
    ensurePrivateDir(join(layout.logs, project));
    writeFileAtomic(serviceOrderPath(layout, project), `${JSON.stringify(names)}\n`);
  } catch {
    // colours are a convenience
  }
}

/** The order `writeServiceOrder` kept, or undefined. */
export function readServiceOrder(layout: StateLayout, project: string): string[] | undefined {
  try {
    const names = JSON.parse(readFileSync(serviceOrderPath(layout, project), "utf8")) as unknown;
    return Array.isArray(names) && names.every((name) => typeof name === "string") ? names : undefined;
  } catch {
    return undefined;
  }
}

/** One line of a log file: when it was printed, and what. */
export interface LogLine {
  at: string;
  text: string;
}

/**
 * Appends a service's output to its log file, one line each with the time it was printed
 * (`2026-11-23T14:00:00.123Z text`), so `portmate logs` can interleave services in order. Files are private
 * (0600) and capped: past `maxBytes` the file is rotated to `<file>.1`, so a chatty service cannot fill the disk.
 */
export class LogWriter {
  private fd: number;
  private size: number;
  private lost = 0;
  private lostReason = "";

  constructor(
    readonly path: string,
    private readonly maxBytes = LOG_MAX_BYTES,
  ) {
    ensurePrivateDir(dirname(path));
    this.fd = -1;
    this.size = 0;
    this.reopen();
  }

  /**
   * Appends a line. A line that cannot be written (the disk is full) is counted, not thrown: the services keep
   * running, and once writing works again the log says how many lines it lost.
   */
  write(text: string, at = new Date()): void {
    let line = `${at.toISOString()} ${text}\n`;
    if (this.lost > 0) line = `${at.toISOString()} [portmate: ${this.lost} line${this.lost === 1 ? "" : "s"} lost: ${this.lostReason}]\n${line}`;
    try {
      if (this.fd === -1) this.reopen();
      if (this.size + line.length > this.maxBytes && this.size > 0) this.rotate();
      this.size += writeSync(this.fd, line);
      this.lost = 0;
    } catch (error) {
      this.lost++;
      this.lostReason = (error as NodeJS.ErrnoException).code ?? String(error);
    }
  }

  close(): void {
    if (this.fd !== -1) closeSync(this.fd);
    this.fd = -1;
  }

  private reopen(): void {
    this.fd = openSync(this.path, "a", 0o600);
    this.size = statSync(this.path).size;
  }

  private rotate(): void {
    closeSync(this.fd);
    // Closed: if what follows fails, the next write reopens the file rather than write to a reused descriptor.
    this.fd = -1;
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, "a", 0o600);
    this.size = 0;
  }
}

/** Parses `ISO text` lines; a line without a timestamp (written by hand, say) keeps an empty one. */
export function parseLogLines(text: string): LogLine[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line) => {
    const space = line.indexOf(" ");
    const at = space > 0 ? line.slice(0, space) : "";
    return /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(at) ? { at, text: line.slice(space + 1) } : { at: "", text: line };
  });
}

/**
 * The last `count` lines of a log printed at or after `since` (an ISO time), reading its rotated part too when
 * the current one has fewer.
 */
export function readLastLines(path: string, count: number, since?: string): LogLine[] {
  if (count <= 0) return [];
  const keep = (lines: LogLine[]) => (since === undefined ? lines : lines.filter((line) => line.at >= since));
  // A few lines of a long log are read from its end, not the whole file (a page that shows a service's last
  // lines, `logs -n 20` of a chatty service); a time bound reads it all, and so do all lines.
  const read = (file: string) => (since === undefined && count !== Infinity ? tailText(file, count) : readIfExists(file));
  let lines = keep(parseLogLines(read(path)));
  if (lines.length < count) lines = [...keep(parseLogLines(read(`${path}.1`))), ...lines];
  return count === Infinity ? lines : lines.slice(-count);
}

/** How much of a log's end is read at a time when only its last lines are wanted. */
const TAIL_CHUNK = 64 * 1024;

/** The end of a file that holds at least its last `count` whole lines (or all of it): read backwards, chunk by chunk. */
function tailText(path: string, count: number): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    let position = fstatSync(fd).size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    // One newline more than lines: the first one found may end a line only partly read.
    while (position > 0 && newlines <= count) {
      const length = Math.min(TAIL_CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, position);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
    }
    // Decoded whole, so that a character cut between two chunks is not broken; a line cut at the start is dropped.
    const text = Buffer.concat(chunks).toString("utf8");
    return position === 0 ? text : text.slice(text.indexOf("\n") + 1);
  } finally {
    closeSync(fd);
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Where a log's complete lines end (a line being written is not one yet): where following it from now starts. */
export function endOfLines(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return 0;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(TAIL_CHUNK, size);
    const chunk = Buffer.alloc(length);
    readSync(fd, chunk, 0, length, size - length);
    return size - length + chunk.lastIndexOf(0x0a) + 1;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads what is appended to a log from `offset` on; returns the complete new lines and the offset after them.
 * A file smaller than `offset` was rotated: it is read again from its start.
 */
export function readNewLines(path: string, offset: number): { lines: LogLine[]; offset: number } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return { lines: [], offset: 0 };
  }
  const from = size < offset ? 0 : offset;
  if (size === from) return { lines: [], offset: from };
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString("utf8");
  const end = text.lastIndexOf("\n") + 1; // a partly written last line waits for the next read
  return { lines: parseLogLines(text.slice(0, end)), offset: from + Buffer.byteLength(text.slice(0, end)) };
}
