// What a run left behind: the processes carrying its token (bench/stack.mjs), and the stack's ports still open.
// On a machine whose PID 1 does not reap orphans, a killed process can stay a zombie for good: a zombie counts
// as gone.
import { readFileSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { MARK } from "./stack.mjs";
import { accepts } from "./probes.mjs";

function read(path) {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return ""; // gone, or another user's
  }
}

/** The state letter of a /proc stat line (R, S, Z…), or "" for none. */
const stateOf = (stat) => stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);

/**
 * Whether the process is gone: no longer in /proc, or a zombie, every thread of it (its main thread turns
 * zombie as soon as it exits, while the others may still be finishing, its sockets still open).
 */
export function isGone(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === "") return true;
  if (stateOf(stat) !== "Z") return false;
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return tasks.every((task) => ["", "Z", "X"].includes(stateOf(read(`/proc/${pid}/task/${task}/stat`))));
}

/** Live processes with an environment entry that starts with `env`, or a command line that contains `argv`. */
function scan({ env, argv }) {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const server =
      env !== undefined &&
      read(`/proc/${name}/environ`)
        .split("\0")
        .some((entry) => entry.startsWith(env));
    if ((server || read(`/proc/${name}/cmdline`).includes(argv)) && !isGone(name)) found.push({ pid: Number(name), server });
  }
  return found;
}

/**
 * The live processes of a run: `server` when the token is in its environment (a real server, child of a
 * wrapper), otherwise a wrapper shell (or a tool) with the token in its command line.
 */
export function marked(token) {
  const needle = `${MARK}=${token}`;
  return scan({ env: needle, argv: needle });
}

/** The pids of this process's live children. */
function children() {
  return readdirSync("/proc").filter((name) => {
    const stat = read(`/proc/${name}/stat`);
    return /^\d+$/.test(name) && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid && !isGone(name);
  });
}

/**
 * For an interrupted benchmark: kills, at once, the tools it started, every process of any of its runs (tokens
 * start with `prefix`) and every process that names `dir` in its command line (portmate's supervisors and
 * pm2's daemon do).
 */
export function killAll(prefix, dir) {
  for (const pid of [...children(), ...marked(prefix).map((found) => found.pid), ...scan({ argv: dir }).map((found) => found.pid)]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** How many of the ports still accept connections. */
export async function openPorts(ports) {
  const open = await Promise.all(ports.map(accepts));
  return open.filter(Boolean).length;
}

/** Resolves with the time every port is closed, polled every 5 ms, or undefined at `deadline` (a timestamp). */
export async function untilClosed(ports, deadline) {
  for (;;) {
    if ((await openPorts(ports)) === 0) return performance.now();
    if (performance.now() > deadline) return undefined;
    await sleep(5);
  }
}

/** Waits up to `ms` for every process of `pids` to be gone; resolves whether they are. */
export async function untilGone(pids, ms) {
  const deadline = performance.now() + ms;
  while (!pids.every(isGone)) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** The run's processes still alive after up to `ms` (they may be on their way out): what it left behind. */
export async function leftAfter(token, ms) {
  const deadline = performance.now() + ms;
  let left = marked(token);
  while (left.length > 0 && performance.now() < deadline) {
    await sleep(20);
    left = marked(token);
  }
  return left;
}

/** Kills whatever of the run is still alive (SIGKILL), and the given pids, so runs never pollute each other. */
export async function removeLeftovers(token, pids = []) {
  const victims = [...marked(token).map((process) => process.pid), ...pids.filter((pid) => !isGone(pid))];
  for (const pid of victims) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  if (!(await untilGone(victims, 5000))) throw new Error(`could not remove processes ${victims.join(", ")} of run ${token}`);
}
