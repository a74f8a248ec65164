// The floor for start-up: what a hand-written script does to run the demo stack, and nothing more.
// Spawns backend, polls it, then ui and admin together, polls them, prints "ready". It waits for what
// portmate.yaml's health checks wait for (backend's GET /health, ui's port, admin's GET /status.json),
// polling every 10 ms.
// Ports come from the harness (already checked free) in BENCH_PORTS: backend,ui,admin,metrics.
// With BENCH_LOGS=DIR it also does the rest of a supervisor's job, as the floor for its memory: it keeps each
// service's output in DIR/<service>.log and stays until SIGTERM.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { basename, join } from "node:path";
import { get } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const [backend, ui, admin, metrics] = process.env.BENCH_PORTS.split(",").map(Number);
const url = (port) => `http://127.0.0.1:${port}`;
const children = [];
// The harness stops this script with SIGTERM as soon as it reads "ready": take the services down with it.
process.on("SIGTERM", () => {
  for (const child of children) child.kill("SIGKILL");
  process.exit(0);
});

function run(script, args, env) {
  const logs = process.env.BENCH_LOGS;
  const child = spawn("node", [script, ...args], { stdio: ["ignore", logs ? "pipe" : "ignore", logs ? "pipe" : "ignore"], env: { ...process.env, ...env } });
  if (logs) {
    const file = createWriteStream(join(logs, `${basename(script, ".js")}.log`), { flags: "a" });
    child.stdout.pipe(file);
    child.stderr.pipe(file);
  }
  children.push(child);
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function answers(port, path) {
  return new Promise((resolve) => {
    get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode >= 200 && res.statusCode < 400);
    }).once("error", () => resolve(false));
  });
}

async function waitPort(port) {
  while (!(await accepts(port))) await sleep(10);
}

async function waitHttp(port, path) {
  while (!(await answers(port, path))) await sleep(10);
}

const common = { BACKEND_URL: url(backend), BACKEND_PORT: String(backend) };
run("examples/demo/backend.js", ["--port", String(backend)], { PORT: String(backend) });
await waitHttp(backend, "/health");
run("examples/demo/ui.js", [], { ...common, PORT: String(ui), API_URL: url(backend) });
run("examples/demo/admin.js", [], { ...common, PORT: String(admin), UI_URL: url(ui), METRICS_PORT: String(metrics) });
await Promise.all([waitPort(ui), waitHttp(admin, "/status.json")]);
process.stdout.write("ready\n");
