// `portmate logs` of a detached stack: the last lines, times, --since, -n 0 with -f, and each service's colour.
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  CLI,
  expectNothingLeft,
  fixtureCommand,
  project,
  randomRange,
  recordedPids,
  runCli,
  startCli,
  waitForOutput,
  waitUntil,
  yaml,
} from "../support/helpers.js";

/** Two services, listed in the config in the order that is not the alphabetical one. */
function ticking() {
  return project(yaml`
    ports: {range: ${randomRange().text}}
    services:
      zeta:
        command: ${fixtureCommand("--name zeta --record record.jsonl --tick 50")}
      alpha:
        command: ${fixtureCommand("--name alpha --record record.jsonl --say 'alpha is up'")}
  `);
}

/** The lines of `logs` output of one service (`zeta | …` → `…`). */
function linesOf(output: string, service: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith(`${service} `))
    .map((line) => line.replace(/^\S+\s+\| /, ""));
}

describe("portmate logs", () => {
  it("shows times with -t, only later lines with --since, none with -n 0, and only new ones with -f -n 0", async () => {
    const { dir, env, record } = ticking();
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    await waitUntil(async () => linesOf((await runCli(["logs", "zeta"], { cwd: dir, env })).stdout, "zeta").length >= 20, "20 ticks of zeta");

    // -t: each line after the time it was printed, in the order printed.
    const timed = linesOf((await runCli(["logs", "-t", "zeta"], { cwd: dir, env })).stdout, "zeta");
    const times = timed.map((line) => /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) tick \d+$/.exec(line)?.[1]);
    expect(times.every(Boolean), timed.join("\n")).toBe(true);
    expect([...times].sort()).toEqual(times);

    // --since a time: that line and the ones after it.
    const from = times[10] as string;
    const since = linesOf((await runCli(["logs", "-t", "--since", from, "zeta"], { cwd: dir, env })).stdout, "zeta");
    expect(since[0]).toBe(timed[10]);
    expect(since.every((line) => line.slice(0, 24) >= from)).toBe(true);
    // --since a duration ago: an hour ago is everything; -n then takes the last lines of that.
    const hour = await runCli(["logs", "--since", "1h", "-n", "3", "alpha"], { cwd: dir, env });
    expect(linesOf(hour.stdout, "alpha")).toEqual(["alpha is up"]);
    const bad = await runCli(["logs", "--since", "yesterday"], { cwd: dir, env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--since.*must be a duration such as `5m`/);

    // -n 0: no old lines; with -f, only what is printed from now on.
    const none = await runCli(["logs", "-n", "0"], { cwd: dir, env });
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toBe("");
    const last = Number(/tick (\d+)$/.exec(timed.at(-1) ?? "")?.[1]);
    const follow = startCli(["logs", "-f", "-n", "0"], { cwd: dir, env });
    const fresh = await waitForOutput(follow, /(zeta\s+\| tick \d+\n[\s\S]*){3}/);
    follow.kill("SIGINT");
    await follow;
    expect(fresh).not.toMatch(/alpha is up/);
    const ticks = linesOf(fresh, "zeta").map((line) => Number(/tick (\d+)/.exec(line)?.[1]));
    expect(Math.min(...ticks)).toBeGreaterThan(last);

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("gives each service its colour by the config's order, the same as up, and never red", async () => {
    const { dir, env, record } = ticking();
    const colourEnv = { ...env, FORCE_COLOR: "1" };
    const up = await execa("node", [CLI, "up", "-d"], { cwd: dir, env: colourEnv, extendEnv: true, reject: false });
    expect(up.exitCode, up.stderr).toBe(0);
    await waitUntil(async () => /alpha is up/.test((await runCli(["logs"], { cwd: dir, env })).stdout), "alpha's line");
    const { stdout } = await execa("node", [CLI, "logs", "-n", "2"], { cwd: dir, env: colourEnv });
    /** The SGR colour each service's prefix is painted with. */
    const colourOf = (service: string) => new RegExp(`\\x1b\\[(\\d+)m${service}\\s+\\|`).exec(stdout)?.[1];
    // The config's first service gets the first colour (cyan), its second the second (magenta), as in `up`.
    expect(colourOf("zeta"), stdout).toBe("36");
    expect(colourOf("alpha"), stdout).toBe("35");
    expect(stdout).not.toMatch(/\x1b\[(31|91)m/);

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(record), []);
  });
});
