import { describe, expect, it } from "vitest";
import type { RestartConfig } from "../../../src/config/types.js";
import { restartDecision } from "../../../src/supervise/restart-policy.js";
import { ServiceRunner } from "../../../src/supervise/service-runner.js";
import type { ExitStatus, Spawner } from "../../../src/supervise/spawn.js";
import { plannedService } from "../../support/services.js";

const NOW = 1_000_000;
const CRASHED: ExitStatus = { code: 1, signal: null };
const KILLED: ExitStatus = { code: null, signal: "SIGKILL" };
const CLEAN: ExitStatus = { code: 0, signal: null };

/** No process: a restart decision only reads the policy and the runner's counts. */
const noSpawn: Spawner = async () => {
  throw new Error("no process in this test");
};

/** A runner whose last run started `ranMs` before NOW, after `restarts` restarts in a row. */
function runner(restart: Partial<RestartConfig>, { restarts = 0, ranMs = 1000 } = {}): ServiceRunner {
  const service = plannedService({ restart: { policy: "on-failure", maxRestarts: 3, delayMs: 1000, maxDelayMs: 5000, ...restart } });
  const result = new ServiceRunner(service, noSpawn, () => {});
  result.restarts = restarts;
  result.startedAt = NOW - ranMs;
  return result;
}

describe("restart decisions", () => {
  it("never restarts with `no`, whatever the exit", () => {
    for (const status of [CRASHED, KILLED, CLEAN]) expect(restartDecision(runner({ policy: "no" }), status, NOW)).toEqual({ restart: false });
  });

  it("restarts with `on-failure` after a non-zero exit or a signal, not after a clean exit", () => {
    expect(restartDecision(runner({ policy: "on-failure" }), CRASHED, NOW)).toEqual({ restart: true, delayMs: 1000 });
    expect(restartDecision(runner({ policy: "on-failure" }), KILLED, NOW)).toEqual({ restart: true, delayMs: 1000 });
    expect(restartDecision(runner({ policy: "on-failure" }), CLEAN, NOW)).toEqual({ restart: false });
  });

  it("restarts with `always` after any exit, a clean one too", () => {
    for (const status of [CRASHED, KILLED, CLEAN]) expect(restartDecision(runner({ policy: "always" }), status, NOW)).toEqual({ restart: true, delayMs: 1000 });
  });

  it("doubles the delay with each restart in a row, up to max_delay", () => {
    const delays = [0, 1, 2, 3, 4].map((restarts) => restartDecision(runner({ maxRestarts: 10 }, { restarts }), CRASHED, NOW));
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000].map((delayMs) => ({ restart: true, delayMs })));
  });

  it("gives up after max_restarts in a row, saying after how many", () => {
    expect(restartDecision(runner({ maxRestarts: 3 }, { restarts: 2 }), CRASHED, NOW)).toEqual({ restart: true, delayMs: 4000 });
    expect(restartDecision(runner({ maxRestarts: 3 }, { restarts: 3 }), CRASHED, NOW)).toEqual({ restart: false, gaveUpAfter: 3 });
    expect(restartDecision(runner({ maxRestarts: 0 }), CRASHED, NOW)).toEqual({ restart: false, gaveUpAfter: 0 });
  });

  it("counts a run of 30 s or more as stable: the count and the delay start again", () => {
    const stable = runner({ maxRestarts: 3 }, { restarts: 3, ranMs: 30_000 });
    expect(restartDecision(stable, CRASHED, NOW)).toEqual({ restart: true, delayMs: 1000 });
    expect(stable.restarts).toBe(0);
    const short = runner({ maxRestarts: 3 }, { restarts: 3, ranMs: 29_999 });
    expect(restartDecision(short, CRASHED, NOW)).toEqual({ restart: false, gaveUpAfter: 3 });
    expect(short.restarts).toBe(3);
  });

  it("leaves the count alone when the exit is not restarted at all", () => {
    const clean = runner({ policy: "on-failure" }, { restarts: 2, ranMs: 60_000 });
    expect(restartDecision(clean, CLEAN, NOW)).toEqual({ restart: false });
    expect(clean.restarts).toBe(2);
  });
});
