import { describe, expect, it } from "vitest";
import type { StackEvent } from "../../src/supervise/events.js";
import { fixtureCommand, pidGone, randomRange, readRecords, recordedPids, waitUntil, yaml, startStack } from "../support/helpers.js";

describe("restart policies", () => {
  it("restarts a crashed service with a doubling delay, then gives up, leaving the rest running", async () => {
    const { stack, events, record } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        steady:
          command: ${fixtureCommand("--name steady --record record.jsonl")}
        crashy:
          command: ${fixtureCommand("--name crashy --record record.jsonl --exit-after 300 --exit-code 1")}
          restart: {policy: on-failure, delay: 200ms, max_restarts: 3}
    `);
    const statuses: string[] = [];
    stack.on(() => statuses.push(stack.services.crashy?.status ?? "?"));
    await waitUntil(() => events.some((event) => event.type === "exited" && event.gaveUpAfter !== undefined), "crashy to be given up", 15_000);

    const exits = events.filter((event): event is Extract<StackEvent, { type: "exited" }> => event.type === "exited" && event.service === "crashy");
    expect(exits.map((event) => event.restartInMs ?? `gave up after ${event.gaveUpAfter}`)).toEqual([200, 400, 800, "gave up after 3"]);
    expect(statuses).toContain("restarting");

    // Each restart came at least its delay after the exit before it, seen from the service's own records.
    const runs = readRecords(record).filter((line) => line.name === "crashy");
    const startsAt = runs.filter((line) => line.event === "start").map((line) => line.t);
    const exitsAt = runs.filter((line) => line.event === "exit").map((line) => line.t);
    expect(startsAt).toHaveLength(4);
    for (const [index, delay] of [200, 400, 800].entries()) expect((startsAt[index + 1] ?? 0) - (exitsAt[index] ?? 0)).toBeGreaterThanOrEqual(delay);

    expect(stack.services.steady?.status).toBe("healthy");
    expect(stack.services.crashy?.status).toBe("exited");
    await stack.down();
    for (const pid of recordedPids(record)) expect(pidGone(pid)).toBe(true);
  });

  it("restarts after a clean exit only with `always`, and a stop cancels a pending restart", async () => {
    const { stack, events, record } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        job:
          command: ${fixtureCommand("--name job --record record.jsonl --no-listen --exit-after 200")}
          port: none
          restart: on-failure
        loop:
          command: ${fixtureCommand("--name loop --record record.jsonl --no-listen --exit-after 200")}
          port: none
          restart: {policy: always, delay: 5s}
    `);
    // Both exit after 200 ms, in either order: wait for both.
    await waitUntil(
      () => stack.services.loop?.status === "restarting" && events.some((event) => event.type === "exited" && event.service === "job"),
      "loop to wait for its restart, and job to exit",
    );
    const jobExit = events.find((event) => event.type === "exited" && event.service === "job");
    expect(jobExit).toMatchObject({ status: { code: 0 }, expected: true });
    expect(jobExit && "restartInMs" in jobExit ? jobExit.restartInMs : undefined).toBeUndefined();
    await stack.down();
    expect(stack.services.loop?.status).toBe("stopped");
    // The pending restart never happened.
    expect(readRecords(record).filter((line) => line.name === "loop" && line.event === "start")).toHaveLength(1);
  });
});
