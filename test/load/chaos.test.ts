// Breaking things on purpose: a supervisor killed with SIGKILL at any moment, services that crash-loop, ignore
// SIGTERM, leave their session or daemonize, a state folder that is read-only or full, and commands racing each
// other. What must hold each time: no process and no listener left, no stack record, and the next `up` works.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  FIXTURE,
  ROOT,
  expectNothingLeft,
  fixtureCommand,
  isListening,
  onCleanup,
  pidGone,
  project,
  ps,
  randomRange,
  readRecords,
  recordedPids,
  runCli,
  startCli,
  waitForOutput,
  waitUntil,
  watchdogOf,
  yaml,
} from "../support/helpers.js";

/**
 * Every live process started with this state folder in its environment: the CLI, the supervisor, its watchdog
 * and reaper, every service and whatever they started (they all inherit the CLI's environment). Read straight
 * from /proc, independently of portmate's own lookup.
 */
function processesOf(state: string): number[] {
  const needle = Buffer.from(`\0PORTMATE_STATE_DIR=${state}\0`);
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`), Buffer.from([0])]);
      if (environ.includes(needle) && !pidGone(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return pids;
}

/** Every port a state folder has recorded or reserved: what a test checks is closed at the end. */
class PortsSeen {
  readonly ports = new Set<number>();

  constructor(private readonly state: string) {}

  /** Adds what the state folder holds now; call it whenever the stack may have taken new ports. */
  note(): void {
    const stacks = join(this.state, "stacks");
    for (const name of existsSync(stacks) ? readdirSync(stacks) : []) {
      if (!name.endsWith(".json")) continue;
      try {
        const record = JSON.parse(readFileSync(join(stacks, name), "utf8")) as { services: Array<{ ports: Record<string, number> }> };
        for (const service of record.services) for (const port of Object.values(service.ports)) this.ports.add(port);
      } catch {
        // replaced while we read it
      }
    }
    const locks = join(this.state, "ports");
    for (const name of existsSync(locks) ? readdirSync(locks) : []) if (/^\d+\.lock$/.test(name)) this.ports.add(Number.parseInt(name, 10));
  }
}

/** The ports that something listens on. */
async function listeners(ports: Iterable<number>): Promise<number[]> {
  const open: number[] = [];
  for (const port of ports) if (await isListening(port)) open.push(port);
  return open;
}

/** Waits until nothing of the project runs, listens or is recorded; fails naming what is left. */
async function expectAllGone(state: string, seen: PortsSeen, timeoutMs = 15_000): Promise<void> {
  seen.note();
  const ports = seen.ports;
  await waitUntil(
    async () => processesOf(state).length === 0 && (await listeners(ports)).length === 0,
    "every process gone and every port closed",
    timeoutMs,
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}: left ${JSON.stringify({ processes: describe(processesOf(state)), ports: await listeners(ports) })}`);
  });
  expect(existsSync(join(state, "stacks")) ? readdirSync(join(state, "stacks")).filter((name) => name.endsWith(".json")) : []).toEqual([]);
  expect(existsSync(join(state, "ports")) ? readdirSync(join(state, "ports")) : []).toEqual([]);

  function describe(pids: number[]): string[] {
    return pids.map((pid) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`;
      } catch {
        return String(pid);
      }
    });
  }
}

/** The supervisor of the project's first instance, from its record. */
function supervisorOf(state: string, name: string): number {
  return (JSON.parse(readFileSync(join(state, "stacks", `${name}@1.json`), "utf8")) as { supervisor: { pid: number } }).supervisor.pid;
}

/**
 * Services that make stopping hard: one with a grandchild in its group, one that ignores SIGTERM, one whose
 * real process runs in a session of its own (setsid), and one that double-forks a daemon which listens for it
 * and is then no child of anything portmate started.
 */
const HARD_STACK = (range: string) => yaml`
  name: chaos
  ports: {range: ${range}}
  services:
    db:
      command: ${fixtureCommand("--name db --record record.jsonl --grandchild --listen-delay 200")}
      health: {http: /}
    stubborn:
      command: ${fixtureCommand("--name stubborn --record record.jsonl --ignore-term")}
      stop_timeout: 1s
    sessioned:
      command: setsid -w node ${JSON.stringify(FIXTURE)} --name sessioned --record record.jsonl
      depends_on: [db]
    daemon:
      command: node ${JSON.stringify(join(ROOT, "test", "fixtures", "daemonizing.mjs"))} daemon.pid
      depends_on: [db]
`;

/** Real stacks, several in a row, on a shared 2-core machine: generous, as no test here measures time. */
const SLOW = 180_000;

function range(): { from: number; to: number; text: string } {
  return randomRange();
}

describe("a supervisor killed with SIGKILL", () => {
  it("leaves no service behind that logs while shutting down and wedges on its output's dead reader", { timeout: SLOW }, async () => {
    const { dir, env, state, record } = project(yaml`
      name: wedged
      ports: {range: ${range().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --log-shutdown")}
          stop_timeout: 2m
        worker:
          command: ${fixtureCommand("--name worker --record record.jsonl --log-shutdown --tick 50")}
          stop_timeout: 2m
    `);
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const ports = (await ps(dir, env)).map((row) => row.port as number);
    process.kill(supervisorOf(state, "wedged"), "SIGKILL");
    // Each got SIGTERM, could not write its last line, and would wait for its two-minute stop timeout: the
    // watchdog gives a service of a dead supervisor a moment only.
    await waitUntil(
      async () => recordedPids(record).every(pidGone) && !(await Promise.all(ports.map(isListening))).some(Boolean),
      "every service gone, every port closed",
      10_000,
    );
    // The api was asked to stop, and its last line found no reader (the worker, ticking, may have died of that
    // already).
    const api = readRecords(record)
      .filter((line) => line.name === "api")
      .map((line) => line.event);
    expect(api).toEqual(expect.arrayContaining(["sigterm", "shutdown-log-failed"]));
    await expectNothingLeft(recordedPids(record), ports);
  });

  it("leaves nothing behind even when nobody runs `down`: its watchdog stops every service, daemons included", { timeout: SLOW }, async () => {
    const ports = range();
    const { dir, env, state } = project(HARD_STACK(ports.text));
    const seen = new PortsSeen(state);
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    seen.note();
    expect(seen.ports.size).toBe(4);
    const rows = await ps(dir, env);
    expect(rows.map((row) => row.status)).toEqual(["healthy", "healthy", "healthy", "healthy"]);
    const daemon = Number(readFileSync(join(dir, "daemon.pid"), "utf8"));
    expect(pidGone(daemon)).toBe(false);

    process.kill(supervisorOf(state, "chaos"), "SIGKILL");
    // The stubborn service takes its 1 s stop timeout; everything else goes at once.
    await expectAllGone(state, seen);
    expect(pidGone(daemon)).toBe(true);

    // The next `up` works, and `down` after it leaves nothing either.
    const again = await runCli(["up", "-d"], { cwd: dir, env });
    expect(again.exitCode, again.all).toBe(0);
    seen.note();
    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectAllGone(state, seen);
  });

  it("and its watchdog with it: `down` still finds every process, the double-forked daemon by its mark", { timeout: SLOW }, async () => {
    const ports = range();
    const { dir, env, state } = project(HARD_STACK(ports.text));
    const seen = new PortsSeen(state);
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    seen.note();
    const daemon = Number(readFileSync(join(dir, "daemon.pid"), "utf8"));
    const supervisor = supervisorOf(state, "chaos");
    const watchdog = watchdogOf(supervisor);
    expect(watchdog, "the supervisor's watchdog").toBeGreaterThan(1);
    process.kill(watchdog as number, "SIGKILL");
    process.kill(supervisor, "SIGKILL");
    await sleep(300);
    expect(pidGone(daemon), "nothing but down stops the daemon now").toBe(false);
    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectAllGone(state, seen);
    expect(pidGone(daemon)).toBe(true);
  });

  it("of a foreground `up` leaves nothing behind either", { timeout: SLOW }, async () => {
    const ports = range();
    const { dir, env, state } = project(HARD_STACK(ports.text));
    const seen = new PortsSeen(state);
    const up = startCli(["up"], { cwd: dir, env });
    await waitForOutput(up, /^SERVICE\s+PID/m, 30_000);
    seen.note();
    up.kill("SIGKILL");
    await up;
    await expectAllGone(state, seen);
  });

  it("is cleaned up by `down`, whatever moment of `up -d` it died at; the next `up` works", { timeout: SLOW }, async () => {
    const ports = range();
    const { dir, env, state } = project(yaml`
      name: moments
      ports: {range: ${ports.text}}
      services:
        db:
          command: ${fixtureCommand("--name db --record record.jsonl --grandchild --listen-delay 300")}
          health: {http: /}
        api:
          command: ${fixtureCommand("--name api --record record.jsonl --listen-delay 200")}
          depends_on: [db]
          env: {DB: "\${services.db.url}"}
        web:
          command: ${fixtureCommand("--name web --record record.jsonl --escaped-grandchild")}
          depends_on: [api]
    `);
    const seen = new PortsSeen(state);
    // Named moments, each found by watching the state folder, then moments picked at random (the seed is
    // printed, so a failure can be replayed with CHAOS_SEED).
    const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
    console.log(`chaos moments: CHAOS_SEED=${seed}`);
    const random = mulberry32(seed);
    const moments: Array<{ name: string; when: () => boolean | Promise<boolean> }> = [
      { name: "as soon as the supervisor runs (the CLI is still allocating)", when: () => true },
      { name: "once the stack is recorded (starting)", when: () => existsSync(join(state, "stacks", "moments@1.json")) },
      { name: "while db is up but not healthy", when: () => recordedStatus(state, "db") === "starting" && recordedPid(state, "db") !== null },
      { name: "while api waits for its health check", when: () => recordedStatus(state, "api") === "starting" },
      { name: "once everything is healthy", when: () => recordedStatus(state, "web") === "healthy" },
      ...Array.from({ length: 3 }, (_, index) => {
        const delay = Math.floor(random() * 1500);
        return { name: `random moment ${index + 1}: ${delay} ms after the supervisor starts`, when: sleepThenTrue(delay) };
      }),
    ];
    for (const moment of moments) {
      const up = startCli(["up", "-d"], { cwd: dir, env });
      const supervisor = await findSupervisor(state);
      await waitUntil(() => (seen.note(), moment.when()), moment.name, 20_000);
      process.kill(supervisor, "SIGKILL");
      seen.note();
      const result = await up;
      // Killed before the stack was up, `up` fails and says so; after, it had already succeeded.
      if (result.exitCode !== 0) expect(result.stderr, `${moment.name}: exit ${result.exitCode}`).toMatch(/supervisor/);
      const down = await runCli(["down"], { cwd: dir, env });
      expect(down.exitCode, `${moment.name}: ${down.all}`).toBe(0);
      await expectAllGone(state, seen).catch((error: Error) => {
        throw new Error(`${moment.name}: ${error.message}`);
      });
    }
    const again = await runCli(["up", "-d"], { cwd: dir, env });
    expect(again.exitCode, again.all).toBe(0);
    seen.note();
    expect((await ps(dir, env)).map((row) => row.status)).toEqual(["healthy", "healthy", "healthy"]);
    await runCli(["down"], { cwd: dir, env });
    await expectAllGone(state, seen);
  });

  it("stops a crash-looping service too (down while it loops, and the watchdog while it loops)", { timeout: SLOW }, async () => {
    const ports = range();
    const { dir, env, state, record } = project(yaml`
      name: loop
      ports: {range: ${ports.text}}
      services:
        flaky:
          command: ${fixtureCommand("--name flaky --record record.jsonl --grandchild --exit-after 150 --exit-code 3")}
          restart: {policy: always, delay: 100ms}
    `);
    const seen = new PortsSeen(state);
    for (const stopper of ["down", "SIGKILL"] as const) {
      const up = await runCli(["up", "-d"], { cwd: dir, env });
      expect(up.exitCode, up.all).toBe(0);
      seen.note();
      const starts = () => readRecords(record).filter((line) => line.name === "flaky" && line.event === "start").length;
      const before = starts();
      await waitUntil(() => starts() >= before + 3, "flaky restarted three times", 20_000);
      if (stopper === "down") expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
      else process.kill(supervisorOf(state, "loop"), "SIGKILL");
      await expectAllGone(state, seen);
      // And nothing restarts it afterwards.
      const after = starts();
      await sleep(500);
      expect(starts(), stopper).toBe(after);
    }
  });
});

describe("a state folder that cannot be written", () => {
  it("read-only: `up` says so in one line, exits 2 and starts nothing", { timeout: SLOW }, async () => {
    const ports = range();
    const { dir, env, state } = project(HARD_STACK(ports.text));
    const seen = new PortsSeen(state);
    mkdirSync(state, { recursive: true });
    await mountTmpfs(state, "ro,size=64k", () => runCli(["down", "-a"], { cwd: dir, env }));
    for (const args of [["up"], ["up", "-d"]]) {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr.split("\n")[0]).toMatch(
        new RegExp(`^cannot write to the state folder ${state}: it is on a read-only file system \\[EROFS\\] \\(mkdir ${state}/(run|stacks)\\)$`),
      );
      expect(result.all).not.toMatch(/\n\s+at /);
      expect(processesOf(state)).toEqual([]);
      expect(existsSync(join(dir, "record.jsonl")), "a service started").toBe(false);
    }
  });

  it(
    "full: `up` says so, exits 2, starts nothing and leaves no partial file; a disk that fills later loses log lines, not the stack",
    { timeout: SLOW },
    async () => {
      const ports = range();
      const { dir, env, state, record } = project(yaml`
      name: full
      ports: {range: ${ports.text}}
      services:
        chatty:
          command: ${fixtureCommand("--name chatty --record record.jsonl --tick 20")}
    `);
      const seen = new PortsSeen(state);
      mkdirSync(state, { recursive: true });
      await mountTmpfs(state, "size=256k", async () => {
        writeFileSync(join(state, "filler"), "");
        await runCli(["down", "-a"], { cwd: dir, env });
      });
      const filler = join(state, "filler");
      const fill = () => execa("dd", ["if=/dev/zero", `of=${filler}`, "bs=4k"], { reject: false });
      await fill();
      const before = readdirSync(state, { recursive: true, encoding: "utf8" });
      for (const args of [["up"], ["up", "-d"]]) {
        const result = await runCli(args, { cwd: dir, env });
        expect(result.exitCode, result.all).toBe(2);
        expect(result.stderr).toMatch(/^cannot write to the state folder .*: no space left on the device \[ENOSPC\]/);
        expect(result.stderr).toMatch(/hint: free some space there/);
        expect(result.all).not.toMatch(/\n\s+at /);
        expect(processesOf(state)).toEqual([]);
        expect(existsSync(record), "a service started").toBe(false);
        // Folders may have been made; no file was left half-written.
        expect(
          readdirSync(state, { recursive: true, encoding: "utf8" }).filter((entry) => !before.includes(entry) && !isFolder(join(state, String(entry)))),
        ).toEqual([]);
      }

      // Room again: the stack starts; then the disk fills up under it.
      writeFileSync(filler, "");
      const up = await runCli(["up", "-d"], { cwd: dir, env });
      expect(up.exitCode, up.all).toBe(0);
      seen.note();
      const supervisor = supervisorOf(state, "full");
      const log = join(state, "logs", "full", "1", "chatty.log");
      await fill();
      // The log's last page may still have room for some lines: wait until it stops growing while chatty talks on.
      await waitUntil(
        async () => {
          const size = statSync(log).size;
          await sleep(400);
          return statSync(log).size === size;
        },
        "the log stopped growing",
        20_000,
      );
      expect(pidGone(supervisor), "the supervisor died of the full disk").toBe(false);
      expect((await ps(dir, env)).map((row) => row.status)).toEqual(["healthy"]);
      writeFileSync(filler, "");
      await waitUntil(() => /\[portmate: \d+ lines? lost: ENOSPC\]/.test(readFileSync(log, "utf8")), "the log says how many lines it lost");
      expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
      await expectAllGone(state, seen);
    },
  );
});

describe("commands racing each other", () => {
  it("two `down`s and an `up` on the same project leave a consistent state", { timeout: SLOW }, async () => {
    const ports = range();
    const { dir, env, state } = project(yaml`
      name: race
      ports: {range: ${ports.text}}
      services:
        db:
          command: ${fixtureCommand("--name db --record record.jsonl --grandchild")}
          health: {http: /}
        web:
          command: ${fixtureCommand("--name web --record record.jsonl")}
          depends_on: [db]
    `);
    const seen = new PortsSeen(state);
    for (let round = 0; round < 4; round++) {
      const first = await runCli(["up", "-d"], { cwd: dir, env });
      expect(first.exitCode, first.all).toBe(0);
      seen.note();
      // Staggered a little differently each round, so the up lands before, between and after the downs.
      const results = await Promise.all([
        runCli(["down"], { cwd: dir, env }),
        sleep(round * 60).then(() => runCli(["up", "-d"], { cwd: dir, env })),
        sleep(30).then(() => runCli(["down"], { cwd: dir, env })),
      ]);
      for (const result of results) expect(result.all).not.toMatch(/\n\s+at |unexpected error/);
      for (const result of [results[0], results[2]]) expect(result?.exitCode, result?.all).toBe(0);
      // Either the stack runs, whole and recorded once, or nothing of it does.
      const rows = await ps(dir, env);
      if (rows.length > 0) {
        expect(
          rows.map((row) => [row.service, row.status]),
          `round ${round}`,
        ).toEqual([
          ["db", "healthy"],
          ["web", "healthy"],
        ]);
        for (const row of rows) expect(pidGone(row.pid ?? 0), `${row.service} is recorded but not running`).toBe(false);
        const supervisors = processesOf(state).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("supervisor.js"));
        expect(supervisors, `round ${round}: one supervisor`).toHaveLength(1);
      } else {
        expect(results[1]?.exitCode === 0 || /stopped|not running|being stopped/i.test(results[1]?.stderr ?? ""), results[1]?.all).toBe(true);
        await expectAllGone(state, seen);
      }
      expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
      await expectAllGone(state, seen);
    }
  });
});

/** A small seeded random number generator (mulberry32), so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function sleepThenTrue(ms: number): () => boolean {
  let start: number | undefined;
  return () => {
    start ??= Date.now();
    return Date.now() - start >= ms;
  };
}

interface RecordedService {
  name: string;
  status: string;
  pid: number | null;
}

function recordedService(state: string, name: string): RecordedService | undefined {
  try {
    const record = JSON.parse(readFileSync(join(state, "stacks", "moments@1.json"), "utf8")) as { services: RecordedService[] };
    return record.services.find((service) => service.name === name);
  } catch {
    return undefined;
  }
}

function recordedStatus(state: string, name: string): string | undefined {
  return recordedService(state, name)?.status;
}

function recordedPid(state: string, name: string): number | null {
  return recordedService(state, name)?.pid ?? null;
}

/** The detached supervisor the running `up -d` started, found by its environment and command line. */
async function findSupervisor(state: string): Promise<number> {
  let found: number | undefined;
  await waitUntil(() => {
    found = processesOf(state).find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("supervisor.js"));
    return found !== undefined;
  }, "the supervisor started");
  return found as number;
}

function isFolder(path: string): boolean {
  try {
    return readdirSync(path) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Mounts a tmpfs (root only, as CI runs) over `dir` for the test; unmounted after it, once `beforeUnmount` has
 * run (a `down` of what the test left running, which needs the state folder still in place).
 */
async function mountTmpfs(dir: string, options: string, beforeUnmount: () => Promise<unknown>): Promise<void> {
  await execa("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
  onCleanup(async () => {
    await execa("umount", ["-l", dir], { reject: false }).then(() => undefined);
  });
  // Cleanups run last first: this one before the unmount.
  onCleanup(async () => {
    await beforeUnmount();
  });
}
