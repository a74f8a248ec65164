import { setTimeout as sleep } from "node:timers/promises";
import type { LivenessConfig } from "../config/types.js";
import type { PlannedService } from "../plan/types.js";
import { formatDuration } from "../util/duration.js";
import { checkOnce, type Attempt } from "./health.js";

/** What a liveness watch tells about the service it checks. */
export interface LivenessHandlers {
  /**
   * Its check failed `failures` times in a row or more: told after each such failure (so a restart the stack
   * could not make at the first one can be made at a later one). `first`: the first time since it last passed.
   */
  failing(reason: string, first: boolean): void;
  /** Its check passed again after `failing` was told. */
  /** Passing again; `check` is what it answered. */
  recovered(check: string): void;
}

/** One check: the readiness check's single attempt by default (a test gives its own). */
export type LivenessCheck = (service: PlannedService, timeoutMs: number, abort: AbortSignal) => Promise<Attempt>;

/**
 * Keeps checking a service that is ready with its own check, `interval` after the end of the one before, and
 * tells when it has failed `failures` times in a row, and when it passes again. Ends when `signal` aborts (the
 * run ended, the service is being stopped, restarted or replaced): no check is made, and no handler called,
 * after that. Its timers do not keep the process alive.
 */
export async function watchLiveness(
  service: PlannedService,
  liveness: LivenessConfig,
  signal: AbortSignal,
  handlers: LivenessHandlers,
  check: LivenessCheck = checkOnce,
): Promise<void> {
  let inARow = 0;
  let failing = false;
  while (!signal.aborted) {
    try {
      await sleep(liveness.intervalMs, undefined, { signal, ref: false });
    } catch {
      return; // aborted while waiting
    }
    const result = await checkWithin(service, liveness.timeoutMs, signal, check);
    if (signal.aborted) return;
    if (result.ok) {
      inARow = 0;
      if (failing) {
        failing = false;
        handlers.recovered(result.brief);
      }
      continue;
    }
    inARow++;
    if (inARow < liveness.failures) continue;
    handlers.failing(livenessReason(result.brief, inARow), !failing);
    failing = true;
  }
}

/** `liveness check: GET /health: no answer within 5s, 3 times in a row`: what made the service unhealthy. */
export function livenessReason(brief: string, inARow: number): string {
  return `liveness check: ${brief}${inARow > 1 ? `, ${inARow} times in a row` : ""}`;
}

/**
 * One check that ends by `timeoutMs` whatever it does: each check has its own timeout already, but one that
 * trickles an answer byte by byte, or a check command's child that holds its output open, must count as a
 * failure too, not hold the watch forever.
 */
async function checkWithin(service: PlannedService, timeoutMs: number, signal: AbortSignal, check: LivenessCheck): Promise<Attempt> {
  const deadline = new AbortController();
  const onAbort = () => deadline.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const brief = `${checkName(service)}: no answer within ${formatDuration(timeoutMs)}`;
  const late: Attempt = { ok: false, reason: brief, brief };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Attempt>((resolve) => {
    timer = setTimeout(() => {
      // Settled first, so that it wins over what the aborted check answers (its own error, not the timeout).
      resolve(late);
      deadline.abort();
    }, timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([check(service, timeoutMs, deadline.signal), timedOut]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

/** `GET /health`, `connect to port 8000`: the check, as the message of one that timed out names it. */
function checkName(service: PlannedService): string {
  const { health } = service;
  switch (health.kind) {
    case "http":
      return `GET ${health.path}`;
    case "tcp":
      return `connect to port ${health.port}`;
    default:
      return "health command";
  }
}
