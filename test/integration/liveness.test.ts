import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { StackEvent } from "../../src/supervise/events.js";
import { expectNothingLeft, fixtureCommand, pidGone, randomRange, readRecords, recordedPids, startStack, waitUntil, yaml } from "../support/helpers.js";

type Exited = Extract<StackEvent, { type: "exited" }>;
type Unhealthy = Extract<StackEvent, { type: "unhealthy" }>;

const LIVENESS = "{interval: 100ms, timeout: 300ms, failures: 3}";

describe("liveness", () => {
  it("restarts a service that hangs without exiting, its whole tree, with the usual backoff", async () => {
    // `hang` makes it stop answering, though it keeps its port; it ignores SIGTERM as a wedged server would.
    const { stack, events, dir, record } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --hang-while hang --ignore-term --grandchild")}
          health: {http: /health, liveness: ${LIVENESS}}
          restart: {policy: on-failure, delay: 200ms}
          stop_timeout: 500ms
    `);
    const api = () => stack.services.api;
    const first = api()?.pid;
    const port = api()?.port ?? 0;
    // Its next run answers again: the hang ends as portmate gives up on this one.
    stack.on((event) => {
      if (event.type === "unhealthy") rmSync(join(dir, "hang"), { force: true });
    });
    writeFileSync(join(dir, "hang"), "");

    await waitUntil(() => api()?.status === "healthy" && api()?.pid !== first, "api to be restarted and healthy again", 15_000);
    const unhealthy = events.filter((event): event is Unhealthy => event.type === "unhealthy");
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]?.reason).toMatch(/^liveness check: GET \/health: no answer within 300ms, 3 times in a row; restarting it$/);
    const exits = events.filter((event): event is Exited => event.type === "exited");
    expect(exits).toHaveLength(1);
    // Stopped as a hung service must be: SIGTERM went unheeded, SIGKILL after its stop_timeout.
    expect(exits[0]).toMatchObject({ unresponsive: true, expected: false, requested: false, restartInMs: 200, status: { signal: "SIGKILL" } });
    expect(api()?.restarts).toBe(1);

    // The hung run's whole tree is gone, its grandchild too; the new run is another process.
    const firstRun = readRecords(record).filter((line) => line.pid === first);
    expect(firstRun.some((line) => line.event === "hung")).toBe(true);
    for (const line of firstRun) {
      expect(pidGone(line.pid)).toBe(true);
      if (line.child) expect(pidGone(line.child)).toBe(true);
    }
    expect(readRecords(record).filter((line) => line.event === "start")).toHaveLength(2);

    await stack.down();
    await expectNothingLeft(recordedPids(record), [port]);
  });

  it("without a restart policy leaves it running as unhealthy, and healthy again once it answers", async () => {
    const { stack, events, dir, record } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --hang-while hang")}
          health: {http: /health, liveness: ${LIVENESS}}
    `);
    const api = () => stack.services.api;
    const pid = api()?.pid ?? 0;
    const port = api()?.port ?? 0;
    writeFileSync(join(dir, "hang"), "");
    await waitUntil(() => api()?.status === "unhealthy", "api to be unhealthy");
    expect(events.filter((event) => event.type === "unhealthy")).toEqual([
      { type: "unhealthy", service: "api", reason: "liveness check: GET /health: no answer within 300ms, 3 times in a row" },
    ]);

    // Failing on, it is told once, and left alone: the same process, never stopped.
    await sleep(1000);
    expect(events.filter((event) => event.type === "unhealthy")).toHaveLength(1);
    expect(api()).toMatchObject({ status: "unhealthy", pid, restarts: 0 });
    expect(pidGone(pid)).toBe(false);
    expect(events.some((event) => event.type === "exited" || event.type === "stopping")).toBe(false);

    rmSync(join(dir, "hang"));
    await waitUntil(() => api()?.status === "healthy", "api to be healthy again");
    expect(events.filter((event) => event.type === "healthy").at(-1)).toMatchObject({ service: "api", pid, recovered: true });

    await stack.down();
    await expectNothingLeft(recordedPids(record), [port]);
  });

  it("is off unless asked: a ready service gets no more checks", async () => {
    const { stack, events, record } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --log-requests --hang-after 1")}
          health: {http: /health, interval: 50ms}
    `);
    expect(events.some((event) => event.type === "healthy")).toBe(true);
    await sleep(800);
    // The one request it answered was the readiness check; any later one would have found it hung.
    expect(events.filter((event) => event.type === "output" && event.line.startsWith("GET /health"))).toHaveLength(1);
    expect(readRecords(record).some((line) => line.event === "hung")).toBe(false);
    expect(stack.services.api?.status).toBe("healthy");
    await stack.down();
    await expectNothingLeft(recordedPids(record), []);
  });

  it("checks again and again once ready, and a stop ends the checks with the service", async () => {
    const { stack, events, record } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --log-requests")}
          health: {http: /health, liveness: {interval: 50ms}}
    `);
    const checks = () => events.filter((event) => event.type === "output" && event.line === "GET /health 200").length;
    await waitUntil(() => checks() >= 4, "a few liveness checks");
    await stack.down();
    const after = checks();
    await sleep(300);
    expect(checks()).toBe(after);
    expect(events.some((event) => event.type === "unhealthy")).toBe(false);
    await expectNothingLeft(recordedPids(record), []);
  });
});
