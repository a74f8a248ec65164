// What `watch:` costs a detached supervisor and how fast it reacts (issue targets: watching a 20 000-file tree
// adds at most 20 MiB and no measurable idle CPU; a change to restart-begun under 100 ms plus the debounce).
// The peer is the same stack on the same tree without `watch:`, measured in the same run.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { median, portmateBin, rssMiB, run, ROOT } from "./util.mjs";

const FIXTURE = join(ROOT, "test", "fixtures", "service.mjs");
const DEBOUNCE_MS = 200;

/** A project with `files` files in src/ (100 per folder) and one service, watching src/ or not. */
function project(files, watching) {
  const dir = mkdtempSync(join(tmpdir(), "portmate-bench-watch-"));
  for (let index = 0; index < files; index++) {
    const folder = join(dir, "src", `d${Math.floor(index / 100)}`);
    if (index % 100 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${index}.js`), "export {};\n");
  }
  const watch = watching ? `\n    watch: {paths: src, debounce: ${DEBOUNCE_MS}ms}` : "";
  writeFileSync(
    join(dir, "portmate.yaml"),
    `name: bench-watch-${watching ? "on" : "off"}\nports: {range: 43000-43999}\nservices:\n  app:\n    command: node ${JSON.stringify(FIXTURE)} --name app --record record.jsonl --log-shutdown\n    health: {http: /}${watch}\n`,
  );
  return dir;
}

/** The supervisor's pid, from the stack's record. */
function supervisorPid(state) {
  const file = readdirSync(join(state, "stacks")).find((name) => name.endsWith(".json"));
  return JSON.parse(readFileSync(join(state, "stacks", file), "utf8")).supervisor.pid;
}

/** CPU time (user + system, in clock ticks of 10 ms) a process used so far. */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

export async function measureWatch({ files = 20_000, runs = 5, idleMs = 5000 } = {}) {
  const results = {};
  for (const watching of [false, true]) {
    const dir = project(files, watching);
    const env = { ...process.env, PORTMATE_STATE_DIR: join(dir, "state"), NO_COLOR: "1" };
    try {
      await run(process.execPath, [portmateBin(), "up", "-d"], env, dir);
      const pid = supervisorPid(env.PORTMATE_STATE_DIR);
      await sleep(1000);
      const rss = rssMiB(pid);
      const before = cpuTicks(pid);
      await sleep(idleMs);
      const idleTicks = cpuTicks(pid) - before;
      const latencies = [];
      if (watching) {
        for (let index = 0; index < runs; index++) {
          const record = join(dir, "record.jsonl");
          const seen = readFileSync(record, "utf8").split("\n").length;
          const changedAt = Date.now();
          appendFileSync(join(dir, "src", "d0", "f0.js"), `// ${index}\n`);
          let stopAt;
          while (stopAt === undefined && Date.now() - changedAt < 10_000) {
            await sleep(5);
            const line = readFileSync(record, "utf8")
              .split("\n")
              .slice(seen - 1)
              .find((text) => text.includes('"sigterm"'));
            if (line) stopAt = JSON.parse(line).t;
          }
          latencies.push(stopAt === undefined ? Number.NaN : stopAt - changedAt - DEBOUNCE_MS);
          await sleep(1500); // healthy again before the next change
        }
      }
      results[watching ? "on" : "off"] = { rss, idleTicks, latencyMs: latencies.length ? median(latencies) : undefined };
    } finally {
      await run(process.execPath, [portmateBin(), "down"], env, dir).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { files, idleMs, ...results };
}

/** The watch section's rows. */
export function watchRows(watch) {
  const { on, off } = watch;
  return [
    ["", "supervisor RSS", `idle CPU over ${watch.idleMs / 1000} s`, "change → restart begun (less the debounce)"],
    ["without watch:", `${off.rss.toFixed(1)} MiB`, `${off.idleTicks * 10} ms`, "-"],
    [
      `watching ${watch.files} files`,
      `${on.rss.toFixed(1)} MiB (+${(on.rss - off.rss).toFixed(1)} MiB, ${(on.rss / off.rss).toFixed(2)}×)`,
      `${on.idleTicks * 10} ms`,
      `${on.latencyMs.toFixed(0)} ms`,
    ],
  ];
}

/** The targets for watching, each met or not. */
export function watchTargets(watch) {
  const { on, off } = watch;
  const added = on.rss - off.rss;
  return [
    `watching ${watch.files} files adds at most 20 MiB to the supervisor: ${added <= 20 ? "yes" : "NO"} (+${added.toFixed(1)} MiB)`,
    `and no measurable idle CPU: ${on.idleTicks <= off.idleTicks + 1 ? "yes" : "NO"} (${on.idleTicks * 10} ms against ${off.idleTicks * 10} ms over ${watch.idleMs / 1000} s)`,
    `a change to the restart begun under 100 ms plus the debounce: ${on.latencyMs < 100 ? "yes" : "NO"} (${on.latencyMs.toFixed(0)} ms)`,
  ];
}
