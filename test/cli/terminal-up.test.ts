// `portmate up` in the foreground, in a real (pseudo-)terminal, judged by the screen a person sees.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  processesWith,
  project,
  randomRange,
  readRecords,
  recordedPids,
  ROOT,
  runCli,
  waitUntil,
  yaml,
} from "../support/helpers.js";
import { expectCleanScreen, PROGRESS, screenTable, SPINNER, TRACE } from "../support/screen.js";
import { TerminalSession } from "../support/terminal.js";

/** The ports of the table on the screen, by service. */
const tablePorts = (lines: string[]) => new Map([...screenTable(lines)].map(([id, row]) => [id, row.ports]));

describe("portmate up in a terminal", () => {
  it("shows services printing continuously before and after ready, never redraws over them, and stops on Ctrl-C", async () => {
    const { dir, env, record } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        db:
          command: ${fixtureCommand("--name db --record record.jsonl --tick 5 --listen-delay 1500")}
          health: {http: /}
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --tick 7 --log-requests")}
          depends_on: [db]
          health: {http: /health}
    `);
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    // While the db is not ready: its output scrolls, the api waits, and the display says so.
    const starting = await terminal.waitFor(/db\s+\| tick \d+[\s\S]*◼ api: waiting for db \(healthy\)/);
    expect(starting).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] db: (starting \(pid \d+, port \d+\)|connection refused on \d+ \(\d+s of 30s\))$/m);
    // Once ready, both keep printing below the table.
    const lines = await terminal.waitUntil((now) => {
      const after = now.slice(now.findIndex((line) => /^SERVICE\s+PID/.test(line)));
      return after.length > 1 && ["api", "db"].every((id) => after.filter((line) => new RegExp(`^${id}\\s+\\| tick \\d+$`).test(line)).length > 5);
    }, "both services' ticks below the table");
    expectCleanScreen(lines, ["db", "api"]);
    // Output from before the table (the db's ticks while it started) is shown before it, not held back.
    const table = lines.findIndex((line) => /^SERVICE\s+PID/.test(line));
    expect(lines.slice(0, table).filter((line) => /^db\s+\| tick/.test(line)).length).toBeGreaterThan(20);
    const ports = tablePorts(lines);
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    expect(text).toMatch(/Stopping… \(press Ctrl-C again to kill at once\)[\s\S]*Stopped\.$/);
    expectCleanScreen(text.split("\n"), ["db", "api"]);
    await expectNothingLeft(recordedPids(record), [...ports.values()].flat());
  });

  it("shows every line of a server that logs each request, hit 100 times, and the health check's answers while it starts", async () => {
    const { dir, env, record } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        web:
          command: ${fixtureCommand("--name web --record record.jsonl --log-requests --http-status 404")}
          health: {http: /health, timeout: 4s}
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --log-requests")}
          health: {http: /health}
    `);
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    // A check that keeps getting the same answer says so, with how long it has waited.
    await terminal.waitFor(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] web: GET \/health → 404 \([1-3]s of 4\.0s\)/);
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(1);
    expect(text).toMatch(/^✖ web: was not healthy after 4\.0s/m);
    expect(text).toMatch(/^(✔|↓) api: /m);
    expect(text).not.toMatch(TRACE);
    expect(text).not.toMatch(SPINNER);
    await expectNothingLeft(recordedPids(record), []);

    // The server alone, then 100 requests once it is up.
    const second = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --log-requests")}
          health: {http: /health}
    `);
    const running = TerminalSession.start(["up"], { cwd: second.dir, env: second.env });
    await running.waitFor(/^SERVICE\s+PID/m);
    const [port] = tablePorts(await running.lines()).get("api") ?? [];
    await Promise.all(Array.from({ length: 100 }, (_, index) => fetch(`http://127.0.0.1:${port}/hit/${index}`).then((response) => response.text())));
    const hits = await running.waitUntil((lines) => lines.filter((line) => /^api\s+\| GET \/hit\/\d+ 200$/.test(line)).length >= 100, "100 request lines");
    for (let index = 0; index < 100; index++) expect(hits).toContain(`${"api".padEnd(8)} | GET /hit/${index} 200`);
    expectCleanScreen(hits, ["api"]);
    running.type("\x03");
    expect((await running.finished()).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(second.record), [port ?? 0]);
  });

  it("tells restarts, port moves and restart-policy restarts as lines of their own while the output goes on", async () => {
    const { dir, env, record } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --tick 10")}
          health: {http: /}
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl --say 'ui talks to ${services.api.url}'")}
          depends_on: [api]
        worker:
          command: ${fixtureCommand("--name worker --record record.jsonl --no-listen --exit-after 700 --exit-code 3")}
          port: none
          restart: {policy: on-failure, delay: 200ms, max_restarts: 2}
    `);
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    await terminal.waitFor(/^SERVICE\s+PID/m);
    const before = tablePorts(await terminal.lines()).get("api")?.[0] ?? 0;

    const restart = await runCli(["restart", "api"], { cwd: dir, env });
    expect(restart.exitCode, restart.all).toBe(0);
    await terminal.waitFor(new RegExp(`^portmate \\| api restarted on port ${before} \\(pid \\d+\\)$`, "m"));

    const moved = await runCli(["restart", "api", "--new-port"], { cwd: dir, env });
    expect(moved.exitCode, moved.all).toBe(0);
    // The worker may be running at that moment: every service is given API_PORT, so it counts as referring to api.
    const screen = await terminal.waitFor(/^portmate \| api: port moved from \d+ to \d+; restarting ui(, worker)? so they use it$/m);
    const to = Number(/api: port moved from \d+ to (\d+)/.exec(screen)?.[1]);
    await terminal.waitFor(new RegExp(`ui\\s+\\| ui talks to http://127\\.0\\.0\\.1:${to}$`, "m"));

    // The worker's policy: restarted twice after exiting with code 3, then left alone.
    await terminal.waitFor(/^portmate \| worker exited with code 3; restarting in 200ms$/m);
    await terminal.waitFor(/^portmate \| worker restarted \(pid \d+\)$/m);
    await terminal.waitFor(/^portmate \| worker exited with code 3; not restarted again after 2 restarts in a row$/m, 10_000);
    const lines = await terminal.lines();
    expectCleanScreen(lines, ["api", "ui", "worker"]);
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    await expectNothingLeft(recordedPids(record), [before, to]);
  });

  it("tells a tunnel that drops and opens again as lines of its own", async () => {
    const marker = `tunnel-of-terminal-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const tunnel = `{command: ${JSON.stringify(["node", join(ROOT, "test", "fixtures", "tunnel.mjs"), "${port}", marker])}, url_pattern: ${JSON.stringify("ready at (http://\\S+)")}}`;
    const { dir, env, record } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --tick 20")}
          health: {http: /}
          tunnel: ${tunnel}
    `);
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    await terminal.waitFor(/^warning: api is PUBLIC at http:\/\/127\.0\.0\.1:\d+/m);
    const tunnels = processesWith(marker);
    expect(tunnels.length).toBeGreaterThan(0);
    for (const pid of tunnels) process.kill(pid, "SIGKILL");
    await terminal.waitFor(/^portmate \| api: tunnel dropped \(.*\); opening it again$/m);
    await terminal.waitFor(/^portmate \| api: tunnel open again: http:\/\/127\.0\.0\.1:\d+ is public$/m);
    expectCleanScreen(await terminal.lines(), ["api"]);
    const reopened = processesWith(marker);
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    await expectNothingLeft([...recordedPids(record), ...reopened], []);
  });

  it.each([
    ["while a dependency is still starting", /◼ ui: waiting for api \(healthy\)/],
    ["while a health check waits", /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] api: connection refused/m],
    ["right after the table", /^SERVICE\s+PID/m],
  ])("stops cleanly on Ctrl-C typed %s", async (_moment, pattern) => {
    const delay = pattern.source.includes("SERVICE") ? 0 : 60_000;
    const { dir, env, record } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand(`--name api --record record.jsonl --grandchild --tick 3 --listen-delay ${delay}`)}
          health: {http: /}
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl")}
          depends_on: [api]
    `);
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    await terminal.waitFor(pattern);
    await waitUntil(() => readRecords(record).some((line) => line.event === "grandchild"), "api's grandchild");
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    expect(text).not.toMatch(TRACE);
    expect(text).not.toMatch(SPINNER);
    expect(text).toMatch(delay ? /Stopped before the stack was ready\.$/ : /Stopped\.$/);
    if (delay) expect(text).toMatch(/^↓ ui: not started \(stopped\)$/m);
    if (delay) expect(text).toMatch(/^↓ api: stopped while starting$/m);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("says a service that exited while starting exited, shows its last lines once, and tells its dependents why they did not start", async () => {
    const { dir, env, record } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        db:
          command: ${fixtureCommand("--name db --record record.jsonl --no-listen --say 'fatal - the data folder is locked' --exit-after 800 --exit-code 3")}
          port: none
          health: {log: ready}
        api:
          command: ${fixtureCommand("--name api --record record.jsonl")}
          depends_on: [db]
    `);
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(1);
    expect(text).toMatch(/^✖ db: exited with code 3 before it was healthy$/m);
    expect(text).toMatch(/^↓ api: not started: db failed$/m);
    expect(text).not.toMatch(/waiting for db/);
    // The line was on the screen as it came; the failure points at it instead of printing it again.
    expect(text.match(/fatal - the data folder is locked/g)).toHaveLength(1);
    expect(text).toMatch(/^db exited with code 3 before it was healthy\nits output is above; `portmate logs db` shows it again$/m);
    expect(text).not.toMatch(SPINNER);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("fits 80 columns: long progress lines are cut, never wrapped into stale copies", async () => {
    const { dir, env, record } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        a-service-with-a-long-name:
          command: ${fixtureCommand("--name long --record record.jsonl --tick 20 --http-status 404")}
          health: {http: /a/rather/long/health/check/path/that/does/not/fit/in/eighty/columns, timeout: 3s}
        other:
          command: ${fixtureCommand("--name other --record record.jsonl")}
          depends_on: [a-service-with-a-long-name]
    `);
    const terminal = TerminalSession.start(["up"], { cwd: dir, env, cols: 80, rows: 24 });
    const starting = await terminal.waitFor(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] a-service-with-a-long-name: GET \/a\/rather\/long.*…$/m);
    expect(starting).toMatch(/◼ other: waiting for a-service-with-a-long-name \(healthy\)/);
    // Every row of the screen is one line: nothing the display drew wrapped.
    const rows = await terminal.viewport();
    expect(
      rows.filter((row) => PROGRESS.test(row)).every((row) => row.length < 80),
      rows.join("\n"),
    ).toBe(true);
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(1);
    expect(text).not.toMatch(SPINNER);
    expect(text).toMatch(/^✖ a-service-with-a-long-name: was not healthy after 3\.0s/m);
    expect(text.match(/^↓ other: not started: a-service-with-a-long-name failed$/gm)).toHaveLength(1);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("paints nothing with NO_COLOR, and colours each service's prefix without it", async () => {
    const stack = yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --say hello")}
    `;
    for (const noColor of [true, false]) {
      const { dir, env, record } = project(stack);
      const terminal = TerminalSession.start(["up"], { cwd: dir, env: { ...env, ...(noColor ? { NO_COLOR: "1" } : {}) } });
      await terminal.waitFor(/^SERVICE\s+PID/m);
      expect(await terminal.text()).toMatch(/^api\s+\| hello$/m);
      expect(await terminal.hasColour(), noColor ? "coloured with NO_COLOR" : "no colour without NO_COLOR").toBe(!noColor);
      terminal.type("\x03");
      expect((await terminal.finished()).exitCode).toBe(0);
      await expectNothingLeft(recordedPids(record), []);
    }
  });
});
