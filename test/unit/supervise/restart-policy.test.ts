import { describe, expect, it } from "vitest";
import { RESTART_RESET_AFTER_MS, type RestartConfig } from "../../../src/config/types.js";
import { restartDecision, type EndedRun } from "../../../src/supervise/restart-policy.js";
import type { ExitReason } from "../../../src/supervise/service-state.js";

describe("the restart decision", () => {
  const policy = (overrides: Partial<RestartConfig>): RestartConfig => ({ policy: "always", maxRestarts: 3, delayMs: 1000, maxDelayMs: 5000, ...overrides });
  const run = (overrides: Partial<EndedRun>): EndedRun => ({ reason: "unexpected", status: { code: 1, signal: null }, restarts: 0, ranMs: 100, ...overrides });

  it.each<ExitReason>(["stopped", "replaced"])("never restarts a run portmate ended (%s), whatever the policy", (reason) => {
    for (const name of ["no", "on-failure", "always"] as const) {
      expect(restartDecision(policy({ policy: name }), run({ reason }))).toEqual({ restart: false });
      expect(restartDecision(policy({ policy: name }), run({ reason, status: { code: null, signal: "SIGKILL" } }))).toEqual({ restart: false });
    }
  });

  it.each<[RestartConfig["policy"], ExitReason, number | null, boolean]>([
    ["no", "unexpected", 1, false],
    ["no", "finished", 0, false],
    ["on-failure", "unexpected", 1, true],
    ["on-failure", "unexpected", null, true],
    ["on-failure", "unexpected", 0, false],
    ["on-failure", "finished", 0, false],
    ["always", "unexpected", 0, true],
    ["always", "finished", 0, true],
    ["always", "unexpected", 1, true],
    // Stopped for failing its liveness check: a failure, even when it exits with code 0 on the stop signal.
    ["no", "unresponsive", 0, false],
    ["on-failure", "unresponsive", 0, true],
    ["on-failure", "unresponsive", null, true],
    ["always", "unresponsive", 0, true],
  ])("with `%s`, a run that ended %s with code %s is restarted: %s", (name, reason, code, restarted) => {
    const status = { code, signal: code === null ? ("SIGSEGV" as const) : null };
    expect(restartDecision(policy({ policy: name }), run({ reason, status })).restart).toBe(restarted);
  });

  it("doubles the delay with each restart in a row, up to max_delay", () => {
    const delays = [0, 1, 2, 3].map((restarts) => restartDecision(policy({ maxRestarts: 10 }), run({ restarts })));
    expect(delays).toEqual([
      { restart: true, delayMs: 1000, restarts: 0 },
      { restart: true, delayMs: 2000, restarts: 1 },
      { restart: true, delayMs: 4000, restarts: 2 },
      { restart: true, delayMs: 5000, restarts: 3 },
    ]);
  });

  it("gives up after max_restarts in a row, saying after how many", () => {
    expect(restartDecision(policy({ maxRestarts: 3 }), run({ restarts: 3 }))).toEqual({ restart: false, gaveUpAfter: 3 });
    expect(restartDecision(policy({ maxRestarts: 0 }), run({ restarts: 0 }))).toEqual({ restart: false, gaveUpAfter: 0 });
  });

  it("starts the count and the delay again after a stable run, and not when the run's length is unknown", () => {
    expect(restartDecision(policy({}), run({ restarts: 3, ranMs: RESTART_RESET_AFTER_MS }))).toEqual({ restart: true, delayMs: 1000, restarts: 0 });
    expect(restartDecision(policy({}), run({ restarts: 2, ranMs: RESTART_RESET_AFTER_MS - 1 }))).toEqual({ restart: true, delayMs: 4000, restarts: 2 });
    expect(restartDecision(policy({}), run({ restarts: 3, ranMs: undefined }))).toEqual({ restart: false, gaveUpAfter: 3 });
  });
});
