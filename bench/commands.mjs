// The short commands against Node's own start-up: `portmate --version`, `ps`, `port` and `env` of a running
// stack, each timed from spawn to exit, against `node -e 0` (the floor: a Node process that does nothing).
// They take turns run by run, in a new random order each time. The stack is started once with `up -d` in a
// folder of its own holding its portmate.yaml, and the commands run there as a user runs them, without -f or -p:
// `ps`, `port` and `env` read the project's name from the file.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portmateConfig } from "./stack.mjs";
import { median, portmateBin, run, shuffle } from "./util.mjs";

const PORTMATE = portmateBin();

/** Runs a command to its end; resolves with the ms from spawn to exit, rejects when it exits non-zero. */
function timed(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let errors = "";
    child.stderr.on("data", (chunk) => (errors += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - began;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(" ")} exited ${code}: ${errors}`));
    });
  });
}

export const COMMANDS = [
  { key: "node", name: "node -e 0 (floor)", args: ["-e", "0"] },
  { key: "version", name: "portmate --version", args: [PORTMATE, "--version"] },
  { key: "ps", name: "portmate ps", args: [PORTMATE, "ps"] },
  { key: "port", name: "portmate port backend", args: [PORTMATE, "port", "backend"] },
  { key: "env", name: "portmate env", args: [PORTMATE, "env"] },
];

/** Each command `runs` times (after one warm-up round); returns each one's median ms by key. */
export async function measureCommands(runs) {
  const dir = mkdtempSync(join(tmpdir(), "portmate-bench-commands-"));
  const project = join(dir, "project");
  mkdirSync(project);
  writeFileSync(join(project, "portmate.yaml"), portmateConfig(`c${process.pid}r`).replace(/^name: bench$/m, "name: bench-commands"));
  const env = { ...process.env, NO_COLOR: "1", PORTMATE_STATE_DIR: join(dir, "state") };
  console.log(`\ncommands against node -e 0, ${runs} runs each`);
  const began = performance.now();
  const times = Object.fromEntries(COMMANDS.map((command) => [command.key, []]));
  try {
    await run(process.execPath, [PORTMATE, "up", "-d"], env, project);
    for (let index = -1; index < runs; index++) {
      for (const command of shuffle(COMMANDS)) {
        const ms = await timed(command.args, project, env);
        if (index >= 0) times[command.key].push(ms);
      }
      if (index >= 0) process.stdout.write(".");
    }
  } finally {
    await run(process.execPath, [PORTMATE, "down"], env, project).catch((error) => console.error(`  portmate down: ${error.message}`));
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(` ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
  return Object.fromEntries(Object.entries(times).map(([key, list]) => [key, median(list)]));
}

/** One row per command: median ms and the ratio to `node -e 0`. */
export function commandRows(medians) {
  return [
    ["command", "median (ms)", "× node -e 0"],
    ...COMMANDS.map(({ key, name }) => [name, medians[key].toFixed(0), `${(medians[key] / medians.node).toFixed(2)}×`]),
  ];
}

/** The target for the short commands, with the figures it was read from. */
export function commandTargets(medians) {
  const worst = COMMANDS.filter(({ key }) => key !== "node").reduce((slow, command) => (medians[command.key] > medians[slow.key] ? command : slow));
  const ratio = medians[worst.key] / medians.node;
  return [`--version, ps, port and env within 1.3× of node -e 0: ${ratio <= 1.3 ? "met" : "NOT met"} (the slowest, ${worst.name}: ${ratio.toFixed(2)}×)`];
}
