import { describe, expect, it } from "vitest";
import type { PlannedService } from "../../../src/plan/types.js";
import { ServiceRunner } from "../../../src/supervise/service-runner.js";
import type { Spawner } from "../../../src/supervise/spawn.js";

const service: PlannedService = {
  id: "api",
  name: "api",
  instance: 1,
  command: { shell: false, file: "node", args: ["server.js"] },
  cwd: "/",
  env: {},
  ports: {},
  announce: false,
  dependsOn: [],
  waitsForAnnounced: [],
  health: { kind: "none", intervalMs: 500, timeoutMs: 30_000 },
  restart: { policy: "no", maxRestarts: 10, delayMs: 1000, maxDelayMs: 30_000 },
  stopSignal: "SIGTERM",
  stopTimeoutMs: 10_000,
};

/** A spawner that only counts: these tests are about what the runner does before any process exists. */
function countingSpawner() {
  const calls: string[] = [];
  const spawn: Spawner = async (planned) => {
    calls.push(planned.id);
    throw new Error("no process in this test");
  };
  return { calls, spawn };
}

describe("a service runner", () => {
  it("never spawns once it has been stopped, so nothing outlives a finished stop", async () => {
    const { calls, spawn } = countingSpawner();
    const runner = new ServiceRunner(service, spawn, () => {});
    expect(await runner.stop(new AbortController().signal)).toBeUndefined();
    await expect(runner.start(new AbortController().signal, { onExit: () => {} })).rejects.toThrow(/stopped before it started/);
    expect(calls).toEqual([]);
  });

  it("never spawns when the stack's start was already aborted", async () => {
    const { calls, spawn } = countingSpawner();
    const runner = new ServiceRunner(service, spawn, () => {});
    const abort = new AbortController();
    abort.abort(new Error("another service failed"));
    await expect(runner.start(abort.signal, { onExit: () => {} })).rejects.toThrow("another service failed");
    expect(calls).toEqual([]);
  });
});
