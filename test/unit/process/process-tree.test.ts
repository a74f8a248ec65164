import { describe, expect, it } from "vitest";
import { parsePsLine, parseStat, treeMembers, type ProcessInfo } from "../../../src/process/process-tree.js";

const proc = (pid: number, ppid: number, pgid: number, startTime = 10, state = "S"): ProcessInfo => ({ pid, ppid, pgid, state, startTime });

describe("process trees", () => {
  it("reads /proc/PID/stat, even when the command name holds spaces and parentheses", () => {
    const stat = "4242 (my (odd) name) S 4200 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 1000 100";
    expect(parseStat(stat)).toEqual({ pid: 4242, state: "S", ppid: 4200, pgid: 4242, startTime: 987654 });
  });

  it("reads ps output where there is no /proc, start time included", () => {
    expect(parsePsLine("  812     1   812 Ss   Mon Nov 23 14:00:05 2026")).toEqual({
      pid: 812,
      ppid: 1,
      pgid: 812,
      state: "S",
      startTime: Date.parse("Nov 23 14:00:05 2026") / 1000,
    });
    expect(parsePsLine("garbage")).toBeUndefined();
  });

  it("finds the group, the descendants that left it, and not the zombies", () => {
    const all = [
      proc(1, 0, 1),
      proc(100, 1, 100), // the service
      proc(101, 100, 100), // a child in its group
      proc(102, 101, 102), // a grandchild that called setsid
      proc(103, 1, 100), // an orphan still in the group
      proc(104, 100, 100, 10, "Z"), // a zombie
      proc(200, 1, 200), // someone else
    ];
    expect(
      treeMembers({ pid: 100, startTime: 10 }, all)
        .map((info) => info.pid)
        .sort(),
    ).toEqual([100, 101, 102, 103]);
  });

  it("finds nothing when the service's pid now belongs to a newer process", () => {
    // The service (started at tick 10) is gone and its pid was handed to a new process group leader.
    const all = [proc(1, 0, 1), proc(100, 1, 100, 99), proc(101, 100, 100, 99)];
    expect(treeMembers({ pid: 100, startTime: 10 }, all)).toEqual([]);
  });
});
