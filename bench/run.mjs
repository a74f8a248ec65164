// portmate's benchmarks: `npm run bench`. Prints medians and ratios, all measured in this one run, so the
// figures compare like with like on whatever machine runs them. Not part of `npm test`: timings on shared
// machines are noisy, so speed targets are checked here, by a person, never by a timed assertion in a test.
//
//  1. Port allocation: portmate's one-scan allocator against get-port (looped with `exclude`), get-port-please,
//     portfinder, detect-port, and a bare sequential bind-test loop (the floor), on three scenarios
//     (bench/allocation.mjs).
//  2. Start-up: `portmate up` of the demo stack until every service is healthy, against a bare Node script that
//     spawns the same three services in the same order and polls their ports.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { measureAllocation } from "./allocation.mjs";
import { accepts, answers } from "./probes.mjs";
import { ROOT, freePorts, median, rssMiB, run, table } from "./util.mjs";

const quick = process.argv.includes("--quick");

// ---------------------------------------------------------------------------------------------------------
// 2. Start-up

/** Runs a command until it prints `ready` on stdout; returns the ms from spawn to that line, then stops it. */
function timeUntil(command, args, pattern, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let elapsed;
    const onData = (chunk) => {
      output += chunk;
      if (elapsed === undefined && pattern.test(output)) {
        elapsed = performance.now() - started;
        child.kill(command === process.execPath && args[0].endsWith("portmate.js") ? "SIGINT" : "SIGTERM");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", () => (elapsed === undefined ? reject(new Error(`exited before ready:\n${output}`)) : resolve(elapsed)));
  });
}

async function measureStartup(runs) {
  const portmate = [];
  const bare = [];
  for (let run = 0; run < runs; run++) {
    portmate.push(await timeUntil(process.execPath, [join(ROOT, "dist", "portmate.js"), "-p", `bench-${process.pid}`, "up"], /^SERVICE\s+PID/m));
    const ports = await freePorts(4);
    bare.push(await timeUntil(process.execPath, [join(ROOT, "bench", "bare-start.mjs")], /^ready$/m, { BENCH_PORTS: ports.join(",") }));
  }
  const p = median(portmate);
  const b = median(bare);
  console.log(`\nstart-up of the demo stack until every service is healthy  (${runs} runs each, interleaved)`);
  console.log(
    table([
      ["runner", "median ms", "x bare script"],
      ["portmate up", p.toFixed(0), (p / b).toFixed(2)],
      ["bare node script", b.toFixed(0), "1.00"],
    ]),
  );
  return { portmate: p, bare: b };
}

// ---------------------------------------------------------------------------------------------------------
// 3. Running in the background: the detached supervisor's memory, and `up -d` until healthy

/** What portmate.yaml's health checks wait for, polled every 10 ms: backend /health, ui's port, admin /status.json. */
async function demoHealthy([backend, ui, admin]) {
  while (!(await answers(backend, "/health"))) await sleep(10);
  while (!(await accepts(ui))) await sleep(10);
  while (!(await answers(admin, "/status.json"))) await sleep(10);
}

/** The demo's three services as env and commands for peers that are not portmate. */
function demoApps([backend, ui, admin, metrics]) {
  const url = (port) => `http://127.0.0.1:${port}`;
  const common = { BACKEND_URL: url(backend), BACKEND_PORT: String(backend), UI_URL: url(ui) };
  return [
    { name: "backend", script: "examples/demo/backend.js", args: ["--port", String(backend)], env: { ...common, PORT: String(backend) } },
    { name: "ui", script: "examples/demo/ui.js", args: [], env: { ...common, PORT: String(ui), API_URL: url(backend) } },
    { name: "admin", script: "examples/demo/admin.js", args: [], env: { ...common, PORT: String(admin), METRICS_PORT: String(metrics) } },
  ];
}

