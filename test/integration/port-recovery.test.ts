import { createServer as createHttpServer } from "node:http";
import { createServer, type Socket } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ServiceFailedError } from "../../src/errors.js";
import type { PlannedService } from "../../src/plan/types.js";
import type { StackEvent } from "../../src/supervise/events.js";
import { spawnService, type Spawner } from "../../src/supervise/spawn.js";
import { prepareStack, up } from "../../src/stack/up.js";
import {
  expectNothingLeft,
  fixtureCommand,
  isListening,
  onCleanup,
  pidGone,
  ROOT,
  waitUntil,
  randomRange,
  readRecords,
  recordedPids,
  runCli,
  tempProject,
  yaml,
  type RecordLine,
  startStack,
} from "../support/helpers.js";

function starts(record: string, name: string): RecordLine[] {
  return readRecords(record).filter((line) => line.name === name && line.event === "start");
}

function listening(record: string, name: string): RecordLine[] {
  return readRecords(record).filter((line) => line.name === name && line.event === "listening");
}

/**
 * Takes `port` in the test process: with `answers`, an HTTP server that answers 200 to everything (a thief a
 * health check takes for the service); otherwise a listener that hangs up on every connection. Closed after
 * the test, with the connections it has.
 */
async function steal(port: number, answers = false): Promise<void> {
  const sockets = new Set<Socket>();
  const server = answers ? createHttpServer((_request, response) => response.end("not the service")) : createServer((socket) => socket.destroy());
  server.on("connection", (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host: "::" }, () => resolve());
  });
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

/**
 * A spawner that, before `name` is spawned (the first `times` times), has the test process take the port it is
 * about to bind: a port stolen between allocation and start, with no race.
 */
function stealingSpawner(name: string, options: { times?: number; answers?: boolean } = {}): { spawn: Spawner; stolen: number[] } {
  const stolen: number[] = [];
  const spawn: Spawner = async (service: PlannedService, onLine) => {
    if (service.name === name && stolen.length < (options.times ?? 1) && service.port !== undefined) {
      await steal(service.port, options.answers);
      stolen.push(service.port);
    }
    return spawnService(service, onLine);
  };
  return { spawn, stolen };
}

