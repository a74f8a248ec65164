// The tools the peer benchmarks compare, each running bench/stack.mjs's stack the way its users run one.
// A contender's prepare() does what comes before the timed start (files, ports, pm2's daemon up or down) and
// returns start(signal), which launches the tool and returns a handle (`signal` ends the harness's polls):
//   ready    resolves with the time every service is healthy: when the tool says so (portmate, the bare
//            script) or, for tools that cannot tell, when the harness's own polls of the same health checks pass
//   settled  resolves once the tool's start command is done (pm2's CLI may return after the services answer)
//   ports()  the stack's ports; instances() the services with their health checks, for checking
//   pids()   the tool's own processes: their memory is measured, and SIGKILL is sent to them
//   strays() the tool's processes to kill after the run if still there (not pm2's warm daemon)
//   stop()   stops the stack as a user would; resolves when the tool (or the stop command) is done
//   recover  what the user can do after the tool was killed (`portmate down`), when there is such a thing
//   cleanup  the tool's own state after a run, when it has some
//   marks()  the phase marks it printed with PORTMATE_TIMING=1 (portmate and the bare script)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isGone } from "./processes.mjs";
import { concurrentlyArgs, ecosystem, portmateConfig, procfile, stackOf, stackPorts, untilHealthy } from "./stack.mjs";
import { ROOT, freePorts, portmateBin, run } from "./util.mjs";

const PORTMATE = portmateBin();
const bin = (name) => join(ROOT, "node_modules", ".bin", name);

/** A phase mark of PORTMATE_TIMING=1 (src/cli/timing.ts; bench/bare-start.mjs writes the same). */
const TIMING = /^\[portmate timing\] (\w+) ([\d.]+)$/gm;

/**
 * Starts a tool in the background, draining its output; `pattern` on it means "ready". `marks`: the phase
 * marks it printed, ms since its Node process started.
 */
