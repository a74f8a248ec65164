import { request } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { formatDuration } from "../util/duration.js";
import type { PlannedCommand, PlannedHealth, PlannedService } from "../plan/types.js";

/**
 * Result of one attempt: ready, or why not: `reason` in words for the failure message (`GET
 * http://127.0.0.1:8000/health → 404`), `brief` for the progress display (`GET /health → 404`). `reached`: the
 * service answered.
 */
export type Attempt = { ok: true; brief: string } | { ok: false; reason: string; brief: string; reached?: boolean };

/** Told, after each failed attempt, what it got (`GET /health → 404`, `connection refused on 8000`). */
export type AttemptListener = (brief: string) => void;

/**
 * The first checks come quickly so a fast service is ready fast, then slow down to `interval`. A network check
 * is one loopback connect (microseconds); a command check spawns a process, so it starts slower.
 */
const BACKOFF = {
  // Every 10 ms for the first second (when most services come up), then slowing down to `interval`.
  network: { firstMs: 10, steadyForMs: 1000, factor: 1.25 },
  command: { firstMs: 50, steadyForMs: 0, factor: 2 },
};

export class HealthTimeoutError extends Error {}

/** Lines of a service's output as they come, with those already printed replayed first. */
export interface LineFeed {
  subscribe(listener: (line: string) => void): () => void;
}

/**
 * Resolves once the service is ready by its health check, rejects with HealthTimeoutError when the deadline
 * passes first, or with the abort reason when `abort` fires (the service exited, or the stack is stopping).
 */
export async function waitHealthy(
  service: PlannedService,
  lines: LineFeed,
  deadline: number,
  abort: AbortSignal,
  onAttempt: AttemptListener = () => {},
): Promise<string> {
  try {
    return await poll(service, lines, deadline, abort, onAttempt);
  } catch (error) {
    // An aborted sleep or command throws its own AbortError: report why the wait was aborted instead.
    if (abort.aborted) throw abort.reason;
    throw error;
  }
}

async function poll(service: PlannedService, lines: LineFeed, deadline: number, abort: AbortSignal, onAttempt: AttemptListener): Promise<string> {
  const { health } = service;
  if (health.kind === "none") return "started (no health check)";
  if (health.kind === "log") {
    onAttempt(`waiting for a line matching /${health.pattern.source}/`);
    await waitForLine(health.pattern, lines, deadline, service.health.timeoutMs, abort);
    return `printed a line matching /${health.pattern.source}/`;
  }

  const backoff = health.kind === "command" ? BACKOFF.command : BACKOFF.network;
  let delay = Math.min(backoff.firstMs, health.intervalMs);
  const startedAt = Date.now();
  let last: Attempt = { ok: false, reason: "not checked yet", brief: "not checked yet" };
  const same = { count: 0, since: startedAt };
  for (;;) {
    abort.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new HealthTimeoutError(`was not healthy after ${formatDuration(health.timeoutMs)} (last check: ${history(last, same)})`);
    // An attempt may take until the deadline: a first request that compiles a page, a slow check command.
    const attemptAt = Date.now();
    const previous = last;
    last = await attempt(health, service, remaining, abort);
    if (last.ok) return last.brief;
    if (previous.ok || previous.reason !== last.reason) Object.assign(same, { count: 0, since: attemptAt });
    same.count++;
    onAttempt(last.brief);
    abort.throwIfAborted();
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), undefined, { signal: abort });
    // A service that answers (with the wrong status) is up: quick probes would only fill its access log.
    if (last.reached) delay = health.intervalMs;
    else if (Date.now() - startedAt >= backoff.steadyForMs) delay = Math.min(delay * backoff.factor, health.intervalMs);
  }
}

/** `GET http://127.0.0.1:8000/health → 404, 60 times over 30s`: the last answer, and how long it has been the same. */
function history(last: Attempt, same: { count: number; since: number }): string {
  if (last.ok) return "ok";
  if (same.count < 2) return last.reason;
  return `${last.reason}, ${same.count} times over ${formatDuration(Date.now() - same.since)}`;
}

/**
 * Whether a line of a service's output is most likely its access log of portmate's own health check (`"GET
 * /health HTTP/1.1" 404`): left out of a failure's last lines, which are for what the service said. Only for a
 * path that says more than `/`.
 */
