// Port allocation: portmate's one-scan allocator against get-port (looped with `exclude`), get-port-please,
// portfinder, detect-port, and a bare sequential bind-test loop (the floor), on a range with busy ports.
import { fork, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, median, shuffle, table } from "./util.mjs";

/** The contenders, each in a process of its own (bench/allocator-worker.mjs): see measureAllocation. */
const CONTENDERS = ["portmate", "get-port (loop, exclude)", "get-port-please", "portfinder", "detect-port", "bare bind loop (floor)"];

/** Starts a child process holding listeners on `ports` ([[port, host], …]); resolves with a stop function. */
async function occupy(ports) {
  const child = spawn(process.execPath, [join(ROOT, "bench", "occupy.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(JSON.stringify(ports));
  const held = await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      const match = /ready (\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`occupy.mjs exited with ${code}`)));
  });
  return {
    held,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", resolve);
        child.kill("SIGKILL");
      }),
  };
}

/** Picks `share` of the ports of a range at random, each held on one of the four loopback/wildcard hosts. */
function busyPorts(from, to, share) {
  const hosts = ["0.0.0.0", "::", "127.0.0.1", "::1"];
  const ports = [];
  for (let port = from; port <= to; port++) if (Math.random() < share) ports.push([port, hosts[Math.floor(Math.random() * hosts.length)]]);
  return ports;
}

/** A worker process that runs one contender on request and reports how long it took and what it returned. */
function startWorker(contender) {
  const child = fork(join(ROOT, "bench", "allocator-worker.mjs"), [contender], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = [];
  child.on("message", (message) => pending.shift()?.(message));
  return {
    run: (count, from, to) =>
      new Promise((resolve) => {
        pending.push(resolve);
        child.send({ count, from, to });
      }),
    stop: () => child.kill(),
  };
}

/**
 * One scenario: `count` ports from [from, to] with `share` of them busy, `runs` runs of every contender.
 * Returns the table's rows (header first) and what the targets need.
 */
export async function measureAllocation(name, { count, from, to, share, runs }) {
  const busy = busyPorts(from, to, share);
  const occupant = await occupy(busy);
  const busySet = new Set(busy.map(([port]) => port));
  const results = Object.fromEntries(CONTENDERS.map((contender) => [contender, []]));
  // Each contender runs in a process of its own, so none inherits another's garbage or JIT state; they take
  // turns, run by run, in a new random order each time, so a burst of machine noise is shared among them.
  const workers = Object.fromEntries(CONTENDERS.map((contender) => [contender, startWorker(contender)]));
  try {
    for (const worker of Object.values(workers)) await worker.run(count, from, to); // warm-up, not measured
    for (let run = 0; run < runs; run++) {
      for (const contender of shuffle(CONTENDERS)) {
        const { elapsed, ports } = await workers[contender].run(count, from, to);
        const distinct = new Set(ports).size === ports.length && ports.length === count;
        const clean = ports.every((port) => !busySet.has(port));
        results[contender].push({ elapsed, ok: distinct && clean });
      }
    }
  } finally {
    for (const worker of Object.values(workers)) worker.stop();
    await occupant.stop();
  }
  const portmate = median(results.portmate.map((result) => result.elapsed));
  const rows = Object.entries(results).map(([contender, list]) => {
    const ms = median(list.map((result) => result.elapsed));
    const bad = list.filter((result) => !result.ok).length;
    return [contender, ms.toFixed(2), (ms / portmate).toFixed(2), bad ? `${bad}/${list.length} wrong` : "ok"];
  });
  const title = `${name}  (${occupant.held} of ${to - from + 1} ports busy, ${runs} runs)`;
  const header = ["allocator", "median ms", "× portmate", "distinct & free"];
  console.log(`\n${title}\n${table([header, ...rows])}`);
  const floor = median(results["bare bind loop (floor)"].map((result) => result.elapsed));
  const others = rows.filter(([contender]) => contender !== "portmate" && !contender.startsWith("bare"));
  return { name, title, rows: [header, ...rows], portmate, floor, others };
}
