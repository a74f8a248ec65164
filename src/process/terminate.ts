import { setTimeout as sleep } from "node:timers/promises";
import type TreeKill from "tree-kill";
import { markedProcesses, type MarkQuery } from "./process-marker.js";
import { isGone, listProcesses, treeMembers, type ProcessInfo, type RootProcess } from "./process-tree.js";

export interface TerminateOptions {
  /** Signal that asks the processes to stop. */
  signal: NodeJS.Signals;
  /** How long they get before SIGKILL. */
  timeoutMs: number;
  /** When it fires, stop waiting and SIGKILL now (a second Ctrl-C). */
  hurry?: AbortSignal;
  /** How long to wait for the processes to disappear after SIGKILL before giving up. */
  killWaitMs?: number;
  /** The service's mark: finds its processes that left its group and tree (see process-marker.ts). */
  mark?: MarkQuery;
  /**
   * Finds the service's processes that show only once its tree is gone, stopped in a second pass: a daemon it
   * left listening on one of its ports (see ports/left-daemons.ts).
   */
  leftBehind?: (root: RootProcess) => Promise<ProcessInfo[]>;
}

export interface TerminateResult {
  /** SIGKILL was needed. */
  forced: boolean;
  /** Processes still alive at the end (should be empty; reported, never hidden). */
  survivors: number[];
}

const POLL_MS = 20;

/**
 * Stops a service's whole process tree and returns once every process of it is gone: `signal` to its process
 * group, and through tree-kill to every descendant that left the group; then, after `timeoutMs`, SIGKILL to
 * everything still alive. Processes are tracked by pid and start time, so a root that exits early does not
 * hide its orphaned descendants; with a `mark`, daemons that detached themselves completely are found too.
 */
export async function terminateTree(root: RootProcess, options: TerminateOptions): Promise<TerminateResult> {
  const result = await terminateProcesses(root, options, []);
  // A daemon the service left on one of its ports is found once the tree is gone, only if a port still listens.
  const daemons = (await options.leftBehind?.(root)) ?? [];
  if (daemons.length === 0) return result;
  const after = await terminateProcesses(root, { ...options }, daemons);
  return { forced: result.forced || after.forced, survivors: [...result.survivors, ...after.survivors] };
}

/** terminateTree's work for the tree of `root` (and its mark), with `more` processes known to be the service's. */
async function terminateProcesses(root: RootProcess, options: TerminateOptions, more: readonly ProcessInfo[]): Promise<TerminateResult> {
  const pgid = root.pid;
  const known = new Map<number, ProcessInfo>(more.map((info) => [info.pid, info]));
  const refresh = () => {
    for (const info of serviceProcesses(root, options.mark)) if (!known.has(info.pid)) known.set(info.pid, info);
  };
  refresh();
  const hurried = () => options.hurry?.aborted === true;

  if (!hurried()) {
    await sendSignal(pgid, [...known.values()], options.signal);
    if (await waitGone(known, options.timeoutMs, refresh, options.hurry)) return { forced: false, survivors: [] };
  }
  refresh();
  await sendSignal(pgid, [...known.values()], "SIGKILL");
  const gone = await waitGone(known, options.killWaitMs ?? 5000, refresh);
  return { forced: true, survivors: gone ? [] : alive(known).map((info) => info.pid) };
}

/** Signals the process group (when a member of it is known), then every known process outside it with its subtree. */
async function sendSignal(pgid: number, members: ProcessInfo[], signal: NodeJS.Signals): Promise<void> {
  if (members.some((info) => info.pgid === pgid)) killQuietly(-pgid, signal);
  const escaped = members.filter((info) => info.pgid !== pgid);
  if (signal === "SIGKILL") {
    // SIGKILL cannot be caught, so no process is hurt by getting it twice: kill each one directly, at once.
    for (const info of escaped) killQuietly(info.pid, signal);
    return;
  }
  // A graceful signal goes once to each escaped subtree; tree-kill finds the subtree's current members.
  const roots = escaped.filter((info) => !escaped.some((other) => other.pid === info.ppid));
  if (roots.length === 0) return;
  // Loaded when needed: it loads node:child_process, which commands that only read (ps) do without.
  const treeKill = ((await import("tree-kill")) as unknown as { default: typeof TreeKill }).default;
  await Promise.all(roots.map((info) => new Promise<void>((resolve) => treeKill(info.pid, signal, () => resolve()))));
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone. EPERM: not ours; it will show up as a survivor.
  }
}

function alive(known: Map<number, ProcessInfo>): ProcessInfo[] {
  return [...known.values()].filter((info) => !isGone(info.pid, info.startTime));
}

/**
 * Waits until every known process is gone. When they are, looks once more at the whole tree (a process may
 * have forked while stopping) and keeps waiting for any newcomer.
 */
async function waitGone(known: Map<number, ProcessInfo>, timeoutMs: number, refresh: () => void, hurry?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (alive(known).length === 0) {
      const before = known.size;
      refresh();
      if (known.size === before || alive(known).length === 0) return true;
    }
    if (Date.now() >= deadline || hurry?.aborted) return false;
    await sleep(POLL_MS);
  }
}

/** SIGKILL to a whole tree at once, synchronously: the last resort when portmate itself is exiting. */
export function killTreeNow(root: RootProcess, mark?: MarkQuery): void {
  try {
    const members = serviceProcesses(root, mark);
    if (members.some((info) => info.pgid === root.pid)) killQuietly(-root.pid, "SIGKILL");
    for (const info of members) killQuietly(info.pid, "SIGKILL");
  } catch {
    // best effort while exiting
  }
}

/** A service's live processes: its group, its tree, and with a mark every process carrying it (and theirs). */
export function serviceProcesses(root: RootProcess, mark?: MarkQuery): ProcessInfo[] {
  const all = listProcesses();
  return treeMembers(root, all, mark ? markedProcesses(mark, all) : []);
}
