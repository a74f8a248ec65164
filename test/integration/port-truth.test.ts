// A service that ignores the port it is given (a wrong flag or variable name) is told apart from one that is
// slow: it fails at once, saying where it listens and how its server takes a port, instead of at its deadline.
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ServiceFailedError } from "../../src/errors.js";
import { spawnService, type Spawner } from "../../src/supervise/spawn.js";
import { up } from "../../src/stack/up.js";
import {
  expectNothingLeft,
  fixtureCommand,
  onCleanup,
  processesWith,
  project,
  ps,
  randomRange,
  recordedPids,
  ROOT,
  runCli,
  startStack,
  tempProject,
  waitUntil,
  yaml,
} from "../support/helpers.js";

const VITE = join(ROOT, "node_modules", "vite", "bin", "vite.js");

describe("a service listening elsewhere than on its port", () => {
  it("fails long before its deadline, naming the port it listens on", async () => {
    const range = randomRange();
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${range.from}-${range.from + 4}}
        services:
          ui:
            command: ${fixtureCommand(`--name ui --record record.jsonl --listen-on ${range.to}`)}
            health: {http: /, timeout: 5m}
      `,
    });
    const failure = await up({ cwd: dir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ServiceFailedError);
    expect((failure as Error).message).toBe(
      `ui listens on ${range.to}, not on its port ${range.from}: does its command pass \${port}? (or $PORT, which it is given)`,
    );
    await expectNothingLeft(recordedPids(join(dir, "record.jsonl")), [range.to, range.from]);
  });

  it("tells how Vite takes its port, when its command does not pass it", async () => {
    const { dir, env } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        ui:
          command: node ${VITE} . --host 127.0.0.1
          health: {http: /}
    `);
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>x</title>");
    const result = await runCli(["up"], { cwd: dir, env });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr.split("\n")[0]).toMatch(
      /^ui listens on \d+, not on its port \d+: does its command pass \$\{port\}\? \(vite: --port \$\{port\} --strictPort\)$/,
    );
    expect(processesWith(VITE)).toEqual([]);
  });

  it("is flagged by ps, whose --json has the ports it listens on, when its health check did not notice", async () => {
    const range = randomRange();
    const { dir, env, record } = project(yaml`
      ports: {range: ${range.from}-${range.from + 4}}
      services:
        ui:
          command: ${fixtureCommand(`--name ui --record record.jsonl --listen-on ${range.to}`)}
          health: {command: "true"}
    `);
    const started = await runCli(["up", "-d"], { cwd: dir, env });
    expect(started.exitCode, started.all).toBe(0);
    // Its health check (`true`) passes before it listens: wait until it does (under load, that can be later).
    await waitUntil(async () => ((await ps(dir, env))[0]?.listening ?? []).length > 0, "ui listens", 10_000);
    const [row] = await ps(dir, env);
    expect(row?.listening).toEqual([range.to]);
    expect(row?.status).toMatch(new RegExp(`^(healthy|unhealthy), listens on ${range.to}, not ${range.from}$`));
    // A moment after it became healthy, the supervisor looks too, and marks it unhealthy.
    await waitUntil(async () => (await ps(dir, env))[0]?.status === `unhealthy, listens on ${range.to}, not ${range.from}`, "ui marked unhealthy", 10_000);
    const table = await runCli(["ps"], { cwd: dir, env });
    expect(table.stdout).toContain(`unhealthy, listens on ${range.to}, not ${range.from}`);
    // `who` of the port it listens on names its stack and service, by the mark its process carries.
    const who = await runCli(["who", String(range.to)], { cwd: dir, env });
    expect(who.stdout).toMatch(new RegExp(`^ {2}portmate: ui of project \\S+, though it is not its port: it ignores the one it was given`, "m"));
    const whoJson = JSON.parse((await runCli(["who", String(range.to), "--json"], { cwd: dir, env })).stdout) as { stacks: unknown[] };
    expect(whoJson.stacks).toEqual([expect.objectContaining({ id: "ui", notItsPort: true })]);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(record), [range.to]);
  });

  it("is marked unhealthy, saying why, when another program answered the health check on its port", async () => {
    const range = randomRange();
    // Right as the service is spawned, the test takes its port with a server that answers every request.
    const spawn: Spawner = async (service, onLine) => {
      if (service.port !== undefined) {
        const thief = createServer((_request, response) => response.end("not the service"));
        await new Promise<void>((resolve) => thief.listen(service.port, "127.0.0.1", resolve));
        onCleanup(() => new Promise<void>((resolve) => thief.close(() => resolve())));
      }
      return spawnService(service, onLine);
    };
    const { stack, events, record } = await startStack(
      yaml`
        ports: {range: ${range.from}-${range.from + 4}}
        services:
          ui:
            command: ${fixtureCommand(`--name ui --record record.jsonl --listen-on ${range.to}`)}
            health: {http: /}
      `,
      { spawn },
    );
    await waitUntil(() => events.some((event) => event.type === "unhealthy"), "ui marked unhealthy", 10_000);
    expect(events.find((event) => event.type === "unhealthy")).toEqual({
      type: "unhealthy",
      service: "ui",
      reason: `listens on ${range.to}, not on its port ${range.from}: does its command pass \${port}? (or $PORT, which it is given); another program answered its health check on ${range.from}`,
    });
    expect(stack.services.ui?.status).toBe("unhealthy");
    await stack.down();
    await expectNothingLeft(recordedPids(record), [range.to]);
  });
});