export function isProbeLine(health: PlannedHealth, line: string): boolean {
  if (health.kind !== "http" || health.path === "/" || health.path === "") return false;
  const at = line.indexOf(health.path);
  if (at < 0) return false;
  const after = line.charAt(at + health.path.length);
  return /\bGET\b/.test(line) && (after === "" || /[\s"'?]/.test(after));
}

/**
 * One check of a service that is up (its liveness): the readiness check's own attempt, given `timeoutMs`. A
 * `log` check, matched once, has nothing to ask again: it passes.
 */
export function checkOnce(service: PlannedService, timeoutMs: number, abort: AbortSignal): Promise<Attempt> {
  return attempt(service.health, service, timeoutMs, abort);
}

function attempt(health: PlannedHealth, service: PlannedService, timeoutMs: number, abort: AbortSignal): Promise<Attempt> {
  switch (health.kind) {
    case "http":
      return firstHost(health.hosts, (host) => httpAttempt(host, health.port, health.path, health.status, timeoutMs, abort));
    case "tcp":
      return firstHost(health.hosts, (host) => tcpAttempt(host, health.port, timeoutMs));
    case "command":
      return commandAttempt(health.command, service, timeoutMs, abort);
    default:
      return Promise.resolve({ ok: true, brief: health.kind === "log" ? "its line was printed" : "running" });
  }
}

/**
 * Tries each host in turn (127.0.0.1, then ::1) until one answers: a service may listen on either. An answer
 * that is not ready ends the attempt; the reason of the first unreachable host is kept otherwise.
 */
async function firstHost(hosts: string[], check: (host: string) => Promise<Attempt>): Promise<Attempt> {
  let first: Attempt | undefined;
  for (const host of hosts) {
    const result = await check(host);
    if (result.ok || result.reached) return result;
    first ??= result;
  }
  return first ?? { ok: false, reason: "no host to check", brief: "no host to check" };
}

function httpAttempt(host: string, port: number, path: string, status: number | undefined, timeoutMs: number, abort: AbortSignal): Promise<Attempt> {
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: "GET", timeout: timeoutMs, agent: false, signal: abort }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      const ok = status === undefined ? code >= 200 && code < 400 : code === status;
      const answer = `${code}${status === undefined ? "" : `, expected ${status}`}`;
      resolve(
        ok ? { ok: true, brief: `GET ${path} → ${answer}` } : { ok: false, reached: true, reason: `GET ${url} → ${answer}`, brief: `GET ${path} → ${answer}` },
      );
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${formatDuration(timeoutMs)}`)));
    req.on("error", (error: NodeJS.ErrnoException) => {
      const brief = connectionProblem(error, port) ?? `GET ${path}: ${error.code ?? error.message}`;
      resolve({ ok: false, reason: `GET ${url}: ${error.code ?? error.message}`, brief });
    });
    req.end();
  });
}

function tcpAttempt(host: string, port: number, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error("timed out")));
    socket.once("connect", () => {
      socket.destroy();
      resolve({ ok: true, brief: `port ${port} accepts connections` });
    });
    socket.once("error", (error: NodeJS.ErrnoException) =>
      resolve({
        ok: false,
        reason: `connect to ${host}:${port}: ${error.code ?? error.message}`,
        brief: connectionProblem(error, port) ?? `connect to port ${port}: ${error.code ?? error.message}`,
      }),
    );
  });
}

async function commandAttempt(command: PlannedCommand, service: PlannedService, timeoutMs: number, abort: AbortSignal): Promise<Attempt> {
  const options = {
    cwd: service.cwd,
    env: service.env,
    extendEnv: false,
    preferLocal: true,
    stdin: "ignore",
    all: true,
    reject: false,
    timeout: timeoutMs,
    cancelSignal: abort,
  } as const;
  const result = command.shell ? await execa(command.script, { ...options, shell: "/bin/sh" }) : await execa(command.file, command.args, options);
  if (result.exitCode === 0) return { ok: true, brief: "health command exited with code 0" };
  const output = (result.all ?? "").trim().split("\n").at(-1);
  const what = result.timedOut
    ? `timed out after ${formatDuration(timeoutMs)}`
    : result.exitCode === undefined
      ? result.shortMessage
      : `exited with code ${result.exitCode}`;
  const reason = `health command ${what}${output ? `: ${output}` : ""}`;
  return { ok: false, reason, brief: reason };
}

/** `connection refused on 8000`: the usual ways a connection to a service that is not up yet fails, briefly. */
function connectionProblem(error: NodeJS.ErrnoException, port: number): string | undefined {
  switch (error.code) {
    case "ECONNREFUSED":
      return `connection refused on ${port}`;
    case "ECONNRESET":
      return `connection reset on ${port}`;
    case "EADDRNOTAVAIL":
    case "EAFNOSUPPORT":
      return `no such address for port ${port}`;
    default:
      return undefined;
  }
}

function waitForLine(pattern: RegExp, lines: LineFeed, deadline: number, timeoutMs: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    let unsubscribe: (() => void) | undefined;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe?.();
      abort.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(abort.reason);
    const timer = setTimeout(
      () => finish(new HealthTimeoutError(`printed no line matching /${pattern.source}/ within ${formatDuration(timeoutMs)}`)),
      Math.max(0, deadline - Date.now()),
    );
    abort.addEventListener("abort", onAbort, { once: true });
    // Lines printed before the check began are replayed by subscribe, so one may match at once.
    unsubscribe = lines.subscribe((line) => {
      if (pattern.test(line)) finish();
    });
    if (done) unsubscribe();
    if (abort.aborted) onAbort();
  });
}
