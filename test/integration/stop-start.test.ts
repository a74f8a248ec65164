import { describe, expect, it } from "vitest";
import { fixtureCommand, isListening, pidGone, randomRange, readRecords, recordedPids, waitUntil, yaml, startStack } from "../support/helpers.js";

describe("stopping and starting one service with the library", () => {
  it("starts a service its restart policy gave up on, and a stop cancels a restart it was waiting for", { timeout: 30_000 }, async () => {
    const { stack, events, record } = await startStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        crashy:
          command: ${fixtureCommand("--name crashy --record record.jsonl --exit-after 300 --exit-code 1")}
          restart: {policy: on-failure, delay: 100ms, max_restarts: 1}
        waiting:
          command: ${fixtureCommand("--name waiting --record record.jsonl --exit-after 300 --exit-code 1")}
          restart: {policy: on-failure, delay: 10s}
    `);
    const port = stack.services.crashy?.port as number;
    await waitUntil(() => events.some((event) => event.type === "exited" && event.service === "crashy" && event.gaveUpAfter !== undefined), "crashy given up");
    await waitUntil(() => stack.services.waiting?.status === "restarting", "waiting to wait for its restart");

    const started = await stack.startServices(["crashy"]);
    expect(started).toEqual({ started: [{ service: "crashy", ports: { default: port } }], alreadyRunning: [] });
    expect(stack.services.crashy?.status).toBe("healthy");
    expect(await isListening(port)).toBe(true);

    const stopped = await stack.stopServices(["waiting"]);
    expect(stopped).toEqual({ stopped: ["waiting"], notRunning: [], leftRunning: [] });
    expect(stack.services.waiting?.status).toBe("stopped");
    const waitingStarts = () => readRecords(record).filter((line) => line.name === "waiting" && line.event === "start").length;
    expect(waitingStarts()).toBe(1);

    await stack.down();
    expect(stack.services.crashy?.status).toMatch(/^(stopped|exited)$/);
    for (const pid of recordedPids(record)) expect(pidGone(pid), `pid ${pid}`).toBe(true);
    expect(await isListening(port)).toBe(false);
  });
});
