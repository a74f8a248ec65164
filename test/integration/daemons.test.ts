// Services that daemonize themselves: whatever they leave listening on their ports is stopped with them, by
// `down()`, by `portmate down` and by the watchdog of a killed supervisor, also when the daemon has lost the
// mark portmate gave it (a process title written over its environment).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { up } from "../../src/stack/up.js";
import {
  expectNothingLeft,
  isListening,
  onCleanup,
  pidGone,
  processesWith,
  project,
  ps,
  randomRange,
  ROOT,
  runCli,
  tempProject,
  waitUntil,
  yaml,
} from "../support/helpers.js";
import { describeWith, REDIS } from "../support/requirements.js";

const DAEMONIZING = JSON.stringify(join(ROOT, "test", "fixtures", "daemonizing.mjs"));

/** The daemon's pid, once it wrote it; killed after the test if still there. */
async function daemonOf(pidFile: string): Promise<number> {
  await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, "utf8") !== "", "the daemon's pid file");
  const pid = Number(readFileSync(pidFile, "utf8"));
  onCleanup(() => {
    if (!pidGone(pid)) process.kill(pid, "SIGKILL");
  });
  return pid;
}

describe("a daemon a service left on its port", () => {
  it("is stopped by down() though it lost portmate's mark", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          proxied:
            command: node ${DAEMONIZING} daemon.pid
            env: {CLEAR_ENV: "1"}
      `,
    });
    const stack = await up({ cwd: dir });
    onCleanup(() => stack.down());
    const daemon = await daemonOf(join(dir, "daemon.pid"));
    const port = stack.services.proxied?.port ?? 0;
    await waitUntil(() => isListening(port), "the daemon listens");
    expect(readFileSync(`/proc/${daemon}/environ`, "latin1")).not.toContain("PORTMATE_OWNER=");
    await stack.down();
    await expectNothingLeft([stack.services.proxied?.pid ?? 0, daemon], [port]);
  });

  it("is stopped by the watchdog of a supervisor killed with SIGKILL", async () => {
    const { dir, env, state } = project(yaml`
      name: daemons
      ports: {range: ${randomRange().text}}
      services:
        proxied:
          command: node ${DAEMONIZING} daemon.pid
          env: {CLEAR_ENV: "1"}
    `);
    const started = await runCli(["up", "-d"], { cwd: dir, env });
    expect(started.exitCode, started.all).toBe(0);
    const daemon = await daemonOf(join(dir, "daemon.pid"));
    const record = JSON.parse(readFileSync(join(state, "stacks", "daemons@1.json"), "utf8")) as {
      supervisor: { pid: number };
      services: Array<{ port: number }>;
    };
    const port = record.services[0]?.port ?? 0;
    await waitUntil(() => isListening(port), "the daemon listens");
    process.kill(record.supervisor.pid, "SIGKILL");
    await waitUntil(async () => pidGone(daemon) && !(await isListening(port)), "the watchdog stops the daemon", 10_000);
    await expectNothingLeft([record.supervisor.pid, daemon], [port]);
  });
});

describeWith(REDIS, "redis-server --daemonize yes", () => {
  it("leaves nothing running, whether it looked healthy before it daemonized or not, and says how to run it", async () => {
    const { dir, env } = project(yaml`
      name: daemonic
      ports: {range: ${randomRange().text}}
      services:
        redis:
          command: [redis-server, --port, "\${port}", --bind, 127.0.0.1, --save, "", --appendonly, "no", --daemonize, "yes"]
    `);
    for (let run = 0; run < 3; run++) {
      const started = await runCli(["up", "-d", "--fresh-ports"], { cwd: dir, env });
      // Either the daemon answered the health check before its parent's exit was seen (up, and `down` stops the
      // daemon), or the exit came first: then the start fails, saying what happened and what to do.
      let port: number;
      if (started.exitCode === 0) port = (await ps(dir, env))[0]?.port as number;
      else {
        const said =
          /^redis exited with code 0 before it was healthy; it left pid \d+ \(redis-server 127\.0\.0\.1:(\d+)\) listening on its port: it daemonized itself, which portmate cannot follow, so it was stopped — run it in the foreground \(redis-server: --daemonize no\)$/m.exec(
            started.stderr,
          );
        expect(said, started.all).not.toBeNull();
        port = Number(said?.[1]);
      }
      const daemons = processesWith(`redis-server 127.0.0.1:${port}`);
      expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
      await waitUntil(async () => processesWith(`redis-server 127.0.0.1:${port}`).length === 0 && !(await isListening(port)), "redis is gone", 10_000);
      if (daemons.length) await expectNothingLeft(daemons, [port]);
    }
  });
});
