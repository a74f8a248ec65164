import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { afterEach, expect } from "vitest";
import type { PsRow } from "../../src/stack/ps-rows.js";
import type { StackEvent } from "../../src/supervise/events.js";
import { up, type UpOptions } from "../../src/stack/up.js";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
/** The CLI as the package's bin runs it. */
export const CLI = join(ROOT, "dist", "portmate.cjs");
export const FIXTURE = join(ROOT, "test", "fixtures", "service.mjs");

const cleanups: Array<() => void | Promise<void>> = [];

/** Runs `fn` after the current test, whatever its outcome. */
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A fresh folder with the given files (portmate.yaml among them), removed after the test. */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "portmate-test-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  onCleanup(() => {
    killLeftovers(join(dir, "record.jsonl"));
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * A failing test may stop before portmate has stopped its services: kill every fixture process (and its
 * `sleep` grandchildren) that a record file lists and that is still running, so nothing outlives the test.
 * Only processes whose command line is still a fixture's are touched, in case a pid was reused.
 */
function killLeftovers(record: string): void {
  for (const pid of recordedPids(record)) {
    if (pidGone(pid)) continue;
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (!cmdline.includes("service.mjs") && cmdline.trim() !== "sleep 1000") continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // not a group leader, or already gone
      }
    }
  }
}

const SLOT_WIDTH = 200;
const FIRST_PORT = 10_000;
/** Slots below the ephemeral range (outgoing connections take ports from 32768 up). */
const SLOTS = Math.floor((32_000 - FIRST_PORT) / SLOT_WIDTH);

/**
 * Where test port ranges are claimed: shared by every test run of the user on this machine, as two checkouts
 * (or a test run and a benchmark) running at the same time must not share ports either.
 */
const RANGE_CLAIMS = join(tmpdir(), `portmate-test-ranges-${process.getuid?.() ?? "user"}`);

/**
 * A port range of its own for one test: one of 110 slots of 200 ports, claimed with an O_EXCL file until the
 * test ends, so tests running at the same time, in other files or other test runs, never share ports (a port
 * one test has just freed and checks is closed is not another's). Nothing assumes its ports are free: tests
 * that need busy ports make them busy.
 */
export function randomRange(width = SLOT_WIDTH): { from: number; to: number; text: string } {
  if (width > SLOT_WIDTH) throw new Error(`ranges are at most ${SLOT_WIDTH} ports`);
  mkdirSync(RANGE_CLAIMS, { recursive: true, mode: 0o700 });
  const start = Math.floor(Math.random() * SLOTS);
  for (let offset = 0; offset < SLOTS; offset++) {
    const slot = (start + offset) % SLOTS;
    const claim = join(RANGE_CLAIMS, String(slot));
    if (!claimSlot(claim)) continue;
    onCleanup(() => rmSync(claim, { force: true }));
    const from = FIRST_PORT + slot * SLOT_WIDTH;
    return { from, to: from + width - 1, text: `${from}-${from + width - 1}` };
  }
  throw new Error("every test port range is in use");
}

/**
 * Creates a claim file naming this process. The claim of a process that died (a test run killed before its
 * clean-up) is taken over; one still being written (no pid in it yet) is left alone. (Two runs taking over the
 * same dead claim in the same instant could both get it: rare enough for a claim that only a killed run leaves.)
 */
function claimSlot(claim: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(claim, String(process.pid), { flag: "wx", mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(claim, "utf8"));
    } catch {
      continue; // released meanwhile: try again
    }
    if (!(owner > 0) || !pidGone(owner)) return false;
    rmSync(claim, { force: true });
  }
  return false;
}

/** The command line of the fixture service, for portmate.yaml. */
export function fixtureCommand(args = ""): string {
  return `node ${JSON.stringify(FIXTURE)}${args ? ` ${args}` : ""}`;
}

/**
 * A portmate.yaml of two fixture servers with HTTP health checks, on ports of `range`: `service`, which depends
 * on `db`, gets its URL as DB_URL and prints the `says` lines once it runs; both record to record.jsonl.
 */
export function dependentPair(project: string, range: string, service: string, says: readonly string[]): string {
  const sayings = says.map((line) => ` --say '${line}'`).join("");
  return yaml`
    name: ${project}
    ports: {range: ${range}}
    services:
      ${service}:
        command: ${fixtureCommand(`--name ${service} --record record.jsonl${sayings}`)}
        depends_on: [db]
        env: {DB_URL: "\${services.db.url}"}
        health: {http: /}
      db:
        command: ${fixtureCommand("--name db --record record.jsonl")}
        health: {http: /}
  `;
}

/** One line of a fixture's record file. */
export interface RecordLine {
  name: string;
  event: string;
  t: number;
  pid: number;
  port?: number;
  child?: number;
  env?: Record<string, string>;
  argv?: string[];
}

export function readRecords(file: string): RecordLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordLine);
}

/** Every pid a record file mentions: the services and the grandchildren they spawned. */
export function recordedPids(file: string): number[] {
  return [...new Set(readRecords(file).flatMap((line) => [line.pid, ...(line.child ? [line.child] : [])]))];
}

/** Runs the portmate CLI to completion (killed after `timeoutMs`, a minute by default). */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }) {
  return execa("node", [CLI, ...args], {
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 60_000,
  });
}

