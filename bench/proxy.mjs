// The local proxy (issue targets, with 100 connections on one small HTTP service): faster than portless's proxy,
// at least 60% of the direct throughput, p99 at most 1 ms above direct; its memory with 30 routes; and `up` with
// names no more than 20 ms slower than without. Peers measured in the same run: the service's own port, and
// portless 0.12 (the last release on Node 20) on the same service.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePorts, median, portmateBin, rssMiB, run, ROOT } from "./util.mjs";

const HELLO = `import { createServer } from "node:http";\ncreateServer((req, res) => res.end("hello")).listen(Number(process.env.PORT), "127.0.0.1");\n`;
const PORTLESS = join(ROOT, "node_modules", "portless", "dist", "cli.js");

/** A project of `count` hello services, with names or not. */
function project(name, count, names) {
  const dir = mkdtempSync(join(tmpdir(), "portmate-bench-proxy-"));
  writeFileSync(join(dir, "hello.mjs"), HELLO);
  const services = Array.from({ length: count }, (_, index) => `  hello${index || ""}:\n    command: node hello.mjs\n    health: {http: /}\n`).join("");
  writeFileSync(join(dir, "portmate.yaml"), `name: ${name}\n${names ? "proxy: true\n" : ""}ports: {range: 44000-44999}\nservices:\n${services}`);
  return dir;
}

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** One autocannon run against `url` (with `host` as the Host header), in a process of its own. */
async function load(url, host, seconds, connections = 100, rate = undefined) {
  const args = [join(ROOT, "bench", "load-client.mjs"), url, host, String(seconds), String(connections), ...(rate ? [String(rate)] : [])];
  return JSON.parse(await run(process.execPath, args, process.env));
}

/** A steady load, well below what any of them can take: what the proxy adds to each request's time. */
const STEADY_RATE = 1000;
const STEADY_CONNECTIONS = 10;

async function startPortless(home, port, target) {
  const env = { ...process.env, HOME: home, PORTLESS_STATE_DIR: join(home, "state"), PORTLESS_SYNC_HOSTS: "0", PORTLESS_HTTPS: "0" };
  await run(process.execPath, [PORTLESS, "proxy", "start", "--no-tls", "-p", String(port)], env);
  await run(process.execPath, [PORTLESS, "alias", "hello", String(target)], env);
  return () => run(process.execPath, [PORTLESS, "proxy", "stop"], env).catch(() => undefined);
}

/** `up -d` then `down` of `dir`, `runs` times: the median wall time of `up -d` to ready, in ms. */
async function upTimes(dir, env, runs, before = async () => {}) {
  const times = [];
  for (let index = 0; index < runs; index++) {
    await before();
    const started = performance.now();
    await run(process.execPath, [portmateBin(), "up", "-d"], env, dir);
    times.push(performance.now() - started);
    await run(process.execPath, [portmateBin(), "down"], env, dir);
  }
  return times;
}

