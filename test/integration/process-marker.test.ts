import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { markedProcesses, markOf, OWNER_VARIABLE, serviceMark, serviceQuery, thisSupervisor } from "../../src/process/process-marker.js";
import { treeMembers, type ProcessInfo } from "../../src/process/process-tree.js";
import { onCleanup, pidGone, waitUntil } from "../support/helpers.js";

/** A real `sleep` started with `env` (and nothing else) as its whole environment. */
function sleeper(env: Record<string, string>): number {
  const child = spawn("/bin/sleep", ["1000"], { env, stdio: "ignore", detached: true });
  onCleanup(async () => {
    child.kill("SIGKILL");
    await waitUntil(() => pidGone(child.pid as number), "the sleeper to go");
  });
  return child.pid as number;
}

describe("process marks", () => {
  it("reads a process's mark wherever the variable sits in its environment, and nothing from an unmarked one", () => {
    const self = thisSupervisor();
    const mark = serviceMark(self, "api#2");
    expect(mark).toBe(`${process.pid}.${self.startTime}/api#2`);
    const first = sleeper({ [OWNER_VARIABLE]: mark, OTHER: "x" });
    const middle = sleeper({ A: "1", [OWNER_VARIABLE]: mark, B: "2" });
    const unmarked = sleeper({ NOT_PORTMATE_OWNER: mark });
    expect(markOf(first)).toBe(mark);
    expect(markOf(middle)).toBe(mark);
    expect(markOf(unmarked)).toBeUndefined();
    expect(markOf(2 ** 22 + 1)).toBeUndefined();
  });

  it("finds only the processes of one service, started since their supervisor, and adds them to a tree", () => {
    const self = thisSupervisor();
    const api = sleeper({ [OWNER_VARIABLE]: serviceMark(self, "api") });
    const web = sleeper({ [OWNER_VARIABLE]: serviceMark(self, "web") });
    const found = markedProcesses(serviceQuery(self, "api")).map((info) => info.pid);
    expect(found).toEqual([api]);
    expect(found).not.toContain(web);
    // A supervisor that started later than these processes cannot have started them.
    expect(markedProcesses({ ...serviceQuery(self, "api"), since: Number.MAX_SAFE_INTEGER })).toEqual([]);

    const orphan: ProcessInfo = { pid: api, ppid: 1, pgid: api, state: "S", startTime: 1 };
    expect(treeMembers({ pid: 999_999, startTime: 5 }, [orphan], [orphan]).map((info) => info.pid)).toEqual([api]);
  });
});
