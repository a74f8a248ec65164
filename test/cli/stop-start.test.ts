// `portmate stop` and `portmate start`: one service at a time, of a detached stack and of a foreground one.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  isListening,
  pidGone,
  project,
  ps,
  randomRange,
  readRecords,
  recordedPids,
  runCli,
  waitUntil,
  yaml,
} from "../support/helpers.js";
import { expectCleanScreen, TRACE } from "../support/screen.js";
import { TerminalSession } from "../support/terminal.js";

/** db ← api ← ui, each a fixture server with an HTTP health check, recording its starts. */
const STACK = (range: string) => yaml`
  name: dev
  ports: {range: ${range}}
  services:
    ui:
      command: ${fixtureCommand("--name ui --record record.jsonl")}
      depends_on: [api]
      health: {http: /}
    api:
      command: ${fixtureCommand("--name api --record record.jsonl")}
      depends_on: [db]
      env: {DB_URL: "\${services.db.url}"}
      health: {http: /}
    db:
      command: ${fixtureCommand("--name db --record record.jsonl")}
      health: {http: /}
`;

/** The services' starts, oldest first. */
const starts = (record: string) =>
  readRecords(record)
    .filter((line) => line.event === "start")
    .map((line) => line.name);

describe("portmate stop and start, detached", () => {
  it("stops a dependency and leaves its dependents running, naming them; start brings it back on its port", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    const notRunning = await runCli(["stop", "db"], { cwd: dir, env });
    expect(notRunning.exitCode, notRunning.all).toBe(1);
    expect(notRunning.stderr).toMatch(/^dev is not running\nhint: `portmate up -d` starts it in the background/);

    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const before = await ps(dir, env);
    const row = (rows: typeof before, service: string) => rows.find((candidate) => candidate.service === service);
    const dbPort = row(before, "db")?.port as number;
    const dbPid = row(before, "db")?.pid as number;

    const unknown = await runCli(["stop", "dbb"], { cwd: dir, env });
    expect(unknown.exitCode, unknown.all).toBe(2);
    expect(unknown.stderr).toMatch(/dev has no service "dbb" \(did you mean "db"\?\)/);

    const stop = await runCli(["stop", "db"], { cwd: dir, env });
    expect(stop.exitCode, stop.all).toBe(0);
    expect(stop.stdout).toBe(
      "db stopped\napi depends on it and kept running (`--with-dependents` stops them too)\n`portmate start db` brings it back on the same ports",
    );
    expect(pidGone(dbPid)).toBe(true);
    expect(await isListening(dbPort)).toBe(false);
    const stopped = await ps(dir, env);
    expect(stopped.map((line) => [line.service, line.status, line.pid])).toEqual([
      ["db", "stopped", null],
      ["api", "healthy", row(before, "api")?.pid],
      ["ui", "healthy", row(before, "ui")?.pid],
    ]);
    // Stopped twice: said, not an error.
    const again = await runCli(["stop", "db"], { cwd: dir, env });
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toBe("db was not running");

    const start = await runCli(["start", "db"], { cwd: dir, env });
    expect(start.exitCode, start.all).toBe(0);
    expect(start.stdout).toBe(`db started on port ${dbPort}`);
    const after = await ps(dir, env);
    expect(after.map((line) => [line.service, line.status, line.port])).toEqual(before.map((line) => [line.service, "healthy", line.port]));
    expect(row(after, "db")?.pid).not.toBe(dbPid);
    expect(await isListening(dbPort)).toBe(true);
    // Only db started again: api and ui kept their processes.
    expect(starts(record)).toEqual(["db", "api", "ui", "db"]);
    const running = await runCli(["start", "api"], { cwd: dir, env });
    expect(running.stdout).toBe("api was running already");

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(
      recordedPids(record),
      before.map((line) => line.port as number),
    );
  });

  it("stops dependents first with --with-dependents, starts what a service needs first, and restart starts a stopped one", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const before = await ps(dir, env);

    const stop = await runCli(["stop", "db", "--with-dependents", "--json"], { cwd: dir, env });
    expect(stop.exitCode, stop.all).toBe(0);
    expect(JSON.parse(stop.stdout)).toEqual({ project: "dev", instance: 1, stopped: ["ui", "api", "db"], notRunning: [], leftRunning: [] });
    expect((await ps(dir, env)).map((line) => line.status)).toEqual(["stopped", "stopped", "stopped"]);
    for (const line of before) expect(await isListening(line.port as number)).toBe(false);

    // ui needs api, which needs db: started in that order, each on the port it had.
    const start = await runCli(["start", "ui"], { cwd: dir, env });
    expect(start.exitCode, start.all).toBe(0);
    expect(start.stdout.split("\n")).toEqual(before.map((line) => `${line.service} started on port ${line.port}`));
    expect(starts(record)).toEqual(["db", "api", "ui", "db", "api", "ui"]);
    // api got db's URL, as before.
    const apiStarts = readRecords(record).filter((line) => line.name === "api" && line.event === "start");
    expect(apiStarts[1]?.env?.DB_URL).toBe(apiStarts[0]?.env?.DB_URL);

    expect((await runCli(["stop", "ui"], { cwd: dir, env })).exitCode).toBe(0);
    const restart = await runCli(["restart", "ui"], { cwd: dir, env });
    expect(restart.exitCode, restart.all).toBe(0);
    expect((await ps(dir, env)).map((line) => line.status)).toEqual(["healthy", "healthy", "healthy"]);
    const all = await runCli(["start"], { cwd: dir, env });
    expect(all.stdout).toBe("every service of dev is running");

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(
      recordedPids(record),
      before.map((line) => line.port as number),
    );
  });

  it("says a start failed when the service does not come up, stops it again, and keeps the rest running", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(yaml`
      name: flaky
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --exit-if-file broken --exit-code 4")}
          health: {http: /}
        web:
          command: ${fixtureCommand("--name web --record record.jsonl")}
          health: {http: /}
    `);
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const before = await ps(dir, env);
    expect((await runCli(["stop", "api"], { cwd: dir, env })).exitCode).toBe(0);
    writeFileSync(join(dir, "broken"), "");
    const start = await runCli(["start", "api"], { cwd: dir, env });
    expect(start.exitCode, start.all).toBe(1);
    expect(start.stderr).toMatch(/^could not start api: .*api exited with code 4 before it was healthy/);
    expect(start.all).not.toMatch(TRACE);
    const after = await ps(dir, env);
    expect(after.find((line) => line.service === "web")?.pid).toBe(before.find((line) => line.service === "web")?.pid);
    expect(after.find((line) => line.service === "web")?.status).toBe("healthy");
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(
      recordedPids(record),
      before.map((line) => line.port as number),
    );
  });
});

describe("portmate stop and start, of a foreground up in a terminal", () => {
  it("stops and starts one service while up keeps running and says so, then Ctrl-C stops the rest", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    await terminal.waitFor(/^SERVICE\s+PID/m);
    const before = await ps(dir, env);

    const stop = await runCli(["stop", "api"], { cwd: dir, env });
    expect(stop.exitCode, stop.all).toBe(0);
    await terminal.waitFor(/portmate \| api: stopping \(`portmate stop`\)/);
    expect((await ps(dir, env)).map((line) => line.status)).toEqual(["healthy", "stopped", "healthy"]);

    const start = await runCli(["start", "api"], { cwd: dir, env });
    expect(start.exitCode, start.all).toBe(0);
    await terminal.waitFor(/portmate \| api: starting \(`portmate start`\)[\s\S]*api is healthy again/);
    await waitUntil(async () => (await ps(dir, env)).every((line) => line.status === "healthy"), "every service healthy again", 10_000);

    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    expect(text).toMatch(/Stopped\.$/);
    expect(text).not.toMatch(TRACE);
    expectCleanScreen(text.split("\n"), ["db", "api", "ui"]);
    await expectNothingLeft(
      recordedPids(record),
      before.map((line) => line.port as number),
    );
  });
});
