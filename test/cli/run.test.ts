// `portmate run`: one-off commands against a running stack, with real processes: its exit code is portmate's,
// it sees the stack's ports (or one service's env and folder), and stdin, a terminal and Ctrl-C reach it.
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  CLI,
  expectNothingLeft,
  fixtureCommand,
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
import { TerminalSession } from "../support/terminal.js";

/** backend (HTTP) and worker, which runs in `sub/` with variables of its own. */
const STACK = (range: string) => yaml`
  name: runner
  ports: {range: ${range}}
  services:
    backend:
      command: ${fixtureCommand("--name backend --record record.jsonl")}
      health: {http: /}
    worker:
      command: ${fixtureCommand("--name worker --record ../record.jsonl")}
      cwd: sub
      depends_on: [backend]
      env:
        GREETING: hello from worker
        API_URL: \${services.backend.url}
`;

/** A started stack of STACK, with its ports by service. */
async function startStack() {
  const range = randomRange().text;
  const made = project(STACK(range));
  mkdirSync(join(made.dir, "sub"));
  const up = await runCli(["up", "-d"], { cwd: made.dir, env: made.env });
  expect(up.exitCode, up.all).toBe(0);
  const ports = Object.fromEntries((await ps(made.dir, made.env)).map((row) => [row.service, row.port as number]));
  return { ...made, ports };
}

/** Stops the stack and checks that no service, no command run, and no port is left. */
async function stopStack(stack: Awaited<ReturnType<typeof startStack>>, others: number[] = []) {
  const down = await runCli(["down"], { cwd: stack.dir, env: stack.env });
  expect(down.exitCode, down.all).toBe(0);
  await expectNothingLeft([...recordedPids(stack.record), ...others], Object.values(stack.ports));
}

/** A node one-liner that prints its folder and environment as JSON. */
const DUMP = ["node", "-e", "process.stdout.write(JSON.stringify({ cwd: process.cwd(), env: process.env }))"];

