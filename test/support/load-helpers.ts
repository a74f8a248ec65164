import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { get } from "node:http";
import { join, relative } from "node:path";
import { expect } from "vitest";
import { pidGone, runCli, watchdogOf } from "./helpers.js";

/** Runs the CLI with time to spare: hundreds of processes start on a small, shared machine. */
export function loadCli(args: string[], cwd: string, env: Record<string, string>) {
  return runCli(args, { cwd, env, timeoutMs: 10 * 60_000 });
}

/** A live process (zombies count as gone) and its command line. */
export interface LiveProcess {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Every live process of the machine but this one, read from /proc. */
function liveProcesses(): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || pidGone(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      found.push({ pid, ppid, cmdline: readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim() });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/**
 * What is still running of a test: live processes whose command line holds one of the markers (a detached
 * supervisor's holds its state folder, a service's its name), live descendants of the test process (a
 * supervisor leaves the tree as its CLI exits, so the markers are what finds it), and those of `pids` that
 * live (a supervisor's watchdog, whose command line names nothing of the test).
 */
export function leftoverProcesses(markers: readonly string[], pids: readonly number[] = []): LiveProcess[] {
  const all = liveProcesses();
  const ours = new Set([process.pid]);
  // Parents come before children often but not always (pids wrap): repeat until nothing is added.
  for (let added = true; added;) {
    added = false;
    for (const info of all) {
      if (ours.has(info.ppid) && !ours.has(info.pid)) {
        ours.add(info.pid);
        added = true;
      }
    }
  }
  return all.filter((info) => ours.has(info.pid) || pids.includes(info.pid) || markers.some((marker) => info.cmdline.includes(marker)));
}

/** How many file descriptors `pid` has open. */
export function fdCount(pid: number | "self"): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** What `pid`'s descriptors point at (`socket:[…]`, `pipe:[…]`, paths), sorted: to show what leaked. */
export function fdTargets(pid: number): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      targets.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed while we looked
    }
  }
  return targets.map((target) => target.replace(/\[\d+\]$/, "")).sort();
}

/** Resident memory of a process, in KiB (0 when it is gone). */
export function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Every file under `dir`, as sorted paths relative to it. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(dir, path));
    }
  };
  walk(dir);
  return files.sort();
}

/** What the fixture service answers on its port: its name and the port it listens on. */
export function answer(port: number): Promise<{ name: string; port: number }> {
  return new Promise((resolve, reject) => {
    // No keep-alive agent: the test process must not hold sockets open between requests.
    const request = get({ host: "127.0.0.1", port, path: "/", agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve(JSON.parse(body) as { name: string; port: number }));
    });
    request.on("error", reject);
  });
}

/** The supervisor of a running stack and its watchdog: what runs besides the services, and must not outlive them. */
export function keepers(state: string, project: string): number[] {
  const record = JSON.parse(readFileSync(join(state, "stacks", `${project}@1.json`), "utf8")) as { supervisor: { pid: number } };
  const supervisor = record.supervisor.pid;
  const watchdog = watchdogOf(supervisor);
  expect(watchdog, `the watchdog of ${project}'s supervisor`).toBeDefined();
  return [supervisor, watchdog as number];
}
