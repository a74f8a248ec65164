import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  onCleanup,
  pidGone,
  randomRange,
  readRecords,
  recordedPids,
  runCli,
  startCli,
  tempProject,
  waitForOutput,
  waitUntil,
  yaml,
  project,
  ps,
  watchdogOf,
} from "../support/helpers.js";

/** A stack that takes a few seconds to be healthy: time to act while `up -d` is still starting it. */
const SLOW_STACK = (range: string) => yaml`
  name: slow
  ports: {range: ${range}}
  services:
    slow:
      command: ${fixtureCommand("--name slow --record record.jsonl --listen-delay 4000")}
`;

function supervisorOf(state: string, project: string): number {
  return (JSON.parse(readFileSync(join(state, "stacks", `${project}@1.json`), "utf8")) as { supervisor: { pid: number } }).supervisor.pid;
}

const TWO_SERVICES = (range: string) => yaml`
  name: shop
  ports: {range: ${range}}
  services:
    api:
      command: ${fixtureCommand("--name api-${instance} --record record.jsonl --grandchild")}
      health: {http: /}
    web:
      command: ${fixtureCommand("--name web-${instance} --record record.jsonl --tick 100")}
      depends_on: [api]
`;

describe("portmate up -d, ps, down, logs, port", () => {
  it("runs a stack in the background that ps, port, logs and down all see", async () => {
    const { dir, env, record, state } = project(TWO_SERVICES(randomRange().text));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toMatch(/SERVICE\s+PID\s+PORT\s+URL\napi\s+\d+/);

    const rows = await ps(dir, env);
    expect(rows.map((row) => [row.project, row.instance, row.service, row.status])).toEqual([
      ["shop", 1, "api", "healthy"],
      ["shop", 1, "web", "healthy"],
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "project",
      "instance",
      "service",
      "pid",
      "port",
      "ports",
      "status",
      "url",
      "named_url",
      "public_url",
      "startedAt",
      "listening",
    ]);
    // What each really listens on, read from the kernel: its own port.
    expect(rows.map((row) => row.listening)).toEqual(rows.map((row) => [row.port]));
    const port = await runCli(["port", "web"], { cwd: dir, env });
    expect(port.stdout).toBe(String(rows[1]?.port));

    // Private state: folders 0700, files 0600.
    for (const sub of ["stacks", "ports", "run", join("logs", "shop", "1")]) expect(statSync(join(state, sub)).mode & 0o777, sub).toBe(0o700);
    for (const file of [
      join("stacks", "shop@1.json"),
      join("logs", "shop", "1", "web.log"),
      ...readdirSync(join(state, "ports")).map((name) => join("ports", name)),
    ]) {
      expect(statSync(join(state, file)).mode & 0o777, file).toBe(0o600);
    }

    // `up` again does not start a second copy.
    const again = await runCli(["up", "-d"], { cwd: dir, env });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/shop is running: applying its config/);
    expect((await ps(dir, env)).map((row) => row.pid)).toEqual(rows.map((row) => row.pid));

    // logs -f follows new lines.
    const logs = startCli(["logs", "-f", "-n", "1", "web"], { cwd: dir, env });
    const first = await waitForOutput(logs, /web \| tick \d+/);
    const seen = Number(/tick (\d+)/.exec(first)?.[1]);
    await waitForOutput(logs, new RegExp(`web \\| tick ${seen + 3}\\b`));
    logs.kill("SIGINT");
    expect((await logs).exitCode).toBe(0);

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stderr).toMatch(/Stopped shop\./);
    await expectNothingLeft(
      recordedPids(record),
      rows.flatMap((row) => Object.values(row.ports)),
    );
    expect(readdirSync(join(state, "stacks"))).toEqual([]);
    expect(readdirSync(join(state, "ports"))).toEqual([]);
    const nothing = await runCli(["down"], { cwd: dir, env });
    expect(nothing.exitCode).toBe(0);
    expect(nothing.stderr).toMatch(/Nothing of shop is running/);
  });

  it("stops one instance of three and leaves the others running", async () => {
    const { dir, env } = project(TWO_SERVICES(randomRange().text));
    expect((await runCli(["up", "-d", "--instances", "3"], { cwd: dir, env })).exitCode).toBe(0);
    const before = await ps(dir, env);
    expect(before).toHaveLength(6);
    expect(new Set(before.map((row) => row.port)).size).toBe(6);

    const down = await runCli(["down", "--instance", "2"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    const after = await ps(dir, env);
    expect(after.map((row) => row.instance)).toEqual([1, 1, 3, 3]);
    expect(
      after.filter((row) => row.status !== "healthy"),
      JSON.stringify(after),
    ).toEqual([]);
    const second = before.filter((row) => row.instance === 2);
    await expectNothingLeft(
      second.map((row) => row.pid as number),
      second.map((row) => row.port as number),
    );
    for (const row of after) expect(pidGone(row.pid as number)).toBe(false);
  });

  it("shows a stack whose supervisor was killed (and its watchdog with it) as stale, and down still leaves nothing behind", async () => {
    const { dir, env, record, state } = project(TWO_SERVICES(randomRange().text));
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const rows = await ps(dir, env);
    // Without its watchdog, nothing stops the services of a killed supervisor but `down` (see chaos.test.ts).
    const supervisor = supervisorOf(state, "shop");
    const watchdog = watchdogOf(supervisor);
    expect(watchdog, "the supervisor's watchdog").toBeGreaterThan(1);
    process.kill(watchdog as number, "SIGKILL");
    process.kill(supervisor, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect((await ps(dir, env)).map((row) => row.status)).toEqual(["stale", "stale"]);
    const table = await runCli(["ps"], { cwd: dir, env });
    expect(table.stderr).toMatch(/stale: the supervisor of that stack died/);
    // Nothing stopped the services: the quiet one and the grandchildren still run. (A service that writes
    // output lost its reader with the supervisor, and may have died of it: down must not care either way.)
    const records = readRecords(record);
    const api = records.find((line) => line.name === "api-1" && line.event === "start")?.pid as number;
    const grandchildren = records.filter((line) => line.child).map((line) => line.child as number);
    expect(grandchildren).toHaveLength(1);
    for (const pid of [api, ...grandchildren]) expect(pidGone(pid), `pid ${pid}`).toBe(false);

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stderr).toMatch(/its supervisor \(pid \d+\) is gone/);
    await expectNothingLeft(
      recordedPids(record),
      rows.flatMap((row) => Object.values(row.ports)),
    );
    expect(readdirSync(join(state, "ports"))).toEqual([]);
  });

  it("exits 1 with the failing service's last lines when up -d cannot start the stack, leaving nothing", async () => {
    const { dir, env, record, state } = project(yaml`
      name: broken
      ports: {range: ${randomRange().text}}
      services:
        db:
          command: ${fixtureCommand("--name db --record record.jsonl --grandchild")}
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --no-listen --say 'cannot open config.json'")}
          depends_on: [db]
          health: {tcp: true, timeout: 2s}
    `);
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(1);
    expect(up.stderr.split("\n").slice(0, 3)).toEqual([
      expect.stringMatching(/^api was not healthy after 2\.0s/),
      "last 1 line of api:",
      "  cannot open config.json",
    ]);
    expect(await ps(dir, env)).toEqual([]);
    for (const pid of recordedPids(record)) expect(pidGone(pid), `pid ${pid}`).toBe(true);
    expect(readdirSync(join(state, "ports"))).toEqual([]);
    // The supervisor is gone too, with its socket and its (empty) log.
    await waitUntil(() => readdirSync(join(state, "run")).length === 0, "the supervisor to leave nothing in run/");
  });

  it("gives each service only as long as down -t says before killing it", async () => {
    const { dir, env, record } = project(yaml`
      name: stubborn
      ports: {range: ${randomRange().text}}
      services:
        app:
          command: ${fixtureCommand("--name app --record record.jsonl --ignore-term")}
          stop_timeout: 10m
    `);
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    // Without -t this would take ten minutes, far past the test's own timeout.
    const down = await runCli(["down", "-t", "1"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    for (const pid of recordedPids(record)) expect(pidGone(pid)).toBe(true);
  });

  it("reports a corrupt record and goes on with the others", async () => {
    const { dir, env, state } = project(TWO_SERVICES(randomRange().text));
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    writeFileSync(join(state, "stacks", "broken@1.json"), '{"version": 1, "project": "bro');
    writeFileSync(join(state, "stacks", "other@1.json"), '{"version": 7}');
    const result = await runCli(["ps", "-a"], { cwd: dir, env });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/warning: ignoring .*broken@1\.json: /);
    expect(result.stderr).toMatch(/warning: ignoring .*other@1\.json: unknown record version 7/);
    expect(result.stdout).toMatch(/shop\s+1\s+api\s+\d+/);
    const down = await runCli(["down", "-a"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
  });

  it("lists a foreground up, which down from another terminal stops", async () => {
    const { dir, env, record } = project(TWO_SERVICES(randomRange().text));
    const fg = startCli(["up"], { cwd: dir, env });
    await waitForOutput(fg, /SERVICE\s+PID/);
    const rows = await ps(dir, env);
    expect(rows.map((row) => row.status)).toEqual(["healthy", "healthy"]);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    const result = await fg;
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toMatch(/Stopped by `portmate down`/);
    await expectNothingLeft(
      recordedPids(record),
      rows.flatMap((row) => Object.values(row.ports)),
    );
  });

  it("does not hang on a supervisor that cannot answer (a foreground up suspended with Ctrl-Z)", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(TWO_SERVICES(randomRange().text));
    const fg = startCli(["up"], { cwd: dir, env });
    await waitForOutput(fg, /SERVICE\s+PID/);
    const rows = await ps(dir, env);
    fg.kill("SIGSTOP");
    const down = await runCli(["down", "-t", "1"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stderr).toMatch(/cannot be asked to stop: it did not answer within \d+ s; stopping it/);
    await fg;
    await expectNothingLeft(
      recordedPids(record),
      rows.flatMap((row) => Object.values(row.ports)),
    );
  });

  it("starts one stack when two up -d of one project run at the same instant", async () => {
    const { dir, env, record } = project(TWO_SERVICES(randomRange().text));
    const [first, second] = await Promise.all([runCli(["up", "-d"], { cwd: dir, env }), runCli(["up", "-d"], { cwd: dir, env })]);
    const codes = [first.exitCode, second.exitCode].sort();
    expect(codes[0], `${first.all}\n---\n${second.all}`).toBe(0);
    const other = first.exitCode === 0 && second.exitCode === 0 ? undefined : first.exitCode === 0 ? second : first;
    if (other) expect(other.stderr).toMatch(/shop is being started by another portmate/);
    const rows = await ps(dir, env);
    expect(rows.map((row) => row.service)).toEqual(["api", "web"]);
    expect(readRecords(record).filter((line) => line.event === "start")).toHaveLength(2);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(
      recordedPids(record),
      rows.flatMap((row) => Object.values(row.ports)),
    );
  });

  it("keeps starting in the background when the terminal of up -d closes", async () => {
    const { dir, env, state } = project(SLOW_STACK(randomRange().text));
    const cli = startCli(["up", "-d"], { cwd: dir, env });
    await waitUntil(() => existsSync(join(state, "stacks", "slow@1.json")), "the stack to be recorded");
    cli.kill("SIGHUP");
    await cli;
    await waitUntil(async () => (await ps(dir, env)).every((row) => row.status === "healthy"), "the stack to come up without its terminal", 20_000);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
  });

  it("stops what was started when the supervisor dies while up -d is starting", async () => {
    const { dir, env, record, state } = project(SLOW_STACK(randomRange().text));
    const cli = startCli(["up", "-d"], { cwd: dir, env });
    await waitUntil(() => readRecords(record).some((line) => line.name === "slow" && line.event === "start"), "the slow service to start");
    process.kill(supervisorOf(state, "slow"), "SIGKILL");
    const result = await cli;
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toMatch(/the supervisor was killed by SIGKILL before the stack was up/);
    expect(await ps(dir, env)).toEqual([]);
    for (const pid of recordedPids(record)) expect(pidGone(pid), `pid ${pid}`).toBe(true);
    expect(readdirSync(join(state, "ports"))).toEqual([]);
  });

  it("refuses to stop one instance while the stack is starting, and stops it whole once asked to", async () => {
    const { dir, env, state } = project(SLOW_STACK(randomRange().text));
    const cli = startCli(["up", "-d", "--instances", "2"], { cwd: dir, env });
    await waitUntil(() => existsSync(join(state, "stacks", "slow@2.json")), "the stack to be recorded");
    const partial = await runCli(["down", "--instance", "2"], { cwd: dir, env });
    expect(partial.exitCode, partial.all).toBe(1);
    expect(partial.stderr).toMatch(/slow is still starting: stop all of it with `portmate down`, or wait until it is up/);
    const whole = await runCli(["down"], { cwd: dir, env });
    expect(whole.exitCode, whole.all).toBe(0);
    const result = await cli;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/stopped before the stack was ready/);
    expect(await ps(dir, env)).toEqual([]);
  });

  it("gives twenty projects started at the same instant on one narrow range twenty sets of distinct ports", { timeout: 120_000 }, async () => {
    const range = randomRange(80);
    const root = tempProject({});
    const env = { PORTMATE_STATE_DIR: join(root, "state") };
    onCleanup(async () => {
      await runCli(["down", "-a"], { cwd: root, env });
    });
    const dirs = Array.from({ length: 20 }, (_, index) => {
      const dir = join(root, `p${index}`);
      mkdirSync(dir);
      writeFileSync(
        join(dir, "portmate.yaml"),
        yaml`
          name: p${index}
          ports: {range: ${range.text}}
          services:
            app:
              command: ${fixtureCommand("--record record.jsonl")}
              ports: {http: auto, admin: auto, metrics: auto}
        `,
      );
      return dir;
    });
    const results = await Promise.all(dirs.map((dir) => runCli(["up", "-d"], { cwd: dir, env })));
    for (const result of results) expect(result.exitCode, result.all).toBe(0);
    const rows = await ps(root, env, "-a");
    expect(rows).toHaveLength(20);
    expect(
      rows.filter((row) => row.status !== "healthy"),
      JSON.stringify(rows),
    ).toEqual([]);
    const ports = rows.flatMap((row) => Object.values(row.ports));
    expect(ports).toHaveLength(60);
    expect(new Set(ports).size).toBe(60);
    const down = await runCli(["down", "-a"], { cwd: root, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(
      dirs.flatMap((dir) => recordedPids(join(dir, "record.jsonl"))),
      ports,
    );
  });
});