describe("a port stolen between allocation and start", () => {
  it("is found before the service is spawned, and the service starts on a new port", async () => {
    const range = randomRange();
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend --record record.jsonl")}
            url: http
          ui:
            command: ${fixtureCommand("--name ui --record record.jsonl")}
            depends_on: [backend]
            env: {API_URL: "\${services.backend.url}"}
      `,
    });
    const events: StackEvent[] = [];
    const stack = await prepareStack({ cwd: dir, onEvent: (event) => events.push(event) });
    onCleanup(() => stack.down());
    const allocated = stack.services.backend?.port ?? 0;
    await steal(allocated);
    await stack.start();
    const port = stack.services.backend?.port;
    expect(port).not.toBe(allocated);
    // Moved before it was spawned: one run only, on the new port.
    expect(events.filter((event) => event.type === "spawned" && event.service === "backend")).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ type: "port", service: "backend", reason: "stolen", previous: allocated, port }));
    const moved = events.find((event) => event.type === "port");
    expect(moved && "holder" in moved ? moved.holder : "").toContain(`pid ${process.pid}`);
    const record = join(dir, "record.jsonl");
    expect(starts(record, "ui").map((line) => line.env?.API_URL)).toEqual([`http://127.0.0.1:${port}`]);
    await stack.down();
    await expectNothingLeft(recordedPids(record), [port ?? 0, stack.services.ui?.port ?? 0]);
  });

  it("moves a service whose port a process that answers its health check took as it was spawned", async () => {
    const range = randomRange();
    const { spawn, stolen } = stealingSpawner("backend", { answers: true });
    // The thief answers backend's check at once, so backend looks healthy, and ui starts, until backend exits
    // on the port it could not bind: while the stack is still starting (ui takes a second), which is what
    // this is about.
    const { stack, events, record } = await startStack(
      yaml`
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend --record record.jsonl")}
            health: {http: /}
          ui:
            command: ${fixtureCommand("--name ui --record record.jsonl --listen-delay 1000")}
            depends_on: [backend]
            env: {API_URL: "\${services.backend.url}"}
      `,
      { spawn },
    );
    const backend = stack.services.backend;
    expect(stolen).toHaveLength(1);
    expect(backend?.port).not.toBe(stolen[0]);
    expect(backend?.status).toBe("healthy");
    // The first run could not bind; the second listens on the new port.
    const spawned = events.flatMap((event) => (event.type === "spawned" && event.service === "backend" ? [event.pid] : []));
    expect(spawned).toHaveLength(2);
    expect(listening(record, "backend").map((line) => line.port)).toEqual([backend?.port]);
    // ui had started with the old port: it is restarted once up, pointing at the new one.
    expect(starts(record, "ui").map((line) => line.env?.API_URL)).toEqual([`http://127.0.0.1:${stolen[0]}`, `http://127.0.0.1:${backend?.port}`]);
    const moved = events.find((event) => event.type === "port");
    expect(moved).toMatchObject({ type: "port", service: "backend", reason: "stolen", previous: stolen[0], port: backend?.port });
    // Who took it is named: the test process.
    expect(moved && "holder" in moved ? moved.holder : "").toContain(`pid ${process.pid}`);

    await stack.down();
    await expectNothingLeft([...spawned, ...recordedPids(record)], [backend?.port ?? 0, stack.services.ui?.port ?? 0]);
  });

  it("restarts a service already running that refers to the old port, so it points at the new one", async () => {
    const range = randomRange();
    const { spawn, stolen } = stealingSpawner("backend");
    // ui refers to backend but starts first (backend waits for it): it is up, with the old URL, when backend
    // finds its port taken.
    const { stack, events, record } = await startStack(
      yaml`
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend --record record.jsonl")}
            depends_on: [ui]
            health: {http: /}
          ui:
            command: ${fixtureCommand("--name ui --record record.jsonl")}
            env: {API_URL: "\${services.backend.url}"}
      `,
      { spawn },
    );
    const port = stack.services.backend?.port;
    expect(port).not.toBe(stolen[0]);
    const uiRuns = starts(record, "ui");
    expect(uiRuns.map((line) => line.env?.API_URL)).toEqual([`http://127.0.0.1:${stolen[0]}`, `http://127.0.0.1:${port}`]);
    expect(events).toContainEqual(expect.objectContaining({ type: "port", service: "backend", reason: "stolen", restarting: ["ui"] }));
    expect(stack.services.ui?.pid).toBe(uiRuns[1]?.pid);
    expect(stack.services.ui?.status).toBe("healthy");

    await stack.down();
    await expectNothingLeft(recordedPids(record), [port ?? 0, stack.services.ui?.port ?? 0]);
  });

  it("gives up with a clear failure when its port is taken at every attempt, leaving nothing running", async () => {
    const range = randomRange();
    const { spawn, stolen } = stealingSpawner("backend", { times: 10 });
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend --record record.jsonl")}
            health: {http: /}
      `,
    });
    const events: StackEvent[] = [];
    const error = await up({ cwd: dir, spawn, onEvent: (event) => events.push(event) }).then(
      () => {
        throw new Error("the stack started, but every port it got was taken");
      },
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ServiceFailedError);
    expect((error as ServiceFailedError).message).toMatch(/^backend could not keep a port: another process took its port as it started, 4 times in a row/);
    // Four runs, each on a different port, each taken.
    expect(new Set(stolen).size).toBe(4);
    const spawned = events.flatMap((event) => (event.type === "spawned" ? [event.pid] : []));
    expect(spawned).toHaveLength(4);
    await expectNothingLeft(spawned, []);
  });
});

describe("a port held for the service by a process outside its tree", () => {
  it("is not taken for a stolen one when that process started after the service (a port proxy, a daemon)", async () => {
    const range = randomRange();
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${range.text}}
        services:
          proxied:
            command: node ${JSON.stringify(join(ROOT, "test", "fixtures", "daemonizing.mjs"))} daemon.pid
      `,
    });
    const pidFile = join(dir, "daemon.pid");
    // portmate cannot see a process that left its tree (a documented limit): the test stops it.
    onCleanup(() => {
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
    });
    const events: StackEvent[] = [];
    const stack = await up({ cwd: dir, onEvent: (event) => events.push(event) });
    onCleanup(() => stack.down());
    const port = stack.services.proxied?.port ?? 0;
    expect(port).toBe(range.from);
    expect(events.filter((event) => event.type === "port")).toEqual([]);
    expect(events.filter((event) => event.type === "spawned")).toHaveLength(1);
    await stack.down();
    const daemon = Number(readFileSync(pidFile, "utf8"));
    process.kill(daemon, "SIGKILL");
    // A killed process shows as a zombie a moment before the kernel has closed its sockets.
    await waitUntil(async () => pidGone(daemon) && !(await isListening(port)), "the daemon is gone");
    await expectNothingLeft([stack.services.proxied?.pid ?? 0, daemon], [port]);
  });
});