function launch(command, args, env, pattern) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let seen = false;
  let onReady;
  const ready = new Promise((resolve) => (onReady = resolve));
  const marks = {};
  const onData = (chunk) => {
    const text = output + chunk;
    for (const [, phase, ms] of text.matchAll(TIMING)) marks[phase] ??= Number(ms);
    output = text.slice(-8000);
    if (pattern && !seen && pattern.test(output)) {
      seen = true;
      onReady(performance.now());
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const failed = exit.then(({ code, signal }) => {
    throw new Error(`${command} ${args.join(" ")} exited (${signal ?? code}) before the stack was healthy:\n${output}`);
  });
  failed.catch(() => {}); // only a failure while someone waits for `ready`; a tool exits in the end anyway
  return {
    child,
    exit,
    marks,
    /** Resolves when `until` does (or with the pattern's time), rejects if the tool exits first. */
    ready: (until = ready) => Promise.race([until, failed]),
  };
}

const untilHealthyAt = (instances, signal) => untilHealthy(instances, signal).then(() => performance.now());

/** The stack of a peer that is given its ports by the harness: ports free now, services, health checks. */
async function peerPlan(count, token) {
  const instances = stackOf(token, await freePorts(4 * count));
  return { instances, ports: stackPorts(instances) };
}

/** A tool run in the foreground, stopped with SIGINT, killed with SIGKILL (concurrently, nf, the bare script). */
function foregroundHandle(tool, plan, ready) {
  return {
    ready,
    settled: Promise.resolve(),
    ports: () => plan.ports,
    instances: () => plan.instances,
    pids: () => [tool.child.pid],
    strays: () => [tool.child.pid],
    stop: () => (tool.child.kill("SIGINT"), tool.exit),
    marks: () => tool.marks,
  };
}

/**
 * portmate up, in the foreground or detached (`-d`), with the stack's portmate.yaml; `program` is the CLI to run
 * (another build's, for BENCH_BASELINE) and `project` its project name.
 */
function preparePortmate({ detach, program = PORTMATE, project = detach ? "bench-d" : "bench" }) {
  return async (ctx, token) => {
    const file = join(ctx.dir, `portmate-${token}.yaml`);
    writeFileSync(file, portmateConfig(token));
    const cli = (...args) => [program, "-f", file, "-p", project, ...args];
    const recorded = () => (existsSync(join(ctx.state, "stacks")) ? readdirSync(join(ctx.state, "stacks")) : []);
    const records = () =>
      recorded()
        .filter((name) => name.startsWith(`${project}@`) && name.endsWith(".json"))
        .map((name) => JSON.parse(readFileSync(join(ctx.state, "stacks", name), "utf8")));
    const down = () => run(process.execPath, cli("down"), ctx.env);
    return () => {
      const up = cli("up", ...(ctx.count > 1 ? ["--instances", String(ctx.count)] : []), ...(detach ? ["-d"] : []));
      const tool = launch(process.execPath, up, ctx.env, detach ? undefined : /^SERVICE\s+PID/m);
      const returned = () => tool.exit.then(({ code }) => (code === 0 ? performance.now() : Promise.reject(new Error(`portmate up -d exited ${code}`))));
      return {
        ready: detach ? returned() : tool.ready(),
        settled: Promise.resolve(),
        ports: () => records().flatMap((record) => record.services.flatMap((service) => Object.values(service.ports))),
        instances: () => records().map(instanceOfRecord),
        pids: () => (detach ? [...new Set(records().map((record) => record.supervisor.pid))] : [tool.child.pid]),
        strays: () => [tool.child.pid],
        stop: () => (detach ? down() : (tool.child.kill("SIGINT"), tool.exit)),
        recover: down,
        cleanup: () => (recorded().some((name) => name.startsWith(`${project}@`)) ? down() : undefined),
        marks: () => tool.marks,
      };
    };
  };
}

/** A portmate record's services with the health checks of bench/stack.mjs, to check them the same way. */
function instanceOfRecord(record) {
  const paths = { backend: "/health", admin: "/status.json" };
  return record.services.map((service) => ({ name: service.name, port: service.port, path: paths[service.name] }));
}

/** bench/bare-start.mjs: the floor. */
async function prepareBare(ctx, token) {
  const plan = await peerPlan(ctx.count, token);
  const env = { ...ctx.env, BENCH_STACK: JSON.stringify(plan.instances), BENCH_LOGS: mkdtempSync(join(ctx.dir, "bare-")) };
  return () => {
    const tool = launch(process.execPath, [join(ROOT, "bench", "bare-start.mjs")], env, /^ready$/m);
    return foregroundHandle(tool, plan, tool.ready());
  };
}

/** concurrently with one command per service; with `waitOn`, ui and admin behind wait-on. */
function prepareConcurrently(waitOn) {
  return async (ctx, token) => {
    const plan = await peerPlan(ctx.count, token);
    return (signal) => {
      const tool = launch(bin("concurrently"), concurrentlyArgs(plan.instances, waitOn), ctx.env);
      return foregroundHandle(tool, plan, tool.ready(untilHealthyAt(plan.instances, signal)));
    };
  };
}

/** node-foreman: `nf start` with a Procfile (and an empty env file, so it reads no .env). */
async function prepareForeman(ctx, token) {
  const plan = await peerPlan(ctx.count, token);
  const file = join(ctx.dir, `Procfile-${token}`);
  writeFileSync(file, procfile(plan.instances));
  return (signal) => {
    const tool = launch(bin("nf"), ["start", "-j", file, "-e", ctx.emptyEnvFile], ctx.env);
    return foregroundHandle(tool, plan, tool.ready(untilHealthyAt(plan.instances, signal)));
  };
}

/** pm2 with an ecosystem file. Warm: its daemon already runs (as for a pm2 user); cold: `pm2 start` starts it. */
function preparePm2({ warm }) {
  return async (ctx, token) => {
    const cli = (...args) => run(bin("pm2"), args, ctx.env);
    const daemon = () => Number(readFileSync(join(ctx.env.PM2_HOME, "pm2.pid"), "utf8"));
    if (warm) await cli("ping");
    else if (existsSync(join(ctx.env.PM2_HOME, "pm2.pid")) && !isGone(daemon())) await cli("kill"); // with no daemon, `pm2 kill` starts one
    const plan = await peerPlan(ctx.count, token);
    const file = join(ctx.dir, `ecosystem-${token}.config.cjs`);
    writeFileSync(file, ecosystem(plan.instances, token));
    let stopped = false;
    return (signal) => {
      const started = cli("start", file);
      return {
        // Healthy is when the polls pass, even before `pm2 start` returns; only its failure ends the wait early.
        ready: Promise.race([untilHealthyAt(plan.instances, signal), started.then(() => new Promise(() => {}))]),
        settled: started,
        ports: () => plan.ports,
        instances: () => plan.instances,
        pids: () => [daemon()],
        strays: () => [],
        stop: () => cli(...(warm ? ["delete", "all"] : ["kill"])).then(() => (stopped = true)),
        cleanup: () => (stopped ? undefined : cli("kill").catch(() => undefined)),
      };
    };
  };
}

const SIGINT = "SIGINT";
const SIGKILL = "SIGKILL";

/**
 * Every contender: `gates`, whether ui and admin wait for the backend's health; `stopHow` and `killHow`, for the
 * tables; `kill` and `instances`, whether it also runs the SIGKILL and the 10-instance measurements.
 */
// prettier-ignore
export const CONTENDERS = [
  { key: "portmate", name: "portmate up", gates: true, stopHow: "SIGINT to `portmate up`", killHow: "SIGKILL to `portmate up`", prepare: preparePortmate({ detach: false }), kill: true, instances: true },
  { key: "portmate-d", name: "portmate up -d", gates: true, stopHow: "`portmate down`", killHow: "SIGKILL to the supervisor", prepare: preparePortmate({ detach: true }), kill: true, instances: true },
  { key: "bare", name: "bare script (floor)", gates: true, stopHow: SIGINT, killHow: SIGKILL, prepare: prepareBare, kill: true, instances: true },
  { key: "concurrently-wait-on", name: "concurrently + wait-on", gates: true, stopHow: SIGINT, killHow: SIGKILL, prepare: prepareConcurrently({}), kill: true, instances: true },
  { key: "concurrently-wait-on-i10", name: "concurrently + wait-on -i 10", gates: true, stopHow: SIGINT, killHow: SIGKILL, prepare: prepareConcurrently({ interval: 10 }), kill: false, instances: false },
  { key: "concurrently", name: "concurrently (no waiting)", gates: false, stopHow: SIGINT, killHow: SIGKILL, prepare: prepareConcurrently(undefined), kill: false, instances: true },
  { key: "nf", name: "node-foreman (nf)", gates: false, stopHow: SIGINT, killHow: SIGKILL, prepare: prepareForeman, kill: true, instances: true },
  { key: "pm2", name: "pm2, warm daemon", gates: false, stopHow: "`pm2 delete all`", killHow: "SIGKILL to the daemon", prepare: preparePm2({ warm: true }), kill: true, instances: true },
  { key: "pm2-cold", name: "pm2, cold (daemon started)", gates: false, stopHow: "`pm2 kill`", killHow: "SIGKILL to the daemon", prepare: preparePm2({ warm: false }), kill: false, instances: false },
  ...baseline(process.env.BENCH_BASELINE),
];

/**
 * `BENCH_BASELINE=DIR npm run bench`: also runs `portmate up` of the built checkout in DIR (another version,
 * say the previous commit's), in the same turns as the rest, so a change's cost is a ratio measured in one run.
 */
function baseline(dir) {
  if (!dir) return [];
  const program = portmateBin(dir);
  if (!existsSync(program)) throw new Error(`BENCH_BASELINE: no ${program}; run \`npm ci\` (it builds) in ${dir} first`);
  // prettier-ignore
  return [{ key: "portmate-baseline", name: "portmate up (BENCH_BASELINE)", gates: true, stopHow: "SIGINT to `portmate up`", killHow: SIGKILL, prepare: preparePortmate({ detach: false, program, project: "bench-baseline" }), kill: false, instances: false }];
}
