// The floor: what a hand-written script does to run the benchmark's stack, and nothing more. For each
// instance at once, it spawns the first service (the backend), polls its health check, then spawns the others
// together and polls theirs, every 10 ms; once every instance is up it prints "ready".
// The stack comes from the harness in BENCH_STACK (see bench/stack.mjs: instances, each a list of services
// {command, port, path}; ports already checked free). Each service's command runs with `sh -c`, in a process
// group of its own, so the script can stop the whole group (wrapper and server) on SIGINT or SIGTERM.
// With BENCH_LOGS=DIR it also does the rest of a supervisor's job, as the floor for its memory: it keeps each
// service's output in DIR/<service>.log and stays until stopped.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { healthy } from "./probes.mjs";

// With PORTMATE_TIMING=1, the same phase marks as portmate's (src/cli/timing.ts): ms since Node started.
const seen = new Set();
const timing = (phase) => {
  if (process.env.PORTMATE_TIMING !== "1" || seen.has(phase)) return;
  seen.add(phase);
  process.stderr.write(`[portmate timing] ${phase} ${performance.now().toFixed(1)}\n`);
};
timing("loaded");

const instances = JSON.parse(process.env.BENCH_STACK);
const logs = process.env.BENCH_LOGS;
const groups = [];

function stop() {
  for (const group of groups) {
    try {
      process.kill(-group, "SIGTERM");
    } catch {
      // already gone
    }
  }
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

function run(service, instance) {
  const output = logs ? "pipe" : "ignore";
  const child = spawn("/bin/sh", ["-c", service.command], { detached: true, stdio: ["ignore", output, output] });
  timing("spawn");
  groups.push(child.pid);
  if (logs) {
    const file = createWriteStream(join(logs, `${service.name}-${instance}.log`), { flags: "a" });
    child.stdout.pipe(file);
    child.stderr.pipe(file);
  }
}

async function start([first, ...others], instance) {
  run(first, instance);
  await healthy(first);
  for (const service of others) run(service, instance);
  await Promise.all(others.map((service) => healthy(service)));
}

await Promise.all(instances.map(start));
timing("healthy");
process.stdout.write("ready\n");
