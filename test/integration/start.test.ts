import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ServiceFailedError } from "../../src/errors.js";
import type { Stack } from "../../src/stack/stack.js";
import { up } from "../../src/stack/up.js";
import {
  expectNothingLeft,
  FIXTURE,
  fixtureCommand,
  onCleanup,
  pidGone,
  randomRange,
  readRecords,
  recordedPids,
  tempProject,
  yaml,
  type RecordLine,
  startStack,
} from "../support/helpers.js";

/** Expects `up` to fail; returns the error and the folder, for checking what was left behind. */
async function startFailing(text: string) {
  const dir = tempProject({ "portmate.yaml": text });
  const error = await up({ cwd: dir }).then(
    async (stack) => {
      await stack.down();
      throw new Error("the stack started, but it should have failed");
    },
    (reason: unknown) => reason,
  );
  return { error: error as ServiceFailedError, dir, record: join(dir, "record.jsonl") };
}

/** After down(): every recorded process is gone and no port of the stack is still listening. */
async function expectAllGone(stack: Stack, record: string) {
  await stack.down();
  await expectNothingLeft(
    recordedPids(record),
    stack.list().flatMap((service) => Object.values(service.ports)),
  );
}

function first(records: RecordLine[], name: string, event: string): RecordLine {
  const found = records.find((line) => line.name === name && line.event === event);
  if (!found) throw new Error(`no "${event}" record for ${name}; records: ${JSON.stringify(records)}`);
  return found;
}