/** Starts the portmate CLI and leaves it running; killed after the test if still alive. */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string> }): ResultPromise<{ all: true; reject: false }> {
  const subprocess = execa("node", [CLI, ...args], { cwd: options.cwd, env: { NO_COLOR: "1", ...options.env }, reject: false, all: true });
  onCleanup(async () => {
    if (subprocess.exitCode !== null) return;
    // Stop it the way a user would, so it stops its services too; SIGKILL only if it does not exit.
    subprocess.kill("SIGTERM");
    const timer = setTimeout(() => subprocess.kill("SIGKILL"), 15_000);
    await subprocess;
    clearTimeout(timer);
  });
  return subprocess;
}

/** Resolves once the subprocess has printed a line matching `pattern`; returns everything printed so far. */
export async function waitForOutput(subprocess: ResultPromise<{ all: true; reject: false }>, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  let seen = "";
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${seen}`)), timeoutMs);
    subprocess.all?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolvePromise(seen);
      }
    });
    void subprocess.then((result) => {
      clearTimeout(timer);
      if (!pattern.test(seen)) reject(new Error(`exited (${result.exitCode}) before printing ${pattern}; output:\n${seen}`));
    });
  });
}

/** Polls until `predicate` holds; fails with `message` after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, message: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${message}`);
    await sleep(25);
  }
}

/**
 * True when no live process has this pid. A zombie counts as gone: on machines where nothing reaps orphans,
 * a killed grandchild can stay a zombie forever. Read straight from /proc, independently of portmate's own
 * process-tree code, so the tests do not trust what they test.
 */
export function pidGone(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return true;
  }
  const state = stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
  if (state !== "Z" && state !== "X") return false;
  // Its main thread turns zombie as soon as it exits; the process is gone once every thread has.
  try {
    return readdirSync(`/proc/${pid}/task`).every((task) => {
      const text = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
      return /^[ZX]/.test(text.slice(text.lastIndexOf(")") + 2));
    });
  } catch {
    return true;
  }
}

/**
 * Live processes (zombies count as gone) whose command line (`where: "cmdline"`) or environment (`"environ"`)
 * holds `needle`, read from /proc: what a test started, found without asking portmate.
 */
export function processesWith(needle: string, where: "cmdline" | "environ" = "cmdline"): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const text = readFileSync(`/proc/${entry}/${where}`, "latin1");
      const found = where === "environ" ? text.split("\0").includes(needle) : text.includes(needle);
      if (found && !pidGone(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return pids;
}

/** Every pid is gone and no port still listens: what each integration test checks after stopping. */
export async function expectNothingLeft(pids: number[], ports: number[]): Promise<void> {
  expect(pids.length, "the test recorded no process to check").toBeGreaterThan(0);
  for (const pid of pids) expect(pidGone(pid), `pid ${pid} is still running`).toBe(true);
  for (const port of ports) expect(await isListening(port), `port ${port} still listens`).toBe(false);
}

/** Whether something accepts connections on the port (IPv4 or IPv6 loopback). */
export async function isListening(port: number): Promise<boolean> {
  for (const host of ["127.0.0.1", "::1"]) {
    const open = await new Promise<boolean>((resolvePromise) => {
      const socket = connect({ host, port });
      socket.once("connect", () => {
        socket.destroy();
        resolvePromise(true);
      });
      socket.once("error", () => resolvePromise(false));
    });
    if (open) return true;
  }
  return false;
}

/** Occupies a port with a listener on `host`; closed after the test. Undefined if the port was not free. */
export async function occupy(port: number, host: string, ipv6Only = false): Promise<Server | undefined> {
  const server = createServer();
  const ok = await new Promise<boolean>((resolvePromise) => {
    server.once("error", () => resolvePromise(false));
    server.listen({ port, host, ipv6Only }, () => resolvePromise(true));
  });
  if (!ok) return undefined;
  onCleanup(() => new Promise<void>((done) => server.close(() => done())));
  return server;
}

/** A yaml string for the given lines, so test configs read like files. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, part, index) => out + part + (index < values.length ? String(values[index]) : ""), "");
  const lines = text.replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)?.[0].length ?? 0));
  return lines.map((line) => line.slice(indent)).join("\n");
}

/** A project folder with its own state folder, so `ps -a` and `down -a` see only this test's stacks. */
export function project(text: string) {
  const dir = tempProject({ "portmate.yaml": text });
  const env = { PORTMATE_STATE_DIR: join(dir, "state") };
  onCleanup(async () => {
    await runCli(["down", "-a"], { cwd: dir, env });
  });
  return { dir, env, record: join(dir, "record.jsonl"), state: join(dir, "state") };
}

/** One object of `ps --json`. */
export type PsJson = Omit<PsRow, "id" | "uptimeMs" | "publicUrl" | "namedUrl" | "listening"> & {
  public_url: string | null;
  named_url: string | null;
  listening: number[] | null;
};

export async function ps(cwd: string, env: Record<string, string>, ...args: string[]): Promise<PsJson[]> {
  const result = await runCli(["ps", "--json", ...args], { cwd, env });
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as PsJson[];
}

/** Starts a stack from `text` (a portmate.yaml in a fresh folder) with the library; it is stopped after the test. */
export async function startStack(text: string, options: UpOptions = {}) {
  const dir = tempProject({ "portmate.yaml": text });
  const events: StackEvent[] = [];
  const stack = await up({ cwd: dir, onEvent: (event) => events.push(event), ...options });
  onCleanup(() => stack.down());
  return { stack, dir, events, record: join(dir, "record.jsonl") };
}

/** The pid of the watchdog (a waiting `sh`, see src/supervise/watchdog.ts) that the portmate process `owner` started. */
export function watchdogOf(owner: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === owner && readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes("portmate-watchdog")) return Number(entry);
    } catch {
      // gone while we looked
    }
  }
  return undefined;
}
