// `up --instances N` of a dev server that allows one process per project folder (Vite 8's lock): the failure
// shows the tool's own words and what to do; with the tool's bypass flag, N copies run side by side.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, processesWith, project, ps, randomRange, ROOT, runCli, yaml } from "../support/helpers.js";

const SINGLE = join(ROOT, "test", "fixtures", "single-instance.mjs");

describe("a dev server that runs once per project folder", () => {
  it("fails --instances 2 with its own message and a hint, and runs two with its bypass flag", async () => {
    const { dir, env } = project(yaml`
      name: single
      ports: {range: ${randomRange().text}}
      services:
        app:
          command: node ${SINGLE} \${LOCK_FLAG}
          health: {http: /}
    `);
    const refused = await runCli(["up", "-d", "--instances", "2"], { cwd: dir, env });
    expect(refused.exitCode, refused.all).toBe(1);
    expect(refused.stderr).toMatch(
      /^app(#2)? exited with code 1 before it was healthy \(Vite runs one dev server per project folder: add --bypass-lock to its command to run several \(portmate up -n N\), each on its own port\)$/m,
    );
    expect(refused.stderr).toMatch(/Found another Vite serve process for this project at http:\/\/127\.0\.0\.1:\d+\/ \(PID \d+\)\./);
    expect(processesWith(SINGLE)).toEqual([]);

    const both = await runCli(["up", "-d", "--instances", "2"], { cwd: dir, env: { ...env, LOCK_FLAG: "--bypass-lock" } });
    expect(both.exitCode, both.all).toBe(0);
    const rows = await ps(dir, env);
    expect(rows.map((row) => [row.service, row.instance, row.status])).toEqual([
      ["app", 1, "healthy"],
      ["app", 2, "healthy"],
    ]);
    const pids = processesWith(SINGLE);
    expect(pids).toHaveLength(2);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(
      pids,
      rows.map((row) => row.port as number),
    );
  });
});
