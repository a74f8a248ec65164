import { describe, expect, it } from "vitest";
import {
  TRANSITIONS,
  canChange,
  checkTransition,
  isExpected,
  isRequested,
  isUp,
  ownExitReason,
  type ExitReason,
  type ServiceStatus,
} from "../../../src/supervise/service-state.js";

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
  ["unhealthy", "healthy"],
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
    ["unresponsive", false],
  ])("%s is portmate's doing: %s", (reason, requested) => {
    expect(isRequested(reason)).toBe(requested);
  });

  it.each<[ExitReason, boolean]>([
    ["stopped", true],
    ["replaced", true],
    ["finished", true],
    ["unexpected", false],
    ["unresponsive", false],
  ])("%s went as expected: %s", (reason, expected) => {
    expect(isExpected(reason)).toBe(expected);
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
