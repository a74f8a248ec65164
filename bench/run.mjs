// portmate's benchmarks: `npm run bench`. Prints medians and ratios, all measured in this one run, so the
// figures compare like with like on whatever machine runs them; a full run also writes them to
// bench/results.md. Not part of `npm test`: timings on shared machines are noisy, so speed targets are checked
// here, by a person, never by a timed assertion in a test.
//
//  allocation  portmate's one-scan allocator against get-port, get-port-please, portfinder, detect-port and a
//              bare bind loop (bench/allocation.mjs)
//  start       portmate against peers (concurrently with and without wait-on, node-foreman, pm2 warm and cold,
//              a bare spawn-and-poll script) on the same three-service stack: until healthy, the tool's memory,
//              and the stop as users do it, with what is left behind (bench/peers.mjs)
//  kill        SIGKILL of each tool once its stack is healthy: what is left at once, 3 s later, and after
//              `portmate down`
//  instances   10 copies of the stack (30 services) until healthy
//  commands    `portmate --version`, `ps`, `port` and `env` against `node -e 0` (bench/commands.mjs)
//  watch       a detached supervisor watching a 20 000-file tree against the same stack not watching it: memory,
//              idle CPU, and a file change to the restart begun (bench/watch.mjs)
//  dashboard   a supervisor's memory while a dashboard page is connected, against the same supervisor with no page
//              (bench/dashboard.mjs)
//  proxy       requests/s and p99 through the local proxy against the service directly and portless's proxy,
//              with autocannon; the proxy's memory with 30 routes; `up` with names and without (bench/proxy.mjs)
//
// The start section also prints where `portmate up` spends its start-up, phase by phase (load, config, ports,
// first spawn, health: the marks of PORTMATE_TIMING=1), beside the bare script's.
//
// `--quick`: few runs, for trying a change; `--only=start,kill`: these sections only. Either way results.md is
// left as it is.
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { measureAllocation } from "./allocation.mjs";
import { commandRows, commandTargets, measureCommands } from "./commands.mjs";
import { measurePeers } from "./peers.mjs";
import { phaseRows, summaryRows, targets, teardownRows } from "./report.mjs";
import { writeResults } from "./results.mjs";
import { measureWatch, watchRows, watchTargets } from "./watch.mjs";
import { measureProxy, proxyCostRows, proxyRows, proxyTargets } from "./proxy.mjs";
import { dashboardRows, dashboardTargets, measureDashboard } from "./dashboard.mjs";
import { ROOT, table } from "./util.mjs";

