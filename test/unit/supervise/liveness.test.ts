import { describe, expect, it } from "vitest";
import type { PlannedService } from "../../../src/plan/types.js";
import type { Attempt } from "../../../src/supervise/health.js";
import { livenessReason, watchLiveness, type LivenessCheck } from "../../../src/supervise/liveness.js";

const service = {
  id: "api",
  health: { kind: "http", port: 8000, path: "/health", hosts: ["127.0.0.1"], intervalMs: 500, timeoutMs: 30_000 },
} as unknown as PlannedService;

const FAIL: Attempt = { ok: false, reason: "GET http://127.0.0.1:8000/health → 503", brief: "GET /health → 503" };

/** A check that answers from `script` in turn; the check after its end aborts the watch (so each test ends with its script). */
function scripted(script: Array<Attempt | "hang">, watch: AbortController): { check: LivenessCheck; timeouts: number[] } {
  const timeouts: number[] = [];
  let next = 0;
  const check: LivenessCheck = (_service, timeoutMs, abort) => {
    const answer = script[next++];
    if (answer === undefined) watch.abort();
    else timeouts.push(timeoutMs);
    if (answer === "hang")
      return new Promise<Attempt>((resolve) => abort.addEventListener("abort", () => resolve({ ok: false, reason: "aborted", brief: "aborted" })));
    return Promise.resolve(answer ?? { ok: true, brief: "GET /health → 200" });
  };
  return { check, timeouts };
}

async function run(script: Array<Attempt | "hang">, failures: number, timeoutMs = 1000) {
  const told: string[] = [];
  const watch = new AbortController();
  const { check, timeouts } = scripted(script, watch);
  await watchLiveness(
    service,
    { intervalMs: 1, timeoutMs, failures },
    watch.signal,
    { failing: (reason, first) => told.push(`${first ? "failing" : "still failing"}: ${reason}`), recovered: () => told.push("recovered") },
    check,
  );
  return { told, timeouts };
}

describe("the liveness watch", () => {
  it("tells nothing while fewer than `failures` checks fail in a row", async () => {
    const { told } = await run([FAIL, FAIL, { ok: true, brief: "GET /health → 200" }, FAIL, FAIL, { ok: true, brief: "GET /health → 200" }], 3);
    expect(told).toEqual([]);
  });

  it("tells at the Nth failure in a row, at each one after, and once when a check passes again", async () => {
    const { told } = await run([FAIL, FAIL, FAIL, FAIL, { ok: true, brief: "GET /health → 200" }, { ok: true, brief: "GET /health → 200" }, FAIL], 3);
    expect(told).toEqual([
      "failing: liveness check: GET /health → 503, 3 times in a row",
      "still failing: liveness check: GET /health → 503, 4 times in a row",
      "recovered",
    ]);
  });

  it("counts a check that never answers as failed once its timeout passes, naming the check", async () => {
    const { told, timeouts } = await run(["hang"], 1, 20);
    expect(told).toEqual(["failing: liveness check: GET /health: no answer within 20ms"]);
    expect(timeouts).toEqual([20]);
  });

  it("makes no check once aborted, and tells nothing of one under way", async () => {
    const watch = new AbortController();
    const told: string[] = [];
    let checks = 0;
    const done = watchLiveness(
      service,
      { intervalMs: 1, timeoutMs: 1000, failures: 1 },
      watch.signal,
      { failing: () => told.push("failing"), recovered: () => told.push("recovered") },
      () => {
        checks++;
        watch.abort();
        return Promise.resolve(FAIL);
      },
    );
    await done;
    expect(checks).toBe(1);
    expect(told).toEqual([]);
  });

  it("says how often in a row only when it is more than once", () => {
    expect(livenessReason("connection refused on 8000", 1)).toBe("liveness check: connection refused on 8000");
    expect(livenessReason("connection refused on 8000", 2)).toBe("liveness check: connection refused on 8000, 2 times in a row");
  });
});
