import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  project,
  ps,
  randomRange,
  recordedPids,
  runCli,
  startCli,
  waitForOutput,
  waitUntil,
  yaml,
} from "../support/helpers.js";

/** `api` hangs while the file `hang` exists; `web` restarts when it hangs, `api` has no restart policy. */
const HANGING = (range: string) => yaml`
  name: hangs
  ports: {range: ${range}}
  services:
    api:
      command: ${fixtureCommand("--name api --record record.jsonl --hang-while hang")}
      health: {http: /health, liveness: {interval: 100ms, timeout: 300ms, failures: 2}}
    web:
      command: ${fixtureCommand("--name web --record record.jsonl --hang-while hang-web")}
      health: {http: /, liveness: {interval: 100ms, timeout: 300ms, failures: 2}}
      restart: {policy: on-failure, delay: 500ms}
`;

describe("liveness through the CLI", () => {
  it("ps --json shows a hung service of a detached stack as unhealthy, then healthy once it answers", async () => {
    const { dir, env, record } = project(HANGING(randomRange().text));
    const config = await runCli(["config", "--json"], { cwd: dir, env });
    expect(config.exitCode, config.all).toBe(0);
    expect(JSON.parse(config.stdout).services.api.health).toMatchObject({
      http: expect.stringMatching(/\/health$/),
      liveness: { interval: "100ms", timeout: "300ms", failures: 2 },
    });

    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const before = await ps(dir, env);
    expect(before.map((row) => [row.service, row.status])).toEqual([
      ["api", "healthy"],
      ["web", "healthy"],
    ]);

    writeFileSync(join(dir, "hang"), "");
    const status = async (service: string) => (await ps(dir, env)).find((row) => row.service === service)?.status;
    await waitUntil(async () => (await status("api")) === "unhealthy", "ps to show api unhealthy", 15_000);
    // Left running as it was: no restart policy.
    expect((await ps(dir, env)).find((row) => row.service === "api")?.pid).toBe(before[0]?.pid);

    rmSync(join(dir, "hang"));
    await waitUntil(async () => (await status("api")) === "healthy", "ps to show api healthy again", 15_000);

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("the foreground output tells a service that hangs, its restart, and that it is healthy again", async () => {
    const { dir, env, record } = project(HANGING(randomRange().text));
    const up = startCli(["up"], { cwd: dir, env });
    let output = "";
    up.all?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(up, /web\s+\d+/);
    writeFileSync(join(dir, "hang-web"), "");
    // The next run must answer: the hang ends as it is restarted.
    await waitForOutput(up, /web is unhealthy: liveness check: GET \/: no answer within 300ms, 2 times in a row; restarting it/);
    rmSync(join(dir, "hang-web"));
    await waitForOutput(up, /web is healthy again/);
    expect(output).toMatch(/web was stopped for failing its liveness check \(exited with code 0\); restarting in 500ms\n.*web restarted on port/);
    const rows = await ps(dir, env);
    expect(rows.map((row) => [row.service, row.status])).toEqual([
      ["api", "healthy"],
      ["web", "healthy"],
    ]);
    up.kill("SIGTERM");
    expect((await up).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(record), []);
  });
});
