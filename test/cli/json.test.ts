// The commands' --json: what scripts (and the MCP server's tools, which return the same) read.
import { describe, expect, it } from "vitest";
import { dependentPair, expectNothingLeft, project, ps, randomRange, recordedPids, runCli, waitUntil } from "../support/helpers.js";

/** db ← web; web prints two lines once it runs. */
const STACK = (range: string) => dependentPair("scripted", range, "web", ["web GET / 200", "web warn slow start"]);

describe("--json", () => {
  it("of up -d, port, env, logs, restart and down", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    const cli = async (...args: string[]) => {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.exitCode, result.all).toBe(0);
      return JSON.parse(result.stdout) as unknown;
    };

    const up = (await cli("up", "-d", "--json")) as { project: string; instances: number; services: unknown[]; changes: string[] };
    const rows = await ps(dir, env);
    // The rows of `ps --json` (what the processes listen on may differ from one look to the next).
    const steady = (list: unknown[]) => list.map((row) => ({ ...(row as Record<string, unknown>), listening: undefined }));
    expect({ ...up, services: steady(up.services) }).toEqual({ project: "scripted", instances: 1, services: steady(rows), changes: [] });
    const port = (service: string) => rows.find((row) => row.service === service)?.port as number;
    const foreground = await runCli(["up", "--json"], { cwd: dir, env });
    expect(foreground.exitCode).toBe(2);
    expect(foreground.stderr).toMatch(/^--json needs -d/);

    expect(await cli("port", "db", "--json")).toEqual({
      project: "scripted",
      instance: 1,
      service: "db",
      name: null,
      port: port("db"),
      url: `http://127.0.0.1:${port("db")}`,
      named_url: null,
    });
    const named = await runCli(["port", "db", "admin", "--json"], { cwd: dir, env });
    expect(named.exitCode).toBe(2);
    expect(named.stderr).toBe('db has no port named "admin"\nhint: its ports: default');

    const every = (await cli("env", "--json")) as Record<string, string>;
    expect(every).toMatchObject({ PORTMATE_PROJECT: "scripted", DB_PORT: String(port("db")), WEB_PORT: String(port("web")) });
    expect(((await cli("env", "web", "--json")) as Record<string, string>).DB_URL).toBe(`http://127.0.0.1:${port("db")}`);

    await waitUntil(async () => ((await cli("logs", "web", "--json")) as unknown[]).length >= 2, "web's two lines");
    const logs = (await cli("logs", "--json")) as Array<{ service: string; at: string; text: string }>;
    expect(logs.map(({ service, text }) => [service, text])).toEqual([
      ["web", "web GET / 200"],
      ["web", "web warn slow start"],
    ]);
    expect(logs.every((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(line.at))).toBe(true);
    expect(await cli("logs", "--json", "--grep", "warn|error")).toEqual([logs[1]]);
    // -n counts the lines grep kept.
    expect(await cli("logs", "--json", "--grep", "^web ", "-n", "1")).toEqual([logs[1]]);
    const plain = await runCli(["logs", "--grep", "GET"], { cwd: dir, env });
    expect(plain.stdout).toMatch(/^web +\| web GET \/ 200$/);
    const badGrep = await runCli(["logs", "--json", "--grep", "("], { cwd: dir, env });
    expect(badGrep.exitCode).toBe(2);
    expect(badGrep.stderr).toMatch(/^grep: .*\nhint: a regular expression/);
    const follow = await runCli(["logs", "--json", "-f"], { cwd: dir, env });
    expect(follow.exitCode).toBe(2);

    // Up again: it runs, so its config is applied, and nothing changed.
    expect(((await cli("up", "-d", "--json")) as { changes: string[] }).changes).toEqual(["2 services unchanged, left running"]);

    const restarted = (await cli("restart", "db", "--new-port", "--json")) as Array<{
      service: string;
      moved: Array<{ name: string; from: number; to: number }>;
      restarted: string[];
    }>;
    expect(restarted).toEqual([{ service: "db", moved: [{ name: "default", from: port("db"), to: expect.any(Number) }], restarted: ["web"] }]);
    const moved = restarted[0]?.moved[0]?.to as number;
    expect(((await cli("port", "db", "--json")) as { port: number }).port).toBe(moved);

    expect(await cli("down", "--json")).toEqual({ stopped: [{ project: "scripted", instance: 1, stale: false }] });
    expect(await cli("down", "--json")).toEqual({ stopped: [] });
    await expectNothingLeft(recordedPids(record), [port("db"), port("web"), moved]);
  });
});
