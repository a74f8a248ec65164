// A running stack and its config: saving it applies what changed; `up` again applies it too, then attaches.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  isListening,
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

const CONFIG = (range: string, extra = "") => yaml`
  name: live
  ports: {range: ${range}}
  services:
    api:
      command: ${fixtureCommand("--name api --record record.jsonl")}
      health: {http: /}${extra}
    web:
      command: ${fixtureCommand("--name web --record record.jsonl")}
      env: {API_URL: "\${services.api.url}"}
      health: {http: /}
    cache:
      command: ${fixtureCommand("--name cache --record record.jsonl")}
`;

/** The pid of each service of instance 1, by name, from `ps --json`. */
async function pids(dir: string, env: Record<string, string>): Promise<Record<string, number | null>> {
  return Object.fromEntries((await ps(dir, env)).filter((row) => row.instance === 1).map((row) => [row.service, row.pid]));
}

describe("a config saved while the stack runs in a terminal", () => {
  it("adds, restarts what changed or refers to it, leaves the rest alone, and keeps running on a broken edit", { timeout: 90_000 }, async () => {
    const range = randomRange();
    const { dir, env, record } = project(CONFIG(range.text));
    const file = join(dir, "portmate.yaml");
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    await terminal.waitFor(/^SERVICE\s+PID/m);
    const before = await pids(dir, env);
    const ports = Object.fromEntries((await ps(dir, env)).map((row) => [row.service, row.port as number]));

    // A port preference changes: api moves, web (whose env refers to it) restarts, cache is left alone.
    const preferred = range.to;
    writeFileSync(file, CONFIG(range.text, `\n      port: ${preferred}`));
    await terminal.waitFor(/portmate \| portmate\.yaml applied; 1 service unchanged/);
    let after = await pids(dir, env);
    expect(after.cache).toBe(before.cache);
    expect(after.api).not.toBe(before.api);
    expect(after.web).not.toBe(before.web);
    const moved = await ps(dir, env);
    expect(moved.find((row) => row.service === "api")?.port).toBe(preferred);
    expect(await isListening(preferred)).toBe(true);
    expect(await isListening(ports.api as number)).toBe(false);
    const webStarts = readRecords(record).filter((line) => line.name === "web" && line.event === "start");
    expect(webStarts.at(-1)?.env?.API_URL).toBe(`http://127.0.0.1:${preferred}`);
    let text = await terminal.text();
    expect(text).toMatch(new RegExp(`api changed \\(port ${ports.api} → ${preferred}\\): restarting it`));
    expect(text).toMatch(/web changed \(env API_PORT, API_URL\): restarting it/);

    // A service added: started; one removed: stopped.
    const added =
      readFileSync(file, "utf8").replace(/ {2}cache:\n.*\n/, "") + `  worker:\n    command: ${fixtureCommand("--name worker --record record.jsonl")}\n`;
    writeFileSync(file, added);
    await terminal.waitFor(/worker added to the config: starting it[\s\S]*portmate\.yaml applied; 2 services unchanged/);
    text = await terminal.text();
    expect(text).toMatch(/cache removed from the config: stopping it/);
    after = await pids(dir, env);
    expect(Object.keys(after)).toEqual(["api", "web", "worker"]);
    expect(readRecords(record).filter((line) => line.name === "api" && line.event === "start")).toHaveLength(2);

    // A broken edit: said with its position; nothing changes.
    const running = await pids(dir, env);
    writeFileSync(file, `${added}  broken: [\n`);
    await terminal.waitFor(/portmate\.yaml is not valid now; the stack runs on as it was:\n.*portmate\.yaml:\d+:\d+: /);
    await sleep(300);
    expect(await pids(dir, env)).toEqual(running);

    terminal.type("\x03");
    const { exitCode, text: all } = await terminal.finished();
    expect(exitCode, all).toBe(0);
    expect(all).not.toMatch(TRACE);
    expectCleanScreen(all.split("\n"), ["api", "web", "cache"]);
    await expectNothingLeft(recordedPids(record), [...Object.values(ports), preferred]);
  });
});