async function measureDetached(runs) {
  const state = mkdtempSync(join(tmpdir(), "portmate-bench-"));
  const env = { ...process.env, NO_COLOR: "1", PORTMATE_STATE_DIR: join(state, "portmate"), PM2_HOME: join(state, "pm2") };
  const pm2 = join(ROOT, "node_modules", ".bin", "pm2");
  const project = `bench-d-${process.pid}`;
  const results = { portmate: [], unordered: [], bare: [], pm2: [], concurrently: [] };
  // The demo stack as pm2 and concurrently run it: all three at once, no service waiting for another.
  const unordered = join(state, "unordered.yaml");
  const config = parseYaml(readFileSync(join(ROOT, "portmate.yaml"), "utf8"));
  for (const service of Object.values(config.services)) {
    delete service.depends_on;
    service.cwd = ROOT;
  }
  writeFileSync(unordered, stringifyYaml(config));
  await run(pm2, ["ping"], env); // a warm daemon, as a pm2 user has
  try {
    for (let index = 0; index < runs; index++) {
      // portmate up -d: from the command to its return (every service healthy), then the supervisor's memory.
      let started = performance.now();
      await run(process.execPath, [join(ROOT, "dist", "portmate.js"), "-p", project, "up", "-d"], env);
      const portmateMs = performance.now() - started;
      const record = JSON.parse(readFileSync(join(state, "portmate", "stacks", `${project}@1.json`), "utf8"));
      await sleep(1000);
      results.portmate.push({ ms: portmateMs, rss: rssMiB(record.supervisor.pid) });
      await run(process.execPath, [join(ROOT, "dist", "portmate.js"), "-p", project, "down"], env);

      started = performance.now();
      await run(process.execPath, [join(ROOT, "dist", "portmate.js"), "-f", unordered, "-p", project, "up", "-d"], env);
      results.unordered.push({ ms: performance.now() - started, rss: Number.NaN });
      await run(process.execPath, [join(ROOT, "dist", "portmate.js"), "-p", project, "down"], env);

      // The floor: a bare Node script doing the same job (spawn, poll, keep logs, stay).
      let ports = await freePorts(4);
      const logs = mkdtempSync(join(state, "bare-"));
      const bare = spawn(process.execPath, [join(ROOT, "bench", "bare-start.mjs")], {
        cwd: ROOT,
        env: { ...env, BENCH_PORTS: ports.join(","), BENCH_LOGS: logs },
      });
      started = performance.now();
      await new Promise((resolve) => bare.stdout.on("data", (chunk) => String(chunk).includes("ready") && resolve()));
      const bareMs = performance.now() - started;
      await sleep(1000);
      results.bare.push({ ms: bareMs, rss: rssMiB(bare.pid) });
      bare.kill("SIGTERM");
      await new Promise((resolve) => bare.once("exit", resolve));

      // pm2 with a warm daemon: from `pm2 start` until the same checks pass; the daemon's memory.
      ports = await freePorts(4);
      const ecosystem = join(state, `ecosystem-${index}.config.cjs`);
      const apps = demoApps(ports).map((app) => ({ name: app.name, script: join(ROOT, app.script), args: app.args, env: app.env, autorestart: false }));
      writeFileSync(ecosystem, `module.exports = ${JSON.stringify({ apps })};\n`);
      started = performance.now();
      await run(pm2, ["start", ecosystem], env);
      await demoHealthy(ports);
      const pm2Ms = performance.now() - started;
      await sleep(1000);
      results.pm2.push({ ms: pm2Ms, rss: rssMiB(Number(readFileSync(join(state, "pm2", "pm2.pid"), "utf8"))) });
      await run(pm2, ["delete", "all"], env);

      // concurrently: its own memory while it runs the three services.
      ports = await freePorts(4);
      const commands = demoApps(ports).map(
        (app) =>
          `${Object.entries(app.env)
            .map(([key, value]) => `${key}=${value}`)
            .join(" ")} node ${app.script} ${app.args.join(" ")}`,
      );
      const conc = spawn(join(ROOT, "node_modules", ".bin", "concurrently"), ["--kill-others", "--raw", ...commands], { cwd: ROOT, env, stdio: "ignore" });
      started = performance.now();
      await demoHealthy(ports);
      const concMs = performance.now() - started;
      await sleep(1000);
      results.concurrently.push({ ms: concMs, rss: rssMiB(conc.pid) });
      conc.kill("SIGTERM");
      await new Promise((resolve) => conc.once("exit", resolve));
    }
  } finally {
    await run(pm2, ["kill"], env).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  }
  const bareRss = median(results.bare.map((result) => result.rss));
  const pm2Ms = median(results.pm2.map((result) => result.ms));
  const row = (name, list, note) => {
    const rss = median(list.map((result) => result.rss));
    const ms = median(list.map((result) => result.ms));
    return [name, Number.isNaN(rss) ? "-" : rss.toFixed(1), Number.isNaN(rss) ? "-" : (rss / bareRss).toFixed(2), ms.toFixed(0), (ms / pm2Ms).toFixed(2), note];
  };
  console.log(`\nrunning the demo stack in the background  (${runs} runs each, interleaved; memory 1 s after healthy)`);
  console.log(
    table([
      ["runner", "RSS MiB", "x bare", "start ms", "x pm2", "what is measured"],
      row("portmate up -d", results.portmate, "supervisor process; up -d until it returns (all healthy)"),
      row("  same, no depends_on", results.unordered, "up -d of the demo with every service started at once, as pm2 does"),
      row("bare node script", results.bare, "the script; until its polls pass"),
      row("pm2 (warm daemon)", results.pm2, "daemon; pm2 start until the same polls pass"),
      row("concurrently", results.concurrently, "its process; spawn until the same polls pass"),
    ]),
  );
  return {
    rss: median(results.portmate.map((result) => result.rss)) / bareRss,
    vsPm2: median(results.portmate.map((result) => result.ms)) / pm2Ms,
    unorderedVsPm2: median(results.unordered.map((result) => result.ms)) / pm2Ms,
  };
}