/** What servers print when their port is taken, as each says it (`{port}`: the port). */
const WORDINGS: Array<[string, string]> = [
  ["uvicorn", "ERROR:    [Errno 98] Address already in use"],
  ["Streamlit", "Port {port} is not available"],
  ["Vite", "error when starting dev server:\nError: Port {port} is already in use"],
  [
    "Gradio",
    "OSError: Cannot find empty port in range: {port}-{port}. You can specify a different port by setting the GRADIO_SERVER_PORT environment variable",
  ],
  [
    "Flask/Werkzeug",
    "Address already in use\nPort {port} is in use by another program. Either identify and stop that program, or start the server with a different port.",
  ],
  ["Django", "Error: That port is already in use."],
  ["Rails/Puma", 'Address already in use - bind(2) for "127.0.0.1" port {port} (Errno::EADDRINUSE)'],
  ["Next.js", "Error: listen EADDRINUSE: address already in use :::{port}"],
  ["Express", "Error: listen EADDRINUSE: address already in use 127.0.0.1:{port}"],
];

/**
 * Takes `port` with a process younger than the service: an orphan (a child of init, as a daemon the service
 * left would be) when `orphan`, so that only the service's words can tell it was taken; else a child of the
 * test. Resolves with its pid once it listens; killed after the test.
 */
async function youngThief(port: number, orphan: boolean): Promise<number> {
  const listen = `require("net").createServer().listen(${port}, "127.0.0.1")`;
  const pid = orphan
    ? Number((await execa("sh", ["-c", `node -e '${listen}' >/dev/null 2>&1 & echo $!`])).stdout)
    : (execa("node", ["-e", listen], { reject: false }).pid as number);
  onCleanup(() => {
    if (!pidGone(pid)) process.kill(pid, "SIGKILL");
  });
  await waitUntil(() => isListening(port), "the thief listens");
  return pid;
}

describe("a port taken after the service started", () => {
  it.each(WORDINGS)("is moved when %s says its port is taken", async (_server, wording) => {
    await movedFrom(wording, true);
  });

  it("is moved, whatever the service said, when a process outside its tree that it did not leave behind has it", async () => {
    await movedFrom("fatal: could not start the server", false);
  });
});

/**
 * Right after the service is spawned (and before it binds, half a second later), a process younger than the
 * service takes its port; the service then says `wording` and exits. Checks it was moved, with nothing left.
 */
async function movedFrom(wording: string, orphanThief: boolean): Promise<void> {
  const range = randomRange();
  const thieves: number[] = [];
  const spawn: Spawner = async (service, onLine) => {
    const spawned = await spawnService(service, onLine);
    if (thieves.length === 0 && service.port !== undefined) thieves.push(await youngThief(service.port, orphanThief), service.port);
    return spawned;
  };
  const { stack, events } = await startStack(
    yaml`
        ports: {range: ${range.text}}
        services:
          web:
            command: [node, ${JSON.stringify(join(ROOT, "test", "fixtures", "busy-port.mjs"))}, ${JSON.stringify(wording)}]
            health: {http: /}
      `,
    { spawn },
  );
  const [thief, taken] = thieves;
  const web = stack.services.web;
  expect(web?.status).toBe("healthy");
  expect(web?.port).not.toBe(taken);
  expect(events.find((event) => event.type === "port")).toMatchObject({ service: "web", reason: "stolen", previous: taken, port: web?.port });
  const pids = events.flatMap((event) => (event.type === "spawned" ? [event.pid] : []));
  expect(pids).toHaveLength(2);
  await stack.down();
  await expectNothingLeft(pids, [web?.port ?? 0]);
  expect(pidGone(thief ?? 0)).toBe(false); // the thief is not portmate's to stop
}