describe("portmate up on a running stack", () => {
  it("applies the config's changes, starts a named service, and attaches until Ctrl-C, which stops nothing", { timeout: 90_000 }, async () => {
    const range = randomRange();
    const config = (extra = "") =>
      `${CONFIG(range.text)}  debugger:\n    command: ${fixtureCommand("--name debugger --record record.jsonl")}\n    disabled: true\n${extra}`;
    const { dir, env, record } = project(config());
    const file = join(dir, "portmate.yaml");
    // Without watching, `up` alone applies the change: nothing else races it.
    expect((await runCli(["up", "-d", "--no-watch"], { cwd: dir, env })).exitCode).toBe(0);
    const before = await pids(dir, env);

    const same = await runCli(["up", "-d"], { cwd: dir, env });
    expect(same.exitCode, same.all).toBe(0);
    expect(same.stdout).toBe("3 services unchanged, left running");
    expect(await pids(dir, env)).toEqual(before);

    writeFileSync(file, config().replace("--name cache --record", "--name cache --tick 1000 --record"));
    const changed = await runCli(["up", "-d"], { cwd: dir, env });
    expect(changed.exitCode, changed.all).toBe(0);
    expect(changed.stdout).toBe("cache restarted (changed: command)\n2 services unchanged, left running");
    // A detached stack tells what it did in its logs.
    const told = await runCli(["logs", "portmate"], { cwd: dir, env });
    expect(told.exitCode, told.all).toBe(0);
    expect(told.stdout).toMatch(
      /^portmate \| cache changed \(command\): restarting it\nportmate \| cache restarted on port \d+ \(pid \d+\)\nportmate \| cache is healthy again/m,
    );

    const named = await runCli(["up", "-d", "debugger"], { cwd: dir, env });
    expect(named.exitCode, named.all).toBe(0);
    expect(named.stdout).toMatch(/^debugger added on port \d+\n3 services unchanged, left running$/);
    expect((await ps(dir, env)).map((row) => [row.service, row.status])).toEqual([
      ["api", "healthy"],
      ["web", "healthy"],
      ["cache", "healthy"],
      ["debugger", "healthy"],
    ]);

    // More instances: each service of instance 2 is added, on ports of its own; instance 1 is left alone.
    const running = await pids(dir, env);
    const more = await runCli(["up", "-d", "-n", "2"], { cwd: dir, env });
    expect(more.exitCode, more.all).toBe(0);
    expect(more.stdout).toMatch(
      /^api#2 added on port \d+\nweb#2 added on port \d+\ncache#2 added on port \d+\ndebugger#2 added on port \d+\n4 services unchanged, left running$/,
    );
    const both = await ps(dir, env);
    expect(both.map((row) => [row.instance, row.service, row.status])).toEqual(
      [1, 2].flatMap((instance) => ["api", "web", "cache", "debugger"].map((service) => [instance, service, "healthy"])),
    );
    expect(new Set(both.map((row) => row.port)).size).toBe(8);
    expect(Object.fromEntries(both.filter((row) => row.instance === 1).map((row) => [row.service, row.pid]))).toEqual(running);
    const web2 = readRecords(record).find((line) => line.name === "web" && line.event === "start" && line.env?.PORTMATE_INSTANCE === "2");
    expect(web2?.env?.API_URL).toBe(`http://127.0.0.1:${both.find((row) => row.instance === 2 && row.service === "api")?.port}`);

    // A foreground `up` attaches: the stack's output, then Ctrl-C detaches and stops nothing.
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    await terminal.waitFor(/Attached to live: Ctrl-C detaches/);
    await terminal.waitFor(/cache\s+\| tick \d+/);
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    expect(text).toMatch(/Detached; live keeps running\.$/);
    const still = await pids(dir, env);
    expect(still.api).toBe(before.api);
    await waitUntil(async () => (await ps(dir, env)).every((row) => row.status === "healthy"), "everything still healthy");

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(
      recordedPids(record),
      both.map((row) => row.port as number),
    );
  });
});
