import { readdirSync, readFileSync } from "node:fs";
import { childProcess } from "../util/child-process.js";

/** One process as the kernel reports it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R, S, D, Z (zombie), T… */
  state: string;
  /** Start time in clock ticks since boot (Linux), to tell a reused pid apart; 0 where unknown. */
  startTime: number;
}

const hasProc = process.platform === "linux";

/** Parses /proc/PID/stat. The command name is in parentheses and may hold spaces, so fields count from its end. */
export function parseStat(text: string): ProcessInfo | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  const fields = text.slice(close + 2).split(" ");
  // After the name: state(3) ppid(4) pgrp(5) session(6) … starttime(22), numbered from 1 as in proc(5).
  return { pid, state: fields[0] ?? "?", ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]) };
}

/** The process `pid`, or undefined when there is none. */
export function readProcess(pid: number): ProcessInfo | undefined {
  if (hasProc) {
    try {
      return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return undefined;
    }
  }
  return listProcesses().find((info) => info.pid === pid);
}

/** Every process of the machine (that this user can see). */
export function listProcesses(): ProcessInfo[] {
  if (!hasProc) return listWithPs();
  const list: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    try {
      const info = parseStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (info) list.push(info);
    } catch {
      // exited while we looked
    }
  }
  return list;
}

function listWithPs(): ProcessInfo[] {
  const out = childProcess().execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat=,lstart="], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
  return out
    .split("\n")
    .map(parsePsLine)
    .filter((info): info is ProcessInfo => info !== undefined);
}

/**
 * One line of `ps -o pid=,ppid=,pgid=,stat=,lstart=` (where there is no /proc): the start time, to the second,
 * tells a reused pid apart as /proc's does on Linux.
 */
export function parsePsLine(line: string): ProcessInfo | undefined {
  const [pid, ppid, pgid, stat, ...started] = line.trim().split(/\s+/);
  if (!pid || !ppid || !pgid || !stat || started.length < 5) return undefined;
  const startTime = Date.parse(started.slice(1).join(" ")) / 1000;
  return { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), state: stat.charAt(0), startTime: Number.isNaN(startTime) ? 0 : startTime };
}

/**
 * Whether a process is gone: no such pid, a zombie (on machines where nothing reaps orphans a killed
 * grandchild can stay a zombie forever, and it holds no port and runs no code), or the pid was reused. A
 * process is a zombie once all its threads are: its main thread turns zombie as soon as it exits, while the
 * others (Node's own) may still be finishing, with its sockets still open and accepting.
 */
export function isGone(pid: number, startTime?: number): boolean {
  const info = readProcess(pid);
  if (!info) return true;
  if (info.state === "Z" || info.state === "X") return !threadsRun(pid);
  return startTime !== undefined && startTime !== 0 && info.startTime !== 0 && info.startTime !== startTime;
}

/** Whether a thread of `pid` other than a zombie is left (/proc/PID/task); false where that cannot be read. */
function threadsRun(pid: number): boolean {
  if (!hasProc) return false;
  try {
    return readdirSync(`/proc/${pid}/task`).some((task) => {
      const state = parseStat(readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8"))?.state;
      return state !== undefined && state !== "Z" && state !== "X";
    });
  } catch {
    return false;
  }
}

/** The main process of a service, as it was when started: its pid is also its process group id. */
export interface RootProcess {
  pid: number;
  /** From readProcess right after spawning; 0 where unknown. */
  startTime: number;
}

/** One process, the same one: its pid and its start time (a pid alone may since belong to another). */
export function sameProcess(a: RootProcess, b: RootProcess): boolean {
  return a.pid === b.pid && a.startTime === b.startTime;
}

/** The root as the kernel sees it now, with the start time it has (0 where unknown). */
export function identify(pid: number): RootProcess {
  return { pid, startTime: readProcess(pid)?.startTime ?? 0 };
}

/**
 * The live processes of a service: every member of its process group, and every descendant of its root
 * (including those that left the group with setsid or setpgid), zombies excluded.
 *
 * If the root's pid now belongs to a process started later, the pid was reused, and since Linux never reuses a
 * pid that is still some process group's id, none of the service's group is left: nothing is returned, so
 * nothing unrelated is signalled.
 *
 * `also`: more processes of the service, found otherwise (by their mark), included with their descendants.
 */
export function treeMembers(root: RootProcess, all: ProcessInfo[] = listProcesses(), also: readonly ProcessInfo[] = []): ProcessInfo[] {
  const current = all.find((info) => info.pid === root.pid);
  const reused = current !== undefined && root.startTime !== 0 && current.startTime !== 0 && current.startTime !== root.startTime;
  const children = new Map<number, ProcessInfo[]>();
  for (const info of all) {
    const list = children.get(info.ppid);
    if (list) list.push(info);
    else children.set(info.ppid, [info]);
  }
  const members = new Map<number, ProcessInfo>();
  const addWithDescendants = (info: ProcessInfo) => {
    if (members.has(info.pid)) return;
    members.set(info.pid, info);
    for (const child of children.get(info.pid) ?? []) addWithDescendants(child);
  };
  if (!reused) for (const info of all) if (info.pid === root.pid || info.pgid === root.pid) addWithDescendants(info);
  for (const info of also) addWithDescendants(info);
  return [...members.values()].filter((info) => info.state !== "Z" && info.state !== "X");
}
