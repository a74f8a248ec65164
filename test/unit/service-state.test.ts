import { describe, expect, it } from "vitest";
import { RESTART_RESET_AFTER_MS, type RestartConfig } from "../../src/config/types.js";
import { restartDecision, type EndedRun } from "../../src/supervise/restart.js";
import {
  TRANSITIONS,
  canChange,
  checkTransition,
  isRequested,
  isUp,
  ownExitReason,
  type ExitReason,
  type ServiceStatus,
} from "../../src/supervise/service-state.js";

const STATUSES = Object.keys(TRANSITIONS) as ServiceStatus[];

/** The changes a service's life is made of, written out apart from the table so that a change to it shows here. */
const LEGAL: Array<[ServiceStatus, ServiceStatus]> = [
  ["pending", "starting"],
  ["pending", "skipped"],
  ["pending", "failed"],
  ["starting", "healthy"],
  ["starting", "unhealthy"],
  ["starting", "exited"],
  ["starting", "stopping"],
  ["starting", "failed"],
  ["healthy", "unhealthy"],
  ["healthy", "exited"],
  ["healthy", "stopping"],
  ["healthy", "failed"],
  ["unhealthy", "exited"],
  ["unhealthy", "stopping"],
  ["unhealthy", "failed"],
  ["exited", "starting"],
  ["exited", "restarting"],
  ["exited", "failed"],
  ["restarting", "starting"],
  ["restarting", "stopping"],
  ["failed", "starting"],
  ["failed", "stopping"],
  ["stopping", "stopped"],
  ["stopping", "failed"],
  ["stopped", "failed"],
];

const legal = new Set(LEGAL.map(([from, to]) => `${from} → ${to}`));
const ALL_PAIRS = STATUSES.flatMap((from) => STATUSES.map((to): [ServiceStatus, ServiceStatus] => [from, to]));
const ILLEGAL = ALL_PAIRS.filter(([from, to]) => !legal.has(`${from} → ${to}`));

describe("the transitions of a service's status", () => {
  it("has a row for every status", () => {
    expect([...STATUSES].sort()).toEqual(["exited", "failed", "healthy", "pending", "restarting", "skipped", "starting", "stopped", "stopping", "unhealthy"]);
  });

  it.each(LEGAL)("allows %s → %s", (from, to) => {
    expect(canChange(from, to)).toBe(true);
    expect(() => checkTransition("api", from, to)).not.toThrow();
  });

  it.each(ILLEGAL)("rejects %s → %s as a bug, naming the service and both statuses", (from, to) => {
    expect(canChange(from, to)).toBe(false);
    expect(() => checkTransition("api#2", from, to)).toThrow(`api#2 cannot go from ${from} to ${to}`);
  });

  it("never stays in place: a change to the same status is a bug too", () => {
    for (const status of STATUSES) expect(canChange(status, status)).toBe(false);
  });

  it("never leaves `skipped`, and leaves `stopped` only to be marked failed", () => {
    expect(TRANSITIONS.skipped).toEqual([]);
    expect(TRANSITIONS.stopped).toEqual(["failed"]);
  });

  it("reaches every status from `pending`", () => {
    const reached = new Set<ServiceStatus>(["pending"]);
    for (let grown = true; grown;) {
      const size = reached.size;
      for (const from of [...reached]) for (const to of TRANSITIONS[from]) reached.add(to);
      grown = reached.size > size;
    }
    expect([...reached].sort()).toEqual([...STATUSES].sort());
  });

  it("counts a run as up while it starts, is healthy or unhealthy: those are what its exit ends", () => {
    expect(STATUSES.filter(isUp).sort()).toEqual(["healthy", "starting", "unhealthy"]);
    for (const status of STATUSES.filter(isUp)) expect(canChange(status, "exited")).toBe(true);
  });
});

describe("the reason a run ended", () => {
  it.each<[ExitReason, boolean]>([
    ["stopped", true],
    ["replaced", true],
    ["finished", false],
    ["unexpected", false],
  ])("%s is portmate's doing: %s", (reason, requested) => {
    expect(isRequested(reason)).toBe(requested);
  });

  it.each<[number | null, boolean, ExitReason]>([
    [0, true, "finished"],
    [0, false, "unexpected"],
    [1, true, "unexpected"],
    [1, false, "unexpected"],
    [null, true, "unexpected"],
  ])("a run that exited by itself with code %s (one-off task: %s) is %s", (code, oneOff, reason) => {
    expect(ownExitReason(code, oneOff)).toBe(reason);
  });
});

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