const SECTIONS = ["allocation", "start", "kill", "instances", "commands", "watch", "proxy", "dashboard"];
const quick = process.argv.includes("--quick");
const only = process.argv
  .find((arg) => arg.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const unknown = (only ?? []).filter((section) => !SECTIONS.includes(section));
if (unknown.length) throw new Error(`--only: unknown section ${unknown.join(", ")}; the sections are ${SECTIONS.join(", ")}`);
const sections = only ?? SECTIONS;

// Small allocations take well under a millisecond, where a shared machine's noise is large: many runs each.
const runs = quick
  ? {
      allocation: 5,
      allocationLarge: 3,
      start: 2,
      kill: 1,
      instances: 1,
      commands: 5,
      watch: 2,
      proxy: { seconds: 2, rounds: 1, upRuns: 2 },
      dashboard: { seconds: 6 },
    }
  : {
      allocation: 200,
      allocationLarge: 10,
      start: 10,
      kill: 2,
      instances: 3,
      commands: 20,
      watch: 10,
      proxy: { seconds: 10, rounds: 2, upRuns: 10 },
      dashboard: { seconds: 20 },
    };
const machine = { node: process.version, cores: cpus().length, loadBefore: loadavg() };
console.log(
  `portmate benchmarks · node ${machine.node} · ${machine.cores} cores · load average ${machine.loadBefore.map((load) => load.toFixed(2)).join(" ")}`,
);

const scenarios = [];
if (sections.includes("allocation")) {
  scenarios.push(await measureAllocation("3 ports, idle 8000-9000", { count: 3, from: 8000, to: 9000, share: 0, runs: runs.allocation }));
  scenarios.push(await measureAllocation("3 ports, 90% of 8000-9000 busy", { count: 3, from: 8000, to: 9000, share: 0.9, runs: runs.allocation }));
  scenarios.push(
    await measureAllocation("100 ports, 50% of 20000-20999 busy", { count: 100, from: 20_000, to: 20_999, share: 0.5, runs: runs.allocationLarge }),
  );
}
const peerSections = sections.filter((section) => !["allocation", "commands", "watch", "proxy", "dashboard"].includes(section));
const peers = peerSections.length ? await measurePeers({ sections: peerSections, runs, instanceCount: 10 }) : undefined;
const commands = sections.includes("commands") ? await measureCommands(runs.commands) : undefined;
const watch = sections.includes("watch") ? await measureWatch({ runs: runs.watch }) : undefined;
const proxy = sections.includes("proxy") ? await measureProxy(runs.proxy) : undefined;
const dashboard = sections.includes("dashboard") ? await measureDashboard(runs.dashboard) : undefined;
machine.loadAfter = loadavg();

if (peers?.start || peers?.instances) {
  console.log(`\nstart-up, ${peers.instanceCount} instances and memory  (medians; ratios to the bare script and to portmate)`);
  console.log(table(summaryRows(peers)));
}
if (peers?.start) console.log(`\nstart-up of portmate up by phase  (PORTMATE_TIMING=1; medians)\n${table(phaseRows(peers))}`);
if (peers?.start || peers?.kill) console.log(`\nteardown  (the worst run of each)\n${table(teardownRows(peers))}`);
if (commands) console.log(`\ncommands  (medians, spawn to exit)\n${table(commandRows(commands))}`);
if (watch) console.log(`\nwatch  (a detached supervisor, with and without watching the tree)\n${table(watchRows(watch))}`);
if (proxy)
  console.log(
    `\nproxy  (autocannon in a process of its own; the best of ${proxy.rounds} rounds)\n${table(proxyRows(proxy))}\n\n${table(proxyCostRows(proxy))}`,
  );
if (dashboard) console.log(`\ndashboard  (a supervisor's memory: the median of the settled half of each run's samples)\n${table(dashboardRows(dashboard))}`);

console.log("\ntargets");
const allocationTargets = scenarios.map((scenario) => {
  const correct = scenario.others.filter(([, , , check]) => check === "ok");
  const fastest = Math.min(...correct.map(([, ms]) => Number(ms)));
  return (
    `${scenario.name}: faster than every library ${scenario.portmate < fastest ? "yes" : "NO"} (fastest correct library ${fastest.toFixed(2)} ms);` +
    ` within 1.5× of the floor ${scenario.portmate <= 1.5 * scenario.floor ? "yes" : "NO"} (${(scenario.portmate / scenario.floor).toFixed(2)}×)`
  );
});
const peerTargets = [
  ...(peers ? targets(peers) : []),
  ...(commands ? commandTargets(commands) : []),
  ...(watch ? watchTargets(watch) : []),
  ...(proxy ? proxyTargets(proxy) : []),
  ...(dashboard ? dashboardTargets(dashboard) : []),
];
for (const line of [...allocationTargets, ...peerTargets]) console.log(`  ${line}`);
console.log(`\nload average at the end: ${machine.loadAfter.map((load) => load.toFixed(2)).join(" ")}`);

if (!quick && !only) {
  writeResults(join(ROOT, "bench", "results.md"), {
    machine,
    runs,
    peers,
    scenarios,
    commands,
    watch,
    proxy,
    dashboard,
    targets: [...peerTargets, ...allocationTargets],
  });
  console.log("written to bench/results.md");
}