describe("starting a stack", () => {
  it("starts dependents only once what they depend on is healthy, and independent services in parallel", async () => {
    const range = randomRange();
    const { stack, record } = await startStack(yaml`
      ports: {range: ${range.text}}
      services:
        backend:
          command: ${fixtureCommand("--name backend --record record.jsonl --listen-delay 1000")}
          health: {http: /}
        worker:
          command: ${fixtureCommand("--name worker --record record.jsonl --listen-delay 1000")}
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl")}
          depends_on: [backend]
        admin:
          command: ${fixtureCommand("--name admin --record record.jsonl")}
          depends_on: {backend: healthy, worker: healthy}
    `);
    const records = readRecords(record);
    const listening = (name: string) => first(records, name, "listening").t;
    const started = (name: string) => first(records, name, "start").t;
    // Health gating, seen from the services' own clocks.
    expect(started("ui")).toBeGreaterThanOrEqual(listening("backend"));
    expect(started("admin")).toBeGreaterThanOrEqual(Math.max(listening("backend"), listening("worker")));
    // backend and worker need nothing: each started before the other was listening (a second later, time enough on a busy machine).
    expect(started("worker")).toBeLessThan(listening("backend"));
    expect(started("backend")).toBeLessThan(listening("worker"));
    expect(stack.list().map((service) => service.status)).toEqual(["healthy", "healthy", "healthy", "healthy"]);
    await expectAllGone(stack, record);
  });

  it("becomes ready by each kind of health check", async () => {
    const range = randomRange();
    const { stack, record, events } = await startStack(yaml`
      ports: {range: ${range.text}}
      services:
        by-http:
          command: ${fixtureCommand("--name by-http --record record.jsonl --listen-delay 300")}
          health: {http: {path: /ready, status: 200}}
        by-tcp:
          command: ${fixtureCommand("--name by-tcp --record record.jsonl --listen-delay 300")}
          health: {tcp: true}
        by-command:
          command: ${fixtureCommand("--name by-command --record record.jsonl --listen-delay 300")}
          health:
            command: node -e "fetch('http://127.0.0.1:' + process.env.PORT).then(() => process.exit(0), () => process.exit(1))"
        by-log:
          command: ${fixtureCommand("--name by-log --record record.jsonl --no-listen --say-after 300 --say 'warming up' --say 'server is READY now'")}
          port: none
          health: {log: "READY"}
    `);
    const records = readRecords(record);
    const healthyAt = (id: string) => {
      const event = events.find((item) => item.type === "healthy" && item.service === id);
      if (!event) throw new Error(`${id} never became healthy`);
      return events.indexOf(event);
    };
    for (const name of ["by-http", "by-tcp", "by-command"]) {
      expect(first(records, name, "listening")).toBeDefined();
      expect(healthyAt(name)).toBeGreaterThan(0);
    }
    const logLine = events.findIndex((event) => event.type === "output" && event.service === "by-log" && event.line === "server is READY now");
    expect(logLine).toBeGreaterThanOrEqual(0);
    expect(healthyAt("by-log")).toBeGreaterThan(logLine);
    await expectAllGone(stack, record);
  });

  it("fails when a service misses its health deadline, showing its last lines and leaving nothing running", async () => {
    const range = randomRange();
    const { error, record } = await startFailing(yaml`
      ports: {range: ${range.text}}
      services:
        db:
          command: ${fixtureCommand("--name db --record record.jsonl --grandchild")}
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --http-status 503 --log-requests --say 'connecting to the database' --say 'migrations pending'")}
          depends_on: [db]
          health:
            http: /health
            timeout: 3s
            interval: 100ms
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl")}
          depends_on: [api]
    `);
    expect(error).toBeInstanceOf(ServiceFailedError);
    expect(error.exitCode).toBe(1);
    expect(error.service).toBe("api");
    // The check's history in one line; its probes, which the service logged, are not its last lines.
    const history = /^api was not healthy after 3\.0s \(last check: GET http:\/\/127\.0\.0\.1:\d+\/health → 503, (\d+) times over (2\.\d|3\.0)s\)$/.exec(
      error.message,
    );
    expect(history, error.message).not.toBeNull();
    // Once it answers, it is checked every `interval` (100ms), not every 10ms: about 30 times in 3 s.
    expect(Number(history?.[1])).toBeGreaterThan(10);
    expect(Number(history?.[1])).toBeLessThan(40);
    expect(error.lastLines).toEqual(["connecting to the database", "migrations pending"]);
    const records = readRecords(record);
    expect(records.some((line) => line.name === "ui")).toBe(false);
    for (const pid of recordedPids(record)) expect(pidGone(pid), `pid ${pid} is still running`).toBe(true);
  });

  it("fails when a service exits before it is healthy", async () => {
    const { error, record } = await startFailing(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --no-listen --say 'config file missing' --exit-after 100 --exit-code 3")}
    `);
    expect(error.message).toBe("api exited with code 3 before it was healthy");
    expect(error.lastLines).toEqual(["config file missing"]);
    for (const pid of recordedPids(record)) expect(pidGone(pid)).toBe(true);
  });

  it("waits for a one-off task to complete, and fails when it does not succeed", async () => {
    const range = randomRange();
    const ok = await startStack(yaml`
      ports: {range: ${range.text}}
      services:
        migrate:
          command: ${fixtureCommand("--name migrate --record record.jsonl --no-listen --exit-after 300")}
        app:
          command: ${fixtureCommand("--name app --record record.jsonl")}
          depends_on: {migrate: completed}
    `);
    const records = readRecords(ok.record);
    expect(first(records, "app", "start").t).toBeGreaterThanOrEqual(first(records, "migrate", "exit").t);
    await expectAllGone(ok.stack, ok.record);

    const failed = await startFailing(yaml`
      ports: {range: ${range.text}}
      services:
        migrate:
          command: ${fixtureCommand("--name migrate --record record.jsonl --no-listen --exit-after 100 --exit-code 1 --say 'duplicate column'")}
          port: none
        app:
          command: ${fixtureCommand("--name app --record record.jsonl")}
          depends_on: {migrate: completed}
    `);
    expect(failed.error.message).toBe("migrate exited with code 1 while the stack was starting");
    expect(failed.error.lastLines).toEqual(["duplicate column"]);
    expect(readRecords(failed.record).some((line) => line.name === "app")).toBe(false);
  });

  it("shows the very last lines of a service that prints a lot and then crashes", async () => {
    const { error } = await startFailing(yaml`
      ports: {range: ${randomRange().text}}
      services:
        loud:
          # writeSync: process.exit must not cut the output on the writer's side, only portmate's reading is tested
          command: [node, -e, "const fs = require('fs'), nl = String.fromCharCode(10); for (let i = 0; i < 20000; i++) fs.writeSync(1, 'line ' + i + nl); fs.writeSync(1, 'FATAL: the real cause' + nl); process.exit(3)"]
          port: none
          health: {log: "never printed"}
    `);
    expect(error.message).toBe("loud exited with code 3 before it was healthy");
    expect(error.lastLines.at(-1)).toBe("FATAL: the real cause");
    expect(error.lastLines.at(-2)).toBe("line 19999");
  });

  it("gives a slow health command the whole deadline", async () => {
    const { stack } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--no-listen")}
          port: none
          health:
            command: node -e "setTimeout(() => process.exit(0), 2500)"
            timeout: 20s
    `);
    expect(stack.services.api?.status).toBe("healthy");
  });

  it("starts a large stack without Node warnings about listeners", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    onCleanup(() => void process.off("warning", onWarning));
    const services = Array.from({ length: 4 }, (_, index) => `s${index}:\n  command: ${fixtureCommand("--record record.jsonl")}\n  depends_on: [base]`);
    const { stack, record } = await startStack(
      `ports: {range: ${randomRange().text}}\nservices:\n  base:\n    command: ${fixtureCommand("--record record.jsonl")}\n${services.map((text) => text.replace(/^/gm, "  ")).join("\n")}\n`,
      { instances: 3 },
    );
    expect(stack.list()).toHaveLength(15);
    await expectAllGone(stack, record);
    expect(warnings).toEqual([]);
  });

  it("drops a bare ${VAR} of a command string that is empty, as a shell does, and keeps a quoted one", async () => {
    const text = yaml`
      services:
        api:
          command: node ${FIXTURE} --name api --record record.jsonl \${FLAGS}
          health: {http: /}
        quoted:
          command: 'node -e "if (process.argv.length !== 2 || process.argv[1]) process.exit(1); setInterval(() => {}, 1000)" "\${QUOTED}"'
          port: none
          health: {command: "true"}
    `;
    const unset = await startStack(text, { env: { PATH: process.env.PATH ?? "" } });
    // The fixture refuses an empty argument: it started, so there was none; the quoted one was kept, empty.
    expect(unset.stack.plan.services.find((service) => service.name === "api")?.command).toMatchObject({
      args: [FIXTURE, "--name", "api", "--record", "record.jsonl"],
    });
    expect(unset.stack.plan.services.find((service) => service.name === "quoted")?.command).toMatchObject({ args: ["-e", expect.any(String), ""] });
    await unset.stack.down();
    const set = await startStack(text, { env: { PATH: process.env.PATH ?? "", FLAGS: "--log-requests" } });
    expect(set.stack.plan.services.find((service) => service.name === "api")?.command).toMatchObject({ args: expect.arrayContaining(["--log-requests"]) });
    await set.stack.down();
    await expectNothingLeft([...recordedPids(unset.record), ...recordedPids(set.record)], []);
  });

  it("runs instances side by side, each on its own ports, with ${instance} filled in", async () => {
    const range = randomRange();
    const { stack, record } = await startStack(
      yaml`
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend-${instance} --record record.jsonl")}
            health: {http: /}
          ui:
            command: ${fixtureCommand("--name ui-${instance} --record record.jsonl")}
            depends_on: [backend]
            env:
              API_URL: \${services.backend.url}
      `,
      { instances: 3 },
    );
    const services = stack.list();
    expect(services.map((service) => service.id)).toEqual(["backend", "ui", "backend#2", "ui#2", "backend#3", "ui#3"]);
    const ports = services.map((service) => service.port);
    expect(new Set(ports).size).toBe(6);
    const records = readRecords(record);
    for (const instance of [1, 2, 3]) {
      const backend = stack.instances[instance - 1]?.services.backend;
      const ui = first(records, `ui-${instance}`, "start");
      expect(ui.env?.API_URL).toBe(backend?.url);
      expect(ui.env?.PORTMATE_INSTANCE).toBe(String(instance));
      expect(first(records, `backend-${instance}`, "listening").port).toBe(backend?.port);
    }
    expect(stack.services.backend?.port).toBe(services[0]?.port);
    await expectAllGone(stack, record);
  });
});