export async function measureProxy({ seconds = 10, rounds = 2, upRuns = 10 } = {}) {
  const state = mkdtempSync(join(tmpdir(), "portmate-bench-proxy-state-"));
  const [proxyPort, portlessPort] = await freePorts(2);
  // A long idle time: the proxy stays up between the runs of one section (its steady state).
  const env = { ...process.env, PORTMATE_STATE_DIR: state, PORTMATE_PROXY_PORT: String(proxyPort), PORTMATE_PROXY_IDLE_MS: "120000", NO_COLOR: "1" };
  const portless = mkdtempSync(join(tmpdir(), "portmate-bench-portless-"));
  const dirs = [];
  const result = { seconds, rounds, upRuns };
  let stopPortless;
  try {
    // Memory of a fresh proxy: with 1 route, then with 30, each asked for a few times.
    const dir = project("bench", 1, true);
    const many = project("many", 30, true);
    dirs.push(dir, many);
    await run(process.execPath, [portmateBin(), "up", "-d"], env, dir);
    const proxyPid = () => readJson(join(state, "proxy.json")).pid;
    await load(`http://127.0.0.1:${proxyPort}/`, `hello.bench.localhost:${proxyPort}`, 1, 4);
    result.rss1 = rssMiB(proxyPid());
    await run(process.execPath, [portmateBin(), "up", "-d"], env, many);
    for (let index = 0; index < 30; index++) await load(`http://127.0.0.1:${proxyPort}/`, `hello${index || ""}.many.localhost:${proxyPort}`, 1, 4);
    result.rss30 = rssMiB(proxyPid());
    await run(process.execPath, [portmateBin(), "down"], env, many);

    // Throughput and latency: the same service directly, through portmate's proxy, through portless's.
    const [row] = JSON.parse(await run(process.execPath, [portmateBin(), "ps", "--json"], env, dir));
    stopPortless = await startPortless(portless, portlessPort, row.port);
    const targets = {
      direct: [`http://127.0.0.1:${row.port}/`, ""],
      portmate: [`http://127.0.0.1:${proxyPort}/`, `hello.bench.localhost:${proxyPort}`],
      portless: [`http://127.0.0.1:${portlessPort}/`, `hello.localhost:${portlessPort}`],
    };
    const runsOf = { direct: [], portmate: [], portless: [] };
    const steadyOf = { direct: [], portmate: [], portless: [] };
    for (const [url, host] of Object.values(targets)) await load(url, host, 2); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const [name, [url, host]] of Object.entries(targets)) runsOf[name].push(await load(url, host, seconds));
      for (const [name, [url, host]] of Object.entries(targets)) steadyOf[name].push(await load(url, host, seconds, STEADY_CONNECTIONS, STEADY_RATE));
    }
    // The better of the rounds of each: what it can do when the machine's other work leaves it alone.
    const best = (runs) => Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.reduce((a, b) => (b.rps > a.rps ? b : a))]));
    const lowest = (runs) => Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.reduce((a, b) => (b.p99 < a.p99 ? b : a))]));
    result.load = best(runsOf);
    result.steady = { rate: STEADY_RATE, connections: STEADY_CONNECTIONS, ...lowest(steadyOf) };
    result.rssLoaded = rssMiB(proxyPid());
    await run(process.execPath, [portmateBin(), "down"], env, dir);

    // `up -d` of three services with names and without, taking turns, the proxy running (its steady state).
    const named = project("named", 3, true);
    const plain = project("plain", 3, false);
    dirs.push(named, plain);
    const times = { named: [], plain: [] };
    for (let index = 0; index < upRuns; index++) {
      times.plain.push(...(await upTimes(plain, env, 1)));
      times.named.push(...(await upTimes(named, env, 1)));
    }
    // And from cold: the proxy not running, so that `up` starts it.
    const cold = await upTimes(named, env, Math.max(3, Math.floor(upRuns / 3)), async () => {
      await run(process.execPath, [portmateBin(), "proxy", "stop"], env, named);
    });
    result.up = { named: median(times.named), plain: median(times.plain), cold: median(cold) };
  } finally {
    await stopPortless?.();
    for (const dir of dirs) await run(process.execPath, [portmateBin(), "down"], env, dir).catch(() => undefined);
    await run(process.execPath, [portmateBin(), "proxy", "stop"], env, ROOT).catch(() => undefined);
    await sleep(200);
    for (const dir of [...dirs, state, portless]) rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** The proxy section's rows. */
export function proxyRows(proxy) {
  const { direct, portmate, portless } = proxy.load;
  const line = (name, figures) => [
    name,
    `${Math.round(figures.rps)}`,
    `${(figures.rps / direct.rps).toFixed(2)}×`,
    `${(figures.rps / portless.rps).toFixed(2)}×`,
    `${figures.p99} ms`,
    figures.errors ? String(figures.errors) : "0",
  ];
  const steady = (name) => `${proxy.steady[name].p99} ms`;
  return [
    [
      "100 connections, small HTTP service",
      "requests/s",
      "of direct",
      "of portless",
      "p99",
      "errors",
      `p99, ${proxy.steady.connections} connections at ${proxy.steady.rate} requests/s`,
    ],
    [...line("direct (its own port)", direct), steady("direct")],
    [...line("portmate's proxy", portmate), steady("portmate")],
    [...line("portless 0.12's proxy", portless), steady("portless")],
  ];
}

/** Memory and start-up rows. */
export function proxyCostRows(proxy) {
  return [
    ["", "figure"],
    ["proxy RSS, 1 route", `${proxy.rss1.toFixed(1)} MiB`],
    ["proxy RSS, 30 routes", `${proxy.rss30.toFixed(1)} MiB`],
    ["proxy RSS, after the load runs", `${proxy.rssLoaded.toFixed(1)} MiB`],
    ["up -d, 3 services, without names", `${proxy.up.plain.toFixed(0)} ms`],
    ["up -d, 3 services, with names (proxy running)", `${proxy.up.named.toFixed(0)} ms (${signed(proxy.up.named - proxy.up.plain)} ms)`],
    ["up -d, 3 services, with names (proxy started by it)", `${proxy.up.cold.toFixed(0)} ms (${signed(proxy.up.cold - proxy.up.plain)} ms)`],
  ];
}

function signed(ms) {
  return `${ms >= 0 ? "+" : ""}${ms.toFixed(0)}`;
}

/** The targets for the proxy, each met or not. */
export function proxyTargets(proxy) {
  const { direct, portmate, portless } = proxy.load;
  const share = portmate.rps / direct.rps;
  const slower = proxy.up.named - proxy.up.plain;
  return [
    `the proxy faster than portless's: ${portmate.rps > portless.rps ? "yes" : "NO"} (${(portmate.rps / portless.rps).toFixed(2)}× its requests/s)`,
    `at least 60% of direct throughput: ${share >= 0.6 ? "yes" : "NO"} (${(share * 100).toFixed(0)}%)`,
    `p99 at most 1 ms above direct: ${portmate.p99 - direct.p99 <= 1 ? "yes" : "NO"} (${portmate.p99} ms against ${direct.p99} ms at full load; ${proxy.steady.portmate.p99} ms against ${proxy.steady.direct.p99} ms with ${proxy.steady.connections} connections at a steady ${proxy.steady.rate} requests/s)`,
    `up with names at most 20 ms slower than without: ${slower <= 20 ? "yes" : "NO"} (${signed(slower)} ms, the proxy running; ${signed(proxy.up.cold - proxy.up.plain)} ms when up starts it)`,
  ];
}
