// Wiring with a real Redis: what the user set wins over portmate's discovery variables, each service is given
// those of itself and of what it uses only, and moving one service restarts only what refers to it.
import { connect, createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, fixtureCommand, project, ps, randomRange, readRecords, recordedPids, runCli, yaml } from "../support/helpers.js";
import { describeWith, REDIS } from "../support/requirements.js";

/** Sends one Redis command (inline form) and resolves with the first line of the reply. */
function redis(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(`${command}\r\n`));
    let reply = "";
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) {
        socket.end();
        resolve(reply.split("\r\n").slice(0, 2).join(" ").trim());
      }
    });
    socket.on("error", reject);
  });
}

/** The environment a fixture recorded at its last start. */
function lastEnv(record: string, name: string): Record<string, string> {
  const starts = readRecords(record).filter((line) => line.name === name && line.event === "start");
  return (starts.at(-1)?.env ?? {}) as Record<string, string>;
}

describeWith(REDIS, "wiring with a real Redis", () => {
  it("keeps the user's REDIS_URL, gives each service only what it uses, and never restarts Redis when the backend moves", async () => {
    const { dir, env, record } = project(yaml`
      name: wired
      ports: {range: ${randomRange().text}}
      services:
        redis:
          command: [redis-server, --port, "\${port}", --bind, 127.0.0.1, --save, "", --appendonly, "no"]
          url: redis
        backend:
          command: ${fixtureCommand("--name backend --record record.jsonl")}
          depends_on: [redis]
          health: {http: /}
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl")}
          depends_on: [backend]
        worker:
          command: ${fixtureCommand("--name worker --record record.jsonl")}
    `);
    const userEnv = { ...env, REDIS_URL: "redis://cache.internal:6379/0" };
    const up = await runCli(["up", "-d"], { cwd: dir, env: userEnv });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).toContain("redis, backend get REDIS_URL from the environment or an env file, not from portmate (`${services.redis.url}` is portmate's)");
    const before = Object.fromEntries((await ps(dir, env)).map((row) => [row.service, row]));
    const redisPort = before.redis?.port as number;

    // The user's REDIS_URL, the port portmate gave; nothing of services a service does not use.
    expect(lastEnv(record, "backend")).toMatchObject({ REDIS_URL: "redis://cache.internal:6379/0", REDIS_PORT: String(redisPort) });
    expect(lastEnv(record, "ui")).toMatchObject({ BACKEND_PORT: String(before.backend?.port) });
    expect(lastEnv(record, "ui")).not.toHaveProperty("REDIS_PORT");
    // The worker uses nothing: it has only what it inherited (the user's REDIS_URL among it).
    const worker = lastEnv(record, "worker");
    expect(Object.keys(worker).filter((name) => /^(REDIS_PORT|BACKEND_.*|UI_.*)$/.test(name))).toEqual([]);
    expect(worker.REDIS_URL).toBe("redis://cache.internal:6379/0");

    // Redis's URL is what its `url: redis` says, everywhere; the ui, checked over TCP, has none guessed.
    expect(before.redis?.url).toBe(`redis://127.0.0.1:${redisPort}`);
    expect(before.ui?.url).toBeNull();
    const exported = (await runCli(["env"], { cwd: dir, env })).stdout.split("\n");
    expect(exported).toContain(`export REDIS_URL=redis://127.0.0.1:${redisPort}`);
    expect(exported.filter((line) => line.startsWith("export UI_URL="))).toEqual([]);

    // Moving the backend restarts the ui, which uses it, and nothing else: Redis keeps its data.
    expect(await redis(redisPort, "SET greeting hello")).toBe("+OK");
    const moved = await runCli(["restart", "backend", "--new-port"], { cwd: dir, env });
    expect(moved.exitCode, moved.all).toBe(0);
    expect(moved.stdout).toMatch(/^backend restarted \(port \d+ → \d+\)\n {2}also restarted, as they refer to it: ui$/);
    const after = Object.fromEntries((await ps(dir, env)).map((row) => [row.service, row]));
    expect(after.redis?.pid).toBe(before.redis?.pid);
    expect(after.worker?.pid).toBe(before.worker?.pid);
    expect(after.ui?.pid).not.toBe(before.ui?.pid);
    expect(await redis(redisPort, "GET greeting")).toBe("$5 hello");
    expect(lastEnv(record, "ui")).toMatchObject({ BACKEND_PORT: String(after.backend?.port) });

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    const pids = [...recordedPids(record), before.redis?.pid as number];
    await expectNothingLeft(pids, [redisPort, after.backend?.port as number, after.ui?.port as number]);
  });
});

describe("discovery variables without Redis", () => {
  it("gives a `<SVC>_PORT` that named a taken preferred port the port the service got", async () => {
    const range = randomRange();
    const { dir, env, record } = project(yaml`
      ports: {range: ${range.text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl")}
        ui:
          command: ${fixtureCommand("--name ui --record record.jsonl")}
          depends_on: [api]
    `);
    // API_PORT names a port outside the range that is not free: the api gets another, and the ui is told that one.
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const busy = (listener.address() as AddressInfo).port;
    const up = await runCli(["up", "-d"], { cwd: dir, env: { ...env, API_PORT: String(busy) } });
    listener.close();
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).toMatch(new RegExp(`warning: api: preferred port ${busy} is taken`));
    const rows = await ps(dir, env);
    const api = rows.find((row) => row.service === "api")?.port as number;
    expect(api).not.toBe(busy);
    expect(lastEnv(record, "ui")).toMatchObject({ API_PORT: String(api) });
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(record), [api]);
  });
});
