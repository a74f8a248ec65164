import { RESTART_RESET_AFTER_MS } from "../config/types.js";
import type { ServiceRunner } from "./service-runner.js";
import type { ExitStatus } from "./spawn.js";

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; gaveUpAfter?: number };

/**
 * Whether a service that exited after the stack was up is started again, and after how long: `on-failure`
 * restarts after a non-zero exit or a signal, `always` after any exit. The delay doubles with each restart in a
 * row, up to max_delay; after max_restarts in a row portmate gives up. A run of 30 s or more was stable: the
 * count and the delay start again.
 */
export function restartDecision(runner: ServiceRunner, status: ExitStatus, now = Date.now()): RestartDecision {
  const { restart } = runner.service;
  const failed = status.code !== 0;
  if (restart.policy === "no" || (restart.policy === "on-failure" && !failed)) return { restart: false };
  if (runner.startedAt !== undefined && now - runner.startedAt >= RESTART_RESET_AFTER_MS) runner.restarts = 0;
  if (runner.restarts >= restart.maxRestarts) return { restart: false, gaveUpAfter: runner.restarts };
  return { restart: true, delayMs: Math.min(restart.delayMs * 2 ** runner.restarts, restart.maxDelayMs) };
}
