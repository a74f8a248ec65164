import { spawn } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  isListening,
  occupy,
  onCleanup,
  pidGone,
  randomRange,
  readRecords,
  recordedPids,
  runCli,
  tempProject,
  waitUntil,
  yaml,
  project,
  ps,
} from "../support/helpers.js";

/** `service → primary port` of the running stack, from `ps --json`. */
async function portsByService(cwd: string, env: Record<string, string>): Promise<Record<string, number>> {
  return Object.fromEntries((await ps(cwd, env)).map((row) => [row.service, row.port as number]));
}

/** The environment the fixture `name` started with, as it recorded it. */
function startEnv(record: string, name: string): Record<string, string> {
  const start = readRecords(record).find((line) => line.name === name && line.event === "start");
  expect(start, `no start of ${name} in ${record}`).toBeDefined();
  return start?.env ?? {};
}

/** A process's command line as /proc tells it, read independently of portmate's own code. */
function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
}

/** `shown` is the command line of `pid` as a one-line message shows it: whole, or cut with an ellipsis. */
function expectCommandOf(pid: number, shown: string | undefined): void {
  const full = commandLine(pid).replace(/\s+/g, " ").trim();
  expect(shown, `command of pid ${pid}`).toBeDefined();
  if (shown?.endsWith("…")) {
    expect(shown.length).toBeGreaterThan(20);
    expect(full.startsWith(shown.slice(0, -1)), `${JSON.stringify(shown)} starts ${JSON.stringify(full)}`).toBe(true);
  } else expect(shown).toBe(full);
}

/** The pids of the processes (other than zombies) whose environment names this state folder: portmate's own and its services. */
function processesUsing(state: string): number[] {
  const needle = `PORTMATE_STATE_DIR=${state}\0`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "utf8").includes(needle) && !pidGone(pid);
      } catch {
        return false;
      }
    });
}

/** After a refused `up`: nothing was started, nothing is reserved, and no portmate process (the early supervisor of `up -d`) is left. */
async function expectNothingStarted(p: ReturnType<typeof project>): Promise<void> {
  expect(readRecords(p.record)).toEqual([]);
  expect(await ps(p.dir, p.env)).toEqual([]);
  const ports = join(p.state, "ports");
  expect(existsSync(ports) ? readdirSync(ports) : []).toEqual([]);
  await waitUntil(() => processesUsing(p.state).length === 0, `every process of ${p.state} to exit (left: ${processesUsing(p.state).join(", ")})`);
}

/**
 * A plain process (no portmate) listening on `port`: `node -e SCRIPT`. Killed after the test if still running;
 * `stop()` kills it and waits until it has been reaped. (Not only until pidGone(): a killed Node process's main
 * thread is a zombie a moment before its other threads have exited and closed its sockets.)
 */
async function plainListener(port: number, host = "127.0.0.1") {
  const script = `require("node:net").createServer().listen(${port}, ${JSON.stringify(host)}, () => console.log("listening"))`;
  const startedAt = Date.now();
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const pid = child.pid as number;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    child.kill("SIGKILL");
    await exited;
  };
  onCleanup(stop);
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes("listening")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the listener on ${port} exited (${code}) before listening: ${seen}`)));
  });
  return { pid, command: `${process.execPath} -e ${script}`, startedAt, stop };
}

/** `2026-11-23 16:05:03` (local time) as a Date. */
function localTime(text: string): Date {
  const [date = "", time = ""] = text.split(" ");
  const [year, month, day] = date.split("-").map(Number);
  const [hours, minutes, seconds] = time.split(":").map(Number);
  return new Date(year ?? 0, (month ?? 1) - 1, day ?? 0, hours ?? 0, minutes ?? 0, seconds ?? 0);
}

/** Two services; api's primary port is `http` and it has a `metrics` port as well, which it puts in METRICS_PORT. */
const SHOP = (range: string) => yaml`
  name: shop
  ports: {range: ${range}}
  services:
    api:
      command: ${fixtureCommand("--name api --record record.jsonl")}
      ports: {http: auto, metrics: auto}
      env: {METRICS_PORT: "\${ports.metrics}"}
    web:
      command: ${fixtureCommand("--name web --record record.jsonl")}
      depends_on: [api]
