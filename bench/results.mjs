// bench/results.md: what a full `npm run bench` measured, as markdown, with how it was measured.
import { writeFileSync } from "node:fs";
import { commandRows } from "./commands.mjs";
import { phaseRows, summaryRows, teardownRows } from "./report.mjs";
import { watchRows } from "./watch.mjs";
import { proxyCostRows, proxyRows } from "./proxy.mjs";
import { dashboardRows } from "./dashboard.mjs";
import { markdownTable } from "./util.mjs";

const loads = (loads) => loads.map((load) => load.toFixed(2)).join(", ");

function machineText({ machine, runs }) {
  // The load at the end counts the benchmark's own last sections (ten stacks of 60 processes at once); only the
  // load it started with tells of other work.
  const busy = machine.loadBefore[0] > machine.cores;
  const ownLoad = !busy && machine.loadAfter[0] > machine.cores;
  return [
    `Node ${machine.node}, ${machine.cores} cores; load average (1, 5, 15 min) ${loads(machine.loadBefore)} at the start, ${loads(machine.loadAfter)} at the end` +
      (busy
        ? ": the machine was busy with other work, so absolute times are inflated and noisy; the ratios compare tools that shared it."
        : ownLoad
          ? ": the load at the end is the benchmark's own (its 10-instance runs start 60 processes at once)."
          : "."),
    `Runs per tool: ${runs.start} of start, memory and stop; ${runs.kill} of SIGKILL; ${runs.instances} of 10 instances; ` +
      `allocation ${runs.allocation} per scenario (${runs.allocationLarge} for 100 ports); ${runs.commands} of each short command. Tools take turns run by run, in a new random order each time.`,
  ].join("\n");
}

const STACK = `The demo stack of \`portmate.yaml\` (\`examples/demo\`): **backend** (healthy when \`GET /health\` answers), **ui**
(started once the backend is healthy; healthy when its port accepts connections) and **admin** (started once the backend
is healthy and the ui started; healthy when \`GET /status.json\` answers; a second port for metrics). Each service runs
behind a wrapper shell that does not \`exec\` the server, like \`npm run\` stays as a parent:
\`sh -c 'PMBENCH=<run token> PORT=… node examples/demo/backend.js --port …; exit'\`. So every service is two processes,
the shell (the tool's child) and the Node server (its grandchild); a tool that stops only its children leaves the
servers running. Every tool runs these same commands: portmate with \`shell: true\`, pm2 with \`/bin/sh -c\` as the
script (\`interpreter: none\`, \`autorestart: false\`), concurrently and node-foreman through their own \`sh -c\`, the
bare script with \`sh -c\` in a process group per service. portmate allocates its own ports (range 8000-9000); the
others get ports the harness found free. The token, new for every run, finds what a run left behind in \`/proc\`
(zombies count as gone).`;

const START_NOTES = `- **start**: from launching the tool until every service is healthy. \`portmate up\`: until it prints its table
  (its own health checks passed); \`portmate up -d\`: until it returns; the bare script: until it prints \`ready\`.
  The other tools cannot tell, so: until the harness's polls of the same health checks (every 10 ms) pass.
- **gates on health**: whether ui and admin wait for the backend's health check. The bare script does, polling every
  10 ms: the floor. concurrently + wait-on: \`wait-on http-get://127.0.0.1:PORT/health && …\` in front of ui and admin,
  with wait-on's default interval (250 ms) and with \`-i 10\`. node-foreman and pm2 start all three at once.
- **10 instances**: ten copies of the stack, 30 services (60 processes): \`portmate up --instances 10\`, the bare
  script with ten stacks at once, concurrently with 30 commands (20 of them behind wait-on), a Procfile and an
  ecosystem file with 30 entries.
- **tool's RSS**: resident memory of the tool's own process, 1 s after the stack is healthy: \`portmate up\`'s
  process; \`portmate up -d\`'s supervisor; pm2's daemon; concurrently's and nf's process; the bare script, which
  also keeps each service's output in a log file, as a supervisor does.`;

const TEARDOWN_NOTES = `- **stopped with**: what a user does. SIGINT goes to the tool's process alone (as from \`kill -INT\`, an IDE's
  stop button or another process manager); Ctrl-C in a terminal signals the whole foreground process group,
  services included, which would hide what a tool fails to stop. Timed until every port of the stack is closed
  (5 s at most); then what is still alive 1 s after the tool returned.
- **servers / wrappers**: the Node servers (grandchildren of the tool) and the wrapper shells still alive, and the
  stack's ports still accepting connections; "the tool itself": it had not returned 5 s after the signal (10 s when it had closed every port).
- **killed with**: SIGKILL of the tool's own process once the stack is healthy (for pm2 its daemon, for
  \`portmate up -d\` its supervisor). What is left is counted as soon as the tool is gone, 3 s later, and for
  portmate once more after \`portmate down\`. Everything is removed after counting, so runs do not pollute each other.`;