describe("a service that announces its port", () => {
  it("is adopted on the port it printed, before the services that depend on or refer to it start", async () => {
    const range = randomRange();
    const { stack, events, record } = await startStack(yaml`
      ports: {range: ${range.text}}
      services:
        backend:
          command: ${fixtureCommand("--name backend --record record.jsonl --announce --listen-delay 300")}
          announce: true
          health: {http: /}
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl")}
          env: {API_URL: "\${services.backend.url}"}
        admin:
          command: ${fixtureCommand("--name admin --record record.jsonl")}
          depends_on: [backend]
    `);
    const [announced] = listening(record, "backend");
    const port = announced?.port;
    expect(port).toBeGreaterThan(0);
    expect(stack.services.backend).toMatchObject({ port, url: `http://127.0.0.1:${port}`, status: "healthy" });
    expect(events).toContainEqual(expect.objectContaining({ type: "port", service: "backend", reason: "announced", port }));
    // ui refers to backend without depending on it: it waited for the announcement all the same.
    const [ui] = starts(record, "ui");
    expect(ui?.env?.API_URL).toBe(`http://127.0.0.1:${port}`);
    expect(ui?.t).toBeGreaterThanOrEqual(announced?.t ?? Infinity);
    expect(starts(record, "admin")[0]?.env).toMatchObject({ BACKEND_PORT: String(port), BACKEND_URL: `http://127.0.0.1:${port}` });

    await stack.down();
    await expectNothingLeft(recordedPids(record), [port ?? 0]);
  });

  it("does not restart a service that started before the announcement without needing it", async () => {
    const range = randomRange();
    const { stack, events, record } = await startStack(yaml`
      ports: {range: ${range.text}}
      services:
        backend:
          command: ${fixtureCommand("--name backend --record record.jsonl --announce --listen-delay 500")}
          announce: true
        worker:
          command: ${fixtureCommand("--name worker --record record.jsonl")}
    `);
    // worker was up before backend announced: it lacks BACKEND_PORT, and that alone is no reason to restart it.
    const [worker] = starts(record, "worker");
    expect(worker?.env?.BACKEND_PORT).toBeUndefined();
    expect(starts(record, "worker")).toHaveLength(1);
    expect(events.filter((event) => event.type === "spawned" && event.service === "worker")).toHaveLength(1);
    expect(stack.services.worker?.pid).toBe(worker?.pid);
    await stack.down();
    await expectNothingLeft(recordedPids(record), [stack.services.backend?.port ?? 0, stack.services.worker?.port ?? 0]);
  });

  it("gives its announced URL to what refers to it", async () => {
    const range = randomRange();
    const { stack, record } = await startStack(yaml`
      ports: {range: ${range.text}}
      services:
        backend:
          command: ${fixtureCommand("--name backend --record record.jsonl --announce --announce-url /app")}
          announce: true
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl")}
          depends_on: [backend]
          env: {API_URL: "\${services.backend.url}"}
    `);
    const port = listening(record, "backend")[0]?.port;
    expect(stack.services.backend?.url).toBe(`http://localhost:${port}/app`);
    expect(starts(record, "ui")[0]?.env?.API_URL).toBe(`http://localhost:${port}/app`);
    await stack.down();
    await expectNothingLeft(recordedPids(record), [port ?? 0]);
  });

  it("fails clearly when no announcement comes before the health deadline, and starts nothing after it", async () => {
    const range = randomRange();
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend --record record.jsonl --no-listen --say hello")}
            announce: true
            health: {timeout: 1s}
          ui:
            command: ${fixtureCommand("--name ui --record record.jsonl")}
            depends_on: [backend]
      `,
    });
    const result = await runCli(["up"], { cwd: dir, env: { PORTMATE_STATE_DIR: join(dir, "state") } });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe(
      'backend did not announce its port within 1.0s: it must print a line such as {"type":"port_info","port":8009} on stdout',
    );
    expect(result.stderr).toContain("  hello");
    const record = join(dir, "record.jsonl");
    expect(starts(record, "ui")).toEqual([]);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("shows its announced port in `ps`, `port` and `env` of a detached stack", async () => {
    const range = randomRange();
    const dir = tempProject({
      "portmate.yaml": yaml`
        name: announcer
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend --record record.jsonl --announce")}
            announce: true
      `,
    });
    const env = { PORTMATE_STATE_DIR: join(dir, "state") };
    onCleanup(async () => void (await runCli(["down"], { cwd: dir, env })));
    const upResult = await runCli(["up", "-d"], { cwd: dir, env });
    expect(upResult.exitCode, upResult.all).toBe(0);
    const port = listening(join(dir, "record.jsonl"), "backend")[0]?.port;
    const ps = JSON.parse((await runCli(["ps", "--json"], { cwd: dir, env })).stdout) as Array<{ port: number; status: string }>;
    expect(ps).toMatchObject([{ port, status: "healthy" }]);
    expect((await runCli(["port", "backend"], { cwd: dir, env })).stdout).toBe(String(port));
    expect((await runCli(["env"], { cwd: dir, env })).stdout).toContain(`export BACKEND_PORT=${port}\n`);
    expect(await isListening(port ?? 0)).toBe(true);

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(join(dir, "record.jsonl")), [port ?? 0]);
  });
});