`;

/** Two services with a port each: api and web. */
const TWO = (range: string) => yaml`
  name: two
  ports: {range: ${range}}
  services:
    api:
      command: ${fixtureCommand("--name api --record record.jsonl")}
    web:
      command: ${fixtureCommand("--name web --record record.jsonl")}
`;

describe("preferred ports: --port and <SERVICE>_PORT", () => {
  it("puts each service on the port --port gives it (repeatable), not on the range's lowest ports", async () => {
    const range = randomRange();
    const p = project(TWO(range.text));
    const [apiPort, webPort] = [range.from + 37, range.from + 23];
    const up = await runCli(["up", "-d", "--port", `api=${apiPort}`, "--port", `web=${webPort}`], { cwd: p.dir, env: p.env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).not.toMatch(/warning:/);

    expect(await portsByService(p.dir, p.env)).toEqual({ api: apiPort, web: webPort });
    expect(startEnv(p.record, "api")).toMatchObject({ PORT: String(apiPort), API_PORT: String(apiPort) });
    expect(startEnv(p.record, "web")).toMatchObject({ PORT: String(webPort), WEB_PORT: String(webPort) });
    const port = await runCli(["port", "api"], { cwd: p.dir, env: p.env });
    expect(port.stdout).toBe(String(apiPort));

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), [apiPort, webPort]);
  });

  it("prefers the port of <SERVICE>_PORT from the environment (`my-api` → MY_API_PORT)", async () => {
    const range = randomRange();
    const p = project(yaml`
      name: envpref
      ports: {range: ${range.text}}
      services:
        my-api:
          command: ${fixtureCommand("--name my-api --record record.jsonl")}
        web:
          command: ${fixtureCommand("--name web --record record.jsonl")}
    `);
    const preferred = range.from + 42;
    const up = await runCli(["up", "-d"], { cwd: p.dir, env: { ...p.env, MY_API_PORT: String(preferred) } });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).not.toMatch(/warning:/);

    // my-api gets its variable's port; web, which has none, the lowest of the range.
    expect(await portsByService(p.dir, p.env)).toEqual({ "my-api": preferred, web: range.from });
    expect(startEnv(p.record, "my-api")).toMatchObject({ PORT: String(preferred), MY_API_PORT: String(preferred) });
    expect(startEnv(p.record, "web")).toMatchObject({ PORT: String(range.from), MY_API_PORT: String(preferred) });

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), [preferred, range.from]);
  });

  it("lets --port win over <SERVICE>_PORT", async () => {
    const range = randomRange();
    const p = project(TWO(range.text));
    const [fromEnv, fromFlag] = [range.from + 11, range.from + 29];
    const up = await runCli(["up", "-d", "--port", `api=${fromFlag}`], { cwd: p.dir, env: { ...p.env, API_PORT: String(fromEnv) } });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).not.toMatch(/warning:/);

    expect((await portsByService(p.dir, p.env)).api).toBe(fromFlag);
    expect(startEnv(p.record, "api")).toMatchObject({ PORT: String(fromFlag), API_PORT: String(fromFlag) });
    expect(await isListening(fromEnv)).toBe(false);

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), [fromFlag]);
  });

  it("puts a named port where `--port SVC.NAME=PORT` says, leaving the primary port to the range", async () => {
    const range = randomRange();
    const p = project(SHOP(range.text));
    const metrics = range.from + 50;
    const up = await runCli(["up", "-d", "--port", `api.metrics=${metrics}`], { cwd: p.dir, env: p.env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).not.toMatch(/warning:/);

    const api = (await ps(p.dir, p.env)).find((row) => row.service === "api");
    expect(api?.ports).toEqual({ http: range.from, metrics });
    expect(api?.port).toBe(range.from);
    expect((await runCli(["port", "api", "metrics"], { cwd: p.dir, env: p.env })).stdout).toBe(String(metrics));
    expect(startEnv(p.record, "api")).toMatchObject({ PORT: String(range.from), METRICS_PORT: String(metrics) });

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), [range.from, metrics, range.from + 1]);
  });

  it("warns naming the holder's pid and command line, and uses another port, when the preferred port has an IPv6-only listener", async () => {
    const range = randomRange();
    const p = project(TWO(range.text));
    const preferred = range.from + 20;
    expect(await occupy(preferred, "::", true), `port ${preferred} was not free`).toBeDefined();

    const up = await runCli(["up", "-d", "--port", `api=${preferred}`], { cwd: p.dir, env: p.env });
    expect(up.exitCode, up.all).toBe(0);
    const warnings = up.stderr.split("\n").filter((line) => line.startsWith("warning:"));
    expect(warnings, up.stderr).toHaveLength(1);
    const match = /^warning: api: preferred port (\d+) is taken by pid (\d+) \((.*)\); using (\d+)$/.exec(warnings[0] ?? "");
    expect(match, warnings[0]).not.toBeNull();
    const [, wanted, holder, command, used] = match ?? [];
    expect(Number(wanted)).toBe(preferred);
    // The listener is this test's own: the vitest worker.
    expect(Number(holder)).toBe(process.pid);
    expectCommandOf(process.pid, command);

    const ports = await portsByService(p.dir, p.env);
    expect(ports.api).toBe(Number(used));
    expect(ports.api).not.toBe(preferred);
    expect(startEnv(p.record, "api")).toMatchObject({ PORT: used });

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), Object.values(ports));
  });

  it("warns that a preferred port belongs to another portmate project's service", async () => {
    const range = randomRange();
    const shop = project(SHOP(range.text));
    expect((await runCli(["up", "-d"], { cwd: shop.dir, env: shop.env })).exitCode).toBe(0);
    const taken = (await portsByService(shop.dir, shop.env)).web as number;
    const webPid = readRecords(shop.record).find((line) => line.name === "web" && line.event === "start")?.pid as number;

    // A second project on the same machine (same state folder) wants shop's web port.
    const other = tempProject({ "portmate.yaml": TWO(range.text) });
    onCleanup(async () => {
      await runCli(["down"], { cwd: other, env: shop.env });
    });
    const up = await runCli(["up", "-d", "--port", `web=${taken}`], { cwd: other, env: shop.env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).toMatch(
      new RegExp(
        `^warning: web: preferred port ${taken} is taken by web of portmate project shop, pid ${webPid} \\(.*service\\.mjs --name web .*\\); using (\\d+)$`,
        "m",
      ),
    );
    const otherPorts = Object.fromEntries((await ps(other, shop.env)).map((row) => [row.service, row.port as number]));
    expect(otherPorts.web).not.toBe(taken);

    expect((await runCli(["down", "-a"], { cwd: shop.dir, env: shop.env })).exitCode).toBe(0);
    await expectNothingLeft([...recordedPids(shop.record), ...recordedPids(join(other, "record.jsonl"))], [taken, ...Object.values(otherPorts)]);
  });

  it("exits 3 naming the holder, and starts nothing, when --strict-ports finds the preferred port taken", async () => {
    const range = randomRange();
    const p = project(TWO(range.text));
    const preferred = range.from + 20;
    const holder = await plainListener(preferred);

    const strict = await runCli(["up", "-d", "--strict-ports", "--port", `api=${preferred}`], { cwd: p.dir, env: p.env });
    expect(strict.exitCode, strict.all).toBe(3);
    const [first = "", ...rest] = strict.stderr.split("\n");
    const match = /^api: port (\d+) is taken by pid (\d+) \((.*)\); strict ports: nothing was started$/.exec(first);
    expect(match, strict.stderr).not.toBeNull();
    expect(Number(match?.[1])).toBe(preferred);
    expect(Number(match?.[2])).toBe(holder.pid);
    expectCommandOf(holder.pid, match?.[3]);
    expect(rest.join("\n")).toMatch(/hint: .*portmate who PORT/);
    await expectNothingStarted(p);

    // The same without --strict-ports starts, on another port, with a warning.
    const lenient = await runCli(["up", "-d", "--port", `api=${preferred}`], { cwd: p.dir, env: p.env });
    expect(lenient.exitCode, lenient.all).toBe(0);
    expect(lenient.stderr).toMatch(new RegExp(`^warning: api: preferred port ${preferred} is taken by pid ${holder.pid} \\(.+\\); using \\d+$`, "m"));
    const ports = await portsByService(p.dir, p.env);
    expect(ports.api).not.toBe(preferred);
    // What expectNothingStarted() looks for is there when something did start: the supervisor and the services.
    const supervisor = (JSON.parse(readFileSync(join(p.state, "stacks", "two@1.json"), "utf8")) as { supervisor: { pid: number } }).supervisor.pid;
    expect(processesUsing(p.state)).toEqual(expect.arrayContaining([supervisor, ...(await ps(p.dir, p.env)).map((row) => row.pid as number)]));

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await holder.stop();
    await expectNothingLeft([...recordedPids(p.record), holder.pid], [...Object.values(ports), preferred]);
  });

  it("exits 3 for a taken preferred port of a `strict: true` service, and uses the port once it is free", async () => {
    const range = randomRange();
    const preferred = range.from + 30;
    const p = project(yaml`
      name: strict
      ports: {range: ${range.text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl")}
          port: ${preferred}
          strict: true
        web:
          command: ${fixtureCommand("--name web --record record.jsonl")}
    `);
    const server = await occupy(preferred, "127.0.0.1");
    expect(server, `port ${preferred} was not free`).toBeDefined();

    const refused = await runCli(["up", "-d"], { cwd: p.dir, env: p.env });
    expect(refused.exitCode, refused.all).toBe(3);
    expect(refused.stderr.split("\n")[0]).toMatch(
      new RegExp(`^api: port ${preferred} is taken by pid ${process.pid} \\(.+\\); strict ports: nothing was started$`),
    );
    await expectNothingStarted(p);

    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const up = await runCli(["up", "-d"], { cwd: p.dir, env: p.env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).not.toMatch(/warning:/);
    const ports = await portsByService(p.dir, p.env);
    expect(ports.api).toBe(preferred);

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), Object.values(ports));
  });

  it("exits 2 naming the variable when <SERVICE>_PORT is not a port number, starting nothing", async () => {
    const p = project(TWO(randomRange().text));
    for (const value of ["eighty", "80a", "70000"]) {
      const result = await runCli(["up", "-d"], { cwd: p.dir, env: { ...p.env, API_PORT: value } });
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr.split("\n")[0]).toBe(`API_PORT must be a port number (1-65535), got ${JSON.stringify(value)}`);
      await expectNothingStarted(p);
    }
  });

  it("exits 2 for --port naming an unknown service (with a did-you-mean) or an unknown named port, starting nothing", async () => {
    const range = randomRange();
    const p = project(SHOP(range.text));
    const port = range.from + 10;

    const service = await runCli(["up", "-d", "--port", `apii=${port}`], { cwd: p.dir, env: p.env });
    expect(service.exitCode, service.all).toBe(2);
    expect(service.stderr.split("\n").slice(0, 2)).toEqual([`--port apii=${port}: no service "apii" (did you mean "api"?)`, "hint: services: api, web"]);
    await expectNothingStarted(p);

    const named = await runCli(["up", "-d", "--port", `api.metric=${port}`], { cwd: p.dir, env: p.env });
    expect(named.exitCode, named.all).toBe(2);
    expect(named.stderr.split("\n").slice(0, 2)).toEqual([`--port api.metric=${port}: api has no port named "metric"`, "hint: its ports: http, metrics"]);
    await expectNothingStarted(p);
  });
});

describe("portmate who", () => {
  it("names the pid, command, user and start time of a plain process, then says nothing listens once it is gone", async () => {
    const range = randomRange();
    const p = project(TWO(range.text));
    const port = range.from + 5;
    const holder = await plainListener(port);

    const who = await runCli(["who", String(port)], { cwd: p.dir, env: p.env });
    expect(who.exitCode, who.all).toBe(0);
    const lines = who.stdout.split("\n");
    expect(lines[0]).toBe(`port ${port}: pid ${holder.pid} ${holder.command}`);
    const facts = /^ {2}(\S+) · since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) · listening on (.+)$/.exec(lines[1] ?? "");
    expect(facts, who.stdout).not.toBeNull();
    expect(facts?.[1]).toBe(userInfo().username);
    const since = localTime(facts?.[2] ?? "").getTime();
    expect(since).toBeGreaterThanOrEqual(holder.startedAt - 5_000);
    expect(since).toBeLessThanOrEqual(Date.now());
    expect(facts?.[3]).toBe("127.0.0.1");
    expect(who.stdout).not.toMatch(/portmate:/);

    const json = await runCli(["who", "--json", String(port)], { cwd: p.dir, env: p.env });
    expect(json.exitCode, json.all).toBe(0);
    const ownership = JSON.parse(json.stdout) as {
      port: number;
      lookup: { holders: Array<{ pid: number; command: string; user: string; startedAt: string; addresses: string[] }> };
      stacks: unknown[];
      reservedBy?: unknown;
    };
    expect(ownership.port).toBe(port);
    expect(ownership.lookup.holders).toHaveLength(1);
    expect(ownership.lookup.holders[0]).toMatchObject({ pid: holder.pid, command: holder.command, user: userInfo().username, addresses: ["127.0.0.1"] });
    expect(Math.abs(new Date(ownership.lookup.holders[0]?.startedAt ?? 0).getTime() - since)).toBeLessThan(1_000);
    expect(ownership.stacks).toEqual([]);
    expect(ownership.reservedBy).toBeUndefined();

    await holder.stop();
    const free = await runCli(["who", String(port)], { cwd: p.dir, env: p.env });
    expect(free.exitCode, free.all).toBe(1);
    expect(free.stdout).toBe(`port ${port}: nothing listens on it`);
    const freeJson = await runCli(["who", "--json", String(port)], { cwd: p.dir, env: p.env });
    expect(freeJson.exitCode).toBe(1);
    expect(JSON.parse(freeJson.stdout)).toMatchObject({ port, lookup: { holders: [], hidden: [] }, stacks: [] });

    await expectNothingLeft([holder.pid], [port]);
  });

  it("names the project and service of a port held by another portmate project's up -d, in text and --json", async () => {
    const range = randomRange();
    const shop = project(SHOP(range.text));
    expect((await runCli(["up", "-d"], { cwd: shop.dir, env: shop.env })).exitCode).toBe(0);
    const rows = await ps(shop.dir, shop.env);
    const api = rows.find((row) => row.service === "api");
    const port = api?.port as number;
    const apiPid = readRecords(shop.record).find((line) => line.name === "api" && line.event === "start")?.pid as number;
    expect(api?.pid).toBe(apiPid);
    const supervisor = (JSON.parse(readFileSync(join(shop.state, "stacks", "shop@1.json"), "utf8")) as { supervisor: { pid: number } }).supervisor.pid;

    // Asked from another project's folder: who looks at every stack of the machine, not only this folder's.
    const elsewhere = tempProject({ "portmate.yaml": TWO(randomRange().text) });
    const who = await runCli(["who", String(port)], { cwd: elsewhere, env: shop.env });
    expect(who.exitCode, who.all).toBe(0);
    const lines = who.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`port ${port}: pid ${apiPid} ${commandLine(apiPid)}`);
    expect(lines[0]).toMatch(/service\.mjs --name api /);
    expect(lines[1]).toMatch(new RegExp(`^ {2}${userInfo().username} · since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d · listening on `));
    expect(lines[2]).toBe("  portmate: api of project shop");
    expect(lines).toHaveLength(3);

    const json = await runCli(["who", "--json", String(port)], { cwd: elsewhere, env: shop.env });
    expect(json.exitCode, json.all).toBe(0);
    const ownership = JSON.parse(json.stdout) as {
      lookup: { holders: Array<{ pid: number }> };
      stacks: unknown[];
      reservedBy?: { project: string; pid: number };
    };
    expect(ownership.lookup.holders.map((holder) => holder.pid)).toEqual([apiPid]);
    expect(ownership.stacks).toEqual([{ project: "shop", instance: 1, service: "api", id: "api", alive: true }]);
    expect(ownership.reservedBy).toMatchObject({ project: "shop", pid: supervisor });

    // The named port too belongs to api.
    const metrics = await runCli(["who", "--json", String(api?.ports.metrics)], { cwd: elsewhere, env: shop.env });
    expect(JSON.parse(metrics.stdout).stacks).toEqual([{ project: "shop", instance: 1, service: "api", id: "api", alive: true }]);

    expect((await runCli(["down"], { cwd: shop.dir, env: shop.env })).exitCode).toBe(0);
    await expectNothingLeft(
      recordedPids(shop.record),
      rows.flatMap((row) => Object.values(row.ports)),
    );
  });
});

describe("sticky ports", () => {
  /** Starts `two` with the range's two lowest ports taken, then frees them: api and web had the next two. */
  async function firstRunAboveTakenPorts() {
    const range = randomRange();
    const p = project(TWO(range.text));
    const low = [await occupy(range.from, "127.0.0.1"), await occupy(range.from + 1, "127.0.0.1")];
    expect(low.every(Boolean), "the range's lowest ports were not free").toBe(true);
    const first = await runCli(["up", "-d"], { cwd: p.dir, env: p.env });
    expect(first.exitCode, first.all).toBe(0);
    const before = await portsByService(p.dir, p.env);
    expect(before).toEqual({ api: range.from + 2, web: range.from + 3 });
    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    for (const server of low) await new Promise<void>((resolve) => server?.close(() => resolve()));
    expect(await isListening(range.from)).toBe(false);
    expect(await isListening(range.from + 1)).toBe(false);
    return { range, p, before };
  }

  it("gives a project its last ports again on the next up -d, though lower ports of the range are free now", async () => {
    const { range, p, before } = await firstRunAboveTakenPorts();

    const again = await runCli(["up", "-d"], { cwd: p.dir, env: p.env });
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stderr).not.toMatch(/warning:|last port/);
    expect(await portsByService(p.dir, p.env)).toEqual(before);
    // One info line per service whose last port won over a lower free one, saying how to start afresh.
    for (const service of ["api", "web"] as const) {
      expect(again.stderr).toContain(`${service}: port ${before[service]} as last time; --fresh-ports starts from ${range.from}`);
    }
    expect((await runCli(["port", "web"], { cwd: p.dir, env: p.env })).stdout).toBe(String(range.from + 3));
    expect(startEnv(p.record, "api")).toMatchObject({ PORT: String(before.api) });

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), [...Object.values(before), range.from, range.from + 1]);
  });

  it("ignores the last ports with --fresh-ports, taking the lowest free ones", async () => {
    const { range, p, before } = await firstRunAboveTakenPorts();

    const fresh = await runCli(["up", "-d", "--fresh-ports"], { cwd: p.dir, env: p.env });
    expect(fresh.exitCode, fresh.all).toBe(0);
    expect(fresh.stderr).not.toMatch(/warning:|last port/);
    const ports = await portsByService(p.dir, p.env);
    expect(ports).toEqual({ api: range.from, web: range.from + 1 });

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), [...Object.values(before), ...Object.values(ports)]);
  });

  it("falls back without a warning, with one info line, when a last port is taken now", async () => {
    const range = randomRange();
    const p = project(TWO(range.text));
    const first = await runCli(["up", "-d"], { cwd: p.dir, env: p.env });
    expect(first.exitCode, first.all).toBe(0);
    expect(await portsByService(p.dir, p.env)).toEqual({ api: range.from, web: range.from + 1 });
    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);

    expect(await occupy(range.from, "127.0.0.1"), "api's last port could not be taken").toBeDefined();
    const again = await runCli(["up", "-d"], { cwd: p.dir, env: p.env });
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stderr).not.toMatch(/warning/);
    // Besides the usual last line, stderr has that one line, and no "warning:".
    const lines = again.stderr.split("\n").filter((line) => line && !line.startsWith("Running in the background"));
    expect(lines, again.stderr).toEqual([`api: its last port ${range.from} is taken now; using ${range.from + 2}`]);
    // web still had its last port.
    const ports = await portsByService(p.dir, p.env);
    expect(ports).toEqual({ api: range.from + 2, web: range.from + 1 });

    expect((await runCli(["down"], { cwd: p.dir, env: p.env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(p.record), Object.values(ports));
  });
});