const ALLOCATION_NOTES = `Busy ports are held by another process on a random mix of \`0.0.0.0\`, \`::\`, \`127.0.0.1\` and \`::1\`. Each
contender runs in a process of its own and they take turns in a random order. The floor is the bind portmate's probe
makes, in a bare loop with no allocator around it. "distinct & free": every answer is checked.`;

/** Writes bench/results.md from one full run. */
export function writeResults(path, { machine, runs, peers, scenarios, commands, watch, proxy, dashboard, targets }) {
  const parts = ["# Benchmark results", "", "Written by `npm run bench` (`bench/run.mjs`) from one full run: every figure here was measured in that run.", ""];
  parts.push(machineText({ machine, runs }), "", "## The stack", "", STACK, "");
  if (peers) {
    parts.push("## Start-up, 10 instances, memory", "", "Medians; ratios to the bare script and to `portmate up`.", "", markdownTable(summaryRows(peers)), "");
    parts.push(
      START_NOTES,
      "",
      "## Start-up by phase",
      "",
      "Where `portmate up` spends its start-up: medians of the marks it prints with `PORTMATE_TIMING=1`, each phase from the end of the one before (the load from Node's start), beside `up -d` and the bare script's marks. The last row is the harness's clock, launch to ready.",
      "",
      markdownTable(phaseRows(peers)),
      "",
      "## Teardown",
      "",
      "What each tool left behind in its worst run.",
      "",
      markdownTable(teardownRows(peers)),
      "",
      TEARDOWN_NOTES,
      "",
    );
  }
  if (commands) {
    parts.push(
      "## Short commands",
      "",
      `Spawn to exit, medians of ${runs.commands} runs, taking turns with \`node -e 0\`; \`ps\`, \`port\` and \`env\` of a stack started with \`up -d\`, run in its folder.`,
      "",
      markdownTable(commandRows(commands)),
      "",
    );
  }
  if (watch) {
    parts.push(
      "## Watching files",
      "",
      `A detached supervisor of one service, watching a tree of ${watch.files} files (\`watch: src\`), against the same stack without \`watch:\`. Memory once settled; CPU used while nothing changes; a file change to the old run's SIGTERM, less the 200 ms debounce (median of ${runs.watch}).`,
      "",
      markdownTable(watchRows(watch)),
      "",
    );
  }
  if (proxy) {
    parts.push(
      "## The local proxy",
      "",
      `One small HTTP service (it answers \`hello\`), asked directly on its port, through portmate's proxy by its name, and through portless 0.12's proxy (\`portless proxy start --no-tls\`, \`portless alias\`) by its name, in turns. autocannon runs in a process of its own, on the same ${machine.cores} cores as the proxy and the service: 100 connections for ${proxy.seconds} s as fast as they go (the best of ${proxy.rounds} rounds), then a steady ${proxy.steady.rate} requests/s on ${proxy.steady.connections} connections (the lowest p99 of the rounds). A proxy adds a process that needs a core of its own: at full load on two cores, the direct service has the machine to itself and the client.`,
      "",
      markdownTable(proxyRows(proxy)),
      "",
      `The proxy's memory once settled with 1 and with 30 routes (each asked a few times), and after the load runs; \`up -d\` of three services with names and without, taking turns (medians of ${proxy.upRuns}), the proxy running, and from cold (\`up\` starts the proxy).`,
      "",
      markdownTable(proxyCostRows(proxy)),
      "",
    );
  }
  if (dashboard) {
    parts.push(
      "## The dashboard",
      "",
      `A detached stack of three services that print 20 lines a second each: its supervisor's memory over ${dashboard.seconds} s with no page, then over ${dashboard.seconds} s with a page's event stream connected (logs included, as a browser gets them). The dashboard reads the stacks' records and log files, so the supervisor does nothing more for it.`,
      "",
      markdownTable(dashboardRows(dashboard)),
      "",
    );
  }
  parts.push("## Targets", "", ...targets.map((line) => `${line.startsWith(" ") ? "  " : ""}- ${line.trim()}`), "");
  if (scenarios.length) {
    parts.push("## Port allocation", "", "Median ms and the ratio to portmate.", "");
    for (const scenario of scenarios) parts.push(`**${scenario.title}**`, "", markdownTable(scenario.rows), "");
    parts.push(ALLOCATION_NOTES, "");
  }
  writeFileSync(path, parts.join("\n"));
}