describe("portmate run", () => {
  it("passes the command's exit code, the stack's ports or one service's env and folder, and stdin", { timeout: 60_000 }, async () => {
    const stack = await startStack();
    const { dir, env } = stack;

    const seven = await runCli(["run", "--", "sh", "-c", "exit 7"], { cwd: dir, env });
    expect(seven.exitCode, seven.all).toBe(7);
    expect(seven.all).toBe("");
    const ok = await runCli(["run", "--", "true"], { cwd: dir, env });
    expect(ok.exitCode, ok.all).toBe(0);
    // Killed by a signal: 128 + its number, as shells say.
    const killed = await runCli(["run", "--", "sh", "-c", "kill -TERM $$"], { cwd: dir, env });
    expect(killed.exitCode, killed.all).toBe(128 + 15);

    // The discovery variables, the ports `portmate port` gives, over a stale one of the caller; in its folder.
    const discovery = await runCli(["run", "--", ...DUMP], { cwd: dir, env: { ...env, BACKEND_PORT: "1", FROM_CALLER: "kept" } });
    expect(discovery.exitCode, discovery.stderr).toBe(0);
    const seen = JSON.parse(discovery.stdout) as { cwd: string; env: Record<string, string> };
    const port = await runCli(["port", "backend"], { cwd: dir, env });
    expect(seen.env.BACKEND_PORT).toBe(port.stdout);
    expect(seen.env.BACKEND_PORT).toBe(String(stack.ports.backend));
    expect(seen.env.BACKEND_URL).toBe(`http://127.0.0.1:${stack.ports.backend}`);
    expect(seen.env.WORKER_PORT).toBe(String(stack.ports.worker));
    expect(seen.env.PORTMATE_PROJECT).toBe("runner");
    expect(seen.env.PORTMATE_INSTANCE).toBe("1");
    expect(seen.env.FROM_CALLER).toBe("kept");
    // Every variable `portmate env` prints, with the same value.
    const printed = await runCli(["env"], { cwd: dir, env });
    for (const line of printed.stdout.split("\n")) {
      const [, name = "", value = ""] = /^export ([A-Z_]+)=(.*)$/.exec(line) ?? [];
      expect(seen.env[name], line).toBe(value.replace(/^'|'$/g, ""));
    }
    expect(seen.env.PORT, "PORT is a service's own, not the stack's").toBeUndefined();
    expect(realpathSync(seen.cwd)).toBe(realpathSync(dir));

    // As the worker: in its folder, with what it was given (its env:, its PORT, the backend's URL).
    const asWorker = await runCli(["run", "worker", "--", ...DUMP], { cwd: dir, env: { ...env, GREETING: "the caller's", FROM_CALLER: "kept" } });
    expect(asWorker.exitCode, asWorker.stderr).toBe(0);
    const worker = JSON.parse(asWorker.stdout) as { cwd: string; env: Record<string, string> };
    expect(realpathSync(worker.cwd)).toBe(realpathSync(join(dir, "sub")));
    expect(worker.env.GREETING).toBe("hello from worker");
    expect(worker.env.API_URL).toBe(`http://127.0.0.1:${stack.ports.backend}`);
    expect(worker.env.PORT).toBe(String(stack.ports.worker));
    expect(worker.env.FROM_CALLER).toBe("kept");
    const {
      PORTMATE_OWNER: owner,
      PORTMATE_STATE_DIR: _state,
      ...given
    } = readRecords(stack.record).find((line) => line.name === "worker" && line.event === "start")?.env ?? {};
    expect(owner, "the worker was marked as portmate's").toBeDefined();
    expect(worker.env.PORTMATE_OWNER, "the command is not one of the services portmate stops").toBeUndefined();
    expect(Object.keys(given).length).toBeGreaterThanOrEqual(6);
    for (const [name, value] of Object.entries(given)) expect(worker.env[name], name).toBe(value);

    // stdin is the command's.
    const piped = await execa("node", [CLI, "run", "--", "sh", "-c", 'read line && echo "got $line"'], {
      cwd: dir,
      env: { NO_COLOR: "1", ...env },
      input: "hello\n",
      reject: false,
      timeout: 30_000,
    });
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stdout).toBe("got hello");

    // No such command: 127 and one line, as a shell says it; a typo of a service: a usage error with a guess.
    const missing = await runCli(["run", "--", "no-such-command-here", "--flag"], { cwd: dir, env });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr.split("\n")[0]).toBe("no-such-command-here: command not found");
    writeFileSync(join(dir, "script.sh"), "#!/bin/sh\necho never\n", { mode: 0o644 });
    const notExecutable = await runCli(["run", "--", "./script.sh"], { cwd: dir, env });
    expect(notExecutable.exitCode).toBe(126);
    expect(notExecutable.all).toBe("./script.sh: permission denied (not executable)");
    const typo = await runCli(["run", "backnd", "--", "true"], { cwd: dir, env });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr.split("\n")[0]).toBe('runner has no service "backnd" (did you mean "backend"?)');
    expect(typo.stderr).toContain("hint: services: backend, worker");

    await stopStack(stack);
  });

  it("passes a signal sent to portmate alone on to the command, which decides what to do", { timeout: 60_000 }, async () => {
    const stack = await startStack();
    const children: number[] = [];
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
      const script = `process.on("${signal}", () => { console.log("child: ${signal}"); process.exit(5) }); console.log(\`ready \${process.pid}\`); setInterval(() => {}, 1000)`;
      // A session of its own: no terminal, so even SIGINT and SIGHUP are not sent to its group by one.
      const subprocess = execa("node", [CLI, "run", "--", "node", "-e", script], {
        cwd: stack.dir,
        env: { NO_COLOR: "1", ...stack.env },
        detached: true,
        reject: false,
        all: true,
        timeout: 30_000,
      });
      let output = "";
      subprocess.all.on("data", (chunk: Buffer) => (output += chunk.toString()));
      await waitUntil(() => /ready \d+/.test(output), "the command to start");
      children.push(Number(/ready (\d+)/.exec(output)?.[1]));
      subprocess.kill(signal);
      const result = await subprocess;
      expect(result.exitCode, `${signal}: ${result.all}`).toBe(5);
      expect(result.all).toBe(`ready ${children.at(-1)}\nchild: ${signal}`);
    }
    await stopStack(stack, children);
  });

  it("gives the command the terminal, and Ctrl-C to the command alone, once", { timeout: 60_000 }, async () => {
    const stack = await startStack();
    const { dir, env } = stack;

    const tty = TerminalSession.start(["run", "--", "sh", "-c", "test -t 0 && test -t 1 && test -t 2 && echo TTY-OK"], { cwd: dir, env });
    const shown = await tty.finished();
    expect(shown.exitCode, shown.text).toBe(0);
    expect(shown.text).toContain("TTY-OK");

    // A command that Ctrl-C kills: portmate exits as a shell reports it, 130.
    const plain = TerminalSession.start(["run", "--", "node", "-e", "console.log(`ready ${process.pid}`); setInterval(() => {}, 1000)"], { cwd: dir, env });
    const plainChild = Number(/ready (\d+)/.exec(await plain.waitFor(/ready \d+/))?.[1]);
    plain.type("\x03");
    const stopped = await plain.finished();
    expect(stopped.exitCode, stopped.text).toBe(130);
    expect(stopped.text).not.toMatch(/portmate|error/i);

    // A command that handles Ctrl-C (a REPL): it gets it once, and portmate waits for it and takes its code.
    const trap = [
      "let count = 0;",
      'process.on("SIGINT", () => { if (count++ === 0) setTimeout(() => { console.log(`SIGINT x${count}`); process.exit(3) }, 500) });',
      "console.log(`ready ${process.pid}`); setInterval(() => {}, 1000)",
    ].join(" ");
    const trapping = TerminalSession.start(["run", "--", "node", "-e", trap], { cwd: dir, env });
    const trapChild = Number(/ready (\d+)/.exec(await trapping.waitFor(/ready \d+/))?.[1]);
    trapping.type("\x03");
    const handled = await trapping.finished();
    expect(handled.exitCode, handled.text).toBe(3);
    expect(handled.text).toContain("SIGINT x1");

    for (const pid of [plainChild, trapChild]) expect(pidGone(pid), `command ${pid} is still running`).toBe(true);
    await stopStack(stack, [plainChild, trapChild]);
  });

  it("says the stack is not running, and what to do, with no process started", async () => {
    const { dir, env } = project(STACK(randomRange().text));
    mkdirSync(join(dir, "sub"));
    const result = await runCli(["run", "--", "sh", "-c", "echo should-not-run"], { cwd: dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("runner is not running\nhint: `portmate up -d` starts it in the background");
  });

  it.each([
    ["run", "the command to run goes after --"],
    ["run sh -c true", "the command to run goes after --"],
    ["run --", "no command after --"],
    ["run backend worker -- true", 'only a service may stand before --, got "backend worker"'],
    ["run --instanse 2 -- true", "unknown option '--instanse'"],
  ])("refuses `portmate %s` as a usage error with an example", async (line, message) => {
    const { dir, env } = project(STACK(randomRange().text));
    const result = await runCli(line.split(" "), { cwd: dir, env });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe(message);
    expect(result.stderr.split("\n")[1]).toMatch(/^hint: `portmate run/);
  });
});
