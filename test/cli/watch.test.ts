// `watch:` as a person meets it: the foreground `up` tells what changed and what it did; `--no-watch` turns it off.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, fixtureCommand, project, ps, randomRange, readRecords, recordedPids, runCli, waitUntil, yaml } from "../support/helpers.js";
import { expectCleanScreen, TRACE } from "../support/screen.js";
import { TerminalSession } from "../support/terminal.js";

const STACK = (range: string) => yaml`
  name: watched
  ports: {range: ${range}}
  services:
    api:
      command: ${fixtureCommand("--name api --record record.jsonl")}
      health: {http: /}
      watch: src
`;

describe("watch in a terminal", () => {
  it("says which file changed and restarts the service on its port", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    mkdirSync(join(dir, "src"));
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    await terminal.waitFor(/^SERVICE\s+PID/m);
    const [before] = await ps(dir, env);
    writeFileSync(join(dir, "src", "app.js"), "1");
    await terminal.waitFor(new RegExp(`portmate \\| api: src/app\\.js changed; restarting[\\s\\S]*api restarted on port ${before?.port} \\(pid \\d+\\)`));
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    expect(text).not.toMatch(TRACE);
    expectCleanScreen(text.split("\n"), ["api"]);
    await expectNothingLeft(recordedPids(record), [before?.port as number]);
  });

  it("restarts a service of a detached stack too, and its logs tell it", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    mkdirSync(join(dir, "src"));
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const [before] = await ps(dir, env);
    writeFileSync(join(dir, "src", "app.js"), "1");
    await waitUntil(() => readRecords(record).filter((line) => line.event === "start").length === 2, "api restarted");
    await waitUntil(async () => (await ps(dir, env))[0]?.status === "healthy", "api healthy again");
    const [after] = await ps(dir, env);
    expect(after?.port).toBe(before?.port);
    expect(after?.pid).not.toBe(before?.pid);
    const logs = await runCli(["logs", "portmate"], { cwd: dir, env });
    expect(logs.stdout).toMatch(
      new RegExp(`^portmate \\| api: src/app\\.js changed; restarting\nportmate \\| api restarted on port ${before?.port} \\(pid \\d+\\)`),
    );
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(record), [before?.port as number]);
  });

  it("watches nothing with --no-watch", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    mkdirSync(join(dir, "src"));
    const up = await runCli(["up", "-d", "--no-watch"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const [before] = await ps(dir, env);
    writeFileSync(join(dir, "src", "app.js"), "1");
    await sleep(1000);
    const [after] = await ps(dir, env);
    expect(after?.pid).toBe(before?.pid);
    expect(readRecords(record).filter((line) => line.event === "start")).toHaveLength(1);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(record), [before?.port as number]);
  });
});
