// The peer benchmarks: every contender of bench/contenders.mjs runs bench/stack.mjs's stack, and they take
// turns run by run, in a new random order each time, so a burst of noise on a shared machine hits all of them.
//  - start: until every service is healthy; then the tool's memory 1 s later; then a stop as a user does it
//    (SIGINT, `portmate down`, `pm2 delete all`…), timed until every port is closed, and what is left 1 s on;
//  - kill: SIGKILL of the tool itself once the stack is healthy, and what is left at once, 3 s later, and
//    after the tool's own way to clean up (`portmate down`), if it has one;
//  - instances: 10 copies of the stack (30 services) until healthy, then stopped and checked like a start.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CONTENDERS } from "./contenders.mjs";
import { isGone, killAll, leftAfter, marked, openPorts, removeLeftovers, untilClosed, untilGone } from "./processes.mjs";
import { healthyNow } from "./stack.mjs";
import { ROOT, rssMiB, run, shuffle } from "./util.mjs";

/** How long a tool gets to close every port after it is asked to stop, and to be healthy after it starts. */
const STOP_LIMIT_MS = 5000;
const READY_LIMIT_MS = 60_000;

const TOKENS = `b${process.pid}r`;
let runs = 0;
/** A token no other run shares, that is not the start of another (see bench/processes.mjs). */
const newToken = () => `${TOKENS}${++runs}e`;

function withLimit(promise, ms, message) {
  let timer;
  const limit = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** What a run left: processes (servers, and wrappers or tools) and open ports of the stack. */
async function leftovers(processes, ports) {
  const servers = processes.filter((process) => process.server).length;
  return { processes: processes.length, servers, ports: await openPorts(ports) };
}

/** One run of a contender: prepare, start (timed until healthy), then `measure` what comes next. */
async function cycle(contender, ctx, measure) {
  const token = newToken();
  const start = await contender.prepare(ctx, token);
  const polls = new AbortController();
  let handle;
  try {
    const began = performance.now();
    handle = start(polls.signal);
    const readyAt = await withLimit(handle.ready, READY_LIMIT_MS, `${contender.name}: not healthy after ${READY_LIMIT_MS} ms`);
    await handle.settled;
    if (!(await healthyNow(handle.instances()))) throw new Error(`${contender.name}: said it was ready, but a health check fails`);
    return { startMs: readyAt - began, marks: { ...handle.marks?.() }, ...(await measure(handle, token)) };
  } catch (error) {
    console.error(`  ${contender.name}: ${error.message}`);
    return { error: error.message };
  } finally {
    polls.abort();
    const strays = handle?.strays() ?? [];
    await handle?.cleanup?.();
    await removeLeftovers(token, strays);
  }
}

/** The tool's memory 1 s after healthy, then a stop as its users do it. */
async function measureStop(handle, token, { rss }) {
  const result = {};
  if (rss) {
    await sleep(1000);
    result.rssMiB = rssMiB(handle.pids()[0]);
  }
  const ports = handle.ports();
  const asked = performance.now();
  let failure;
  const stopped = handle.stop().then(
    () => true,
    (error) => ((failure = error), true),
  );
  const closedAt = await untilClosed(ports, asked + STOP_LIMIT_MS);
  // A tool that closed every port gets longer to return (a stop command can be slow on a busy machine); one
  // that closed none will not do better for waiting.
  const exitBy = asked + (closedAt === undefined ? STOP_LIMIT_MS : 2 * STOP_LIMIT_MS);
  result.toolStayed = !(await Promise.race([stopped, sleep(Math.max(0, exitBy - performance.now())).then(() => false)]));
  if (failure) throw failure;
  result.stopMs = closedAt === undefined ? Number.POSITIVE_INFINITY : closedAt - asked;
  result.left = await leftovers(await leftAfter(token, 1000), ports);
  return result;
}

/** SIGKILL of the tool's own processes; what is left at once, 3 s later, and after its clean-up command. */
async function measureKill(handle, token) {
  const ports = handle.ports();
  const pids = handle.pids();
  for (const pid of pids) process.kill(pid, "SIGKILL");
  if (!(await untilGone(pids, 5000))) throw new Error(`pids ${pids.join(", ")} survived SIGKILL`);
  const atOnce = await leftovers(marked(token), ports);
  await sleep(3000);
  const later = await leftovers(marked(token), ports);
  const recovered = handle.recover ? (await handle.recover(), await leftovers(marked(token), ports)) : undefined;
  return { atOnce, later, recovered };
}

/** Private state folders for portmate and pm2, and what the contenders need; removed by the returned close(). */
async function context() {
  const dir = mkdtempSync(join(tmpdir(), "portmate-bench-"));
  const emptyEnvFile = join(dir, "empty.env");
  writeFileSync(emptyEnvFile, "");
  const env = {
    ...process.env,
    NO_COLOR: "1",
    PORTMATE_STATE_DIR: join(dir, "portmate"),
    PM2_HOME: join(dir, "pm2"),
    // portmate and the bare script say when each start-up phase ended (bench/report.mjs: phaseRows).
    PORTMATE_TIMING: "1",
    PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
  };
  // Interrupted (Ctrl-C): nothing of the benchmark may stay behind, detached supervisors and pm2 included.
  const interrupted = (signal) => {
    killAll(TOKENS, dir);
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  const close = async () => {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    const pidFile = join(env.PM2_HOME, "pm2.pid");
    if (existsSync(pidFile) && !isGone(Number(readFileSync(pidFile, "utf8")))) await run(join(ROOT, "node_modules", ".bin", "pm2"), ["kill"], env);
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, state: env.PORTMATE_STATE_DIR, env, emptyEnvFile, count: 1, close };
}

/** Runs every contender `runs` times, in turns; returns each one's results by key. */
async function rounds(contenders, runs, perRun) {
  const results = Object.fromEntries(contenders.map((contender) => [contender.key, []]));
  const began = performance.now();
  for (let index = 0; index < runs; index++) {
    for (const contender of shuffle(contenders)) results[contender.key].push(await perRun(contender));
    process.stdout.write(".");
  }
  process.stdout.write(` ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
  return results;
}

/**
 * Runs the sections asked for (`start`, `kill`, `instances`), each `runs[section]` times per contender.
 * Returns the contenders and, by section, each contender's list of run results.
 */
export async function measurePeers({ sections, runs, instanceCount }) {
  const ctx = await context();
  const measured = { contenders: CONTENDERS, instanceCount };
  try {
    if (sections.includes("start")) {
      console.log(`\npeers: start, memory and stop, ${runs.start} runs each`);
      measured.start = await rounds(CONTENDERS, runs.start, (contender) => cycle(contender, ctx, (handle, token) => measureStop(handle, token, { rss: true })));
    }
    if (sections.includes("kill")) {
      console.log(`peers: SIGKILL of the tool, ${runs.kill} runs each`);
      measured.kill = await rounds(
        CONTENDERS.filter((contender) => contender.kill),
        runs.kill,
        (contender) => cycle(contender, ctx, measureKill),
      );
    }
    if (sections.includes("instances")) {
      console.log(`peers: ${instanceCount} instances, ${runs.instances} runs each`);
      const many = { ...ctx, count: instanceCount };
      measured.instances = await rounds(
        CONTENDERS.filter((contender) => contender.instances),
        runs.instances,
        (contender) => cycle(contender, many, (handle, token) => measureStop(handle, token, { rss: false })),
      );
    }
  } finally {
    await ctx.close();
  }
  return measured;
}