// ---------------------------------------------------------------------------------------------------------

const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
console.log(`portmate benchmarks · node ${process.version} · ${(await import("node:os")).cpus().length} cores`);
// Small allocations take well under a millisecond, where a shared machine's noise is large: many runs each.
const runs = quick ? 5 : 200;
const scenarios = [];
if (only === undefined || only === "allocation") {
  scenarios.push(await measureAllocation("3 ports, idle 8000-9000", { count: 3, from: 8000, to: 9000, share: 0, runs }));
  scenarios.push(await measureAllocation("3 ports, 90% of 8000-9000 busy", { count: 3, from: 8000, to: 9000, share: 0.9, runs }));
  scenarios.push(await measureAllocation("100 ports, 50% of 20000-20999 busy", { count: 100, from: 20_000, to: 20_999, share: 0.5, runs: quick ? 3 : 10 }));
}
const startup = only === "allocation" || only === "detached" ? undefined : await measureStartup(quick ? 3 : 30);
const detached = only === "allocation" || only === "startup" ? undefined : await measureDetached(quick ? 2 : 10);

console.log("\ntargets");
for (const scenario of scenarios) {
  const correct = scenario.others.filter(([, , , check]) => check === "ok");
  const fastest = Math.min(...correct.map(([, ms]) => Number(ms)));
  console.log(
    `  ${scenario.name}: faster than every library ${scenario.portmate < fastest ? "yes" : "NO"} (fastest correct library ${fastest.toFixed(2)} ms);` +
      ` within 1.5x of the floor ${scenario.portmate <= 1.5 * scenario.floor ? "yes" : "NO"} (${(scenario.portmate / scenario.floor).toFixed(2)}x)`,
  );
}
if (startup) {
  console.log(
    `  start-up within 1.3x of the bare script: ${startup.portmate <= 1.3 * startup.bare ? "yes" : "NO"} (${(startup.portmate / startup.bare).toFixed(2)}x)`,
  );
}
if (detached) {
  console.log(`  detached supervisor's memory within 1.15x of a bare Node process: ${detached.rss <= 1.15 ? "yes" : "NO"} (${detached.rss.toFixed(2)}x)`);
  console.log(`  up -d until healthy faster than pm2 start with a warm daemon: ${detached.vsPm2 < 1 ? "yes" : "NO"} (${detached.vsPm2.toFixed(2)}x)`);
  console.log(
    `    the same stack without depends_on (started all at once, like pm2): ${detached.unorderedVsPm2 < 1 ? "yes" : "NO"} (${detached.unorderedVsPm2.toFixed(2)}x)`,
  );
}
