import { readFileSync } from "node:fs";
import { identify, listProcesses, type ProcessInfo, type RootProcess } from "./process-tree.js";

/**
 * The variable every service process starts with: `PID.STARTTIME/SERVICE-ID` of the portmate process that
 * supervises it (`4242.918273/backend#2`). Descendants inherit it, so it finds the processes of a service that
 * left both its process group and its process tree: a daemon that forked twice, called setsid, and whose parent
 * exited is an orphan of init, related to the service only by this mark. Read from /proc/PID/environ (Linux).
 */
export const OWNER_VARIABLE = "PORTMATE_OWNER";

const hasProc = process.platform === "linux";
const ASSIGNMENT = Buffer.from(`${OWNER_VARIABLE}=`);
const NEEDLE = Buffer.from(`\0${OWNER_VARIABLE}=`);

let self: RootProcess | undefined;

/** This process, as services it starts are marked with (its start time tells a reused pid apart). */
export function thisSupervisor(): RootProcess {
  self ??= identify(process.pid);
  return self;
}

/** Every mark of processes supervised by `owner` starts with this. */
export function ownerPrefix(owner: RootProcess): string {
  return `${owner.pid}.${owner.startTime}/`;
}

/** The mark of one service's processes. */
export function serviceMark(owner: RootProcess, serviceId: string): string {
  return ownerPrefix(owner) + serviceId;
}

/** The mark a process was started with, or undefined (unmarked, gone, or not ours to read). */
export function markOf(pid: number): string | undefined {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
  let start: number;
  // The first variable has no NUL before it.
  if (environ.subarray(0, ASSIGNMENT.length).equals(ASSIGNMENT)) start = ASSIGNMENT.length;
  else {
    const at = environ.indexOf(NEEDLE);
    if (at === -1) return undefined;
    start = at + NEEDLE.length;
  }
  const end = environ.indexOf(0, start);
  return environ.subarray(start, end === -1 ? environ.length : end).toString();
}

/** What to look for: processes started at or after `since` (the supervisor's start) whose mark `matches`. */
export interface MarkQuery {
  matches: (mark: string) => boolean;
  /** Kernel start time (clock ticks) before which no marked process can have started: only later ones are read. */
  since: number;
}

/**
 * Marks read so far, by pid and start time. A process's environment is fixed when it starts, so each is read
 * once: stopping a stack of 150 services scans the process list many times, and reading every environment each
 * time would cost seconds.
 */
let known = new Map<string, string | undefined>();

/**
 * Live processes carrying a matching mark. Only processes started since the supervisor are read (reading a
 * process's environment is the costly part), and none where the kernel gives no start times (no /proc).
 */
export function markedProcesses(query: MarkQuery, all: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  if (!hasProc || query.since === 0) return [];
  const live = new Map<string, string | undefined>();
  const found = all.filter((info) => {
    if (info.startTime < query.since || info.state === "Z" || info.state === "X" || info.pid === process.pid) return false;
    const key = `${info.pid}:${info.startTime}`;
    const mark = known.has(key) ? known.get(key) : markOf(info.pid);
    live.set(key, mark);
    return mark !== undefined && query.matches(mark);
  });
  // Forget the processes that are gone; keep those this query did not look at.
  const present = new Set(all.map((info) => `${info.pid}:${info.startTime}`));
  for (const [key, mark] of known) if (present.has(key) && !live.has(key)) live.set(key, mark);
  known = live;
  return found;
}

/** The processes of one service of `owner`. */
export function serviceQuery(owner: RootProcess, serviceId: string): MarkQuery {
  const mark = serviceMark(owner, serviceId);
  return { matches: (found) => found === mark, since: owner.startTime };
}
