import { RESTART_RESET_AFTER_MS, type RestartConfig } from "../config/types.js";
import { isRequested, type ExitReason } from "./service-state.js";
import type { ExitStatus } from "./spawn.js";

/** What the restart policy looks at when a run of a service ended. */
export interface EndedRun {
  reason: ExitReason;
  status: ExitStatus;
  /** How many times the service was restarted in a row before this run. */
  restarts: number;
  /** How long the run lasted; undefined when it is not known. */
  ranMs: number | undefined;
}

/** Start the service again after `delayMs`, `restarts` being the restarts in a row before this one; or not. */
export type RestartDecision = { restart: true; delayMs: number; restarts: number } | { restart: false; gaveUpAfter?: number };

/**
 * Whether a service that exited after the stack was up is started again, and after how long: never when
 * portmate ended the run; `on-failure` restarts after a non-zero exit, a signal or a failed liveness check,
 * `always` after any exit. The delay doubles with each restart in a row, up to max_delay; after max_restarts
 * in a row portmate gives up. A run of 30 s or more was stable: the count and the delay start again.
 */
export function restartDecision(policy: RestartConfig, run: EndedRun): RestartDecision {
  if (isRequested(run.reason)) return { restart: false };
  // A service stopped for failing its liveness check failed, even when it exits with code 0 on the stop signal.
  const failed = run.reason === "unresponsive" || run.status.code !== 0;
  if (policy.policy === "no" || (policy.policy === "on-failure" && !failed)) return { restart: false };
  const restarts = run.ranMs !== undefined && run.ranMs >= RESTART_RESET_AFTER_MS ? 0 : run.restarts;
  if (restarts >= policy.maxRestarts) return { restart: false, gaveUpAfter: restarts };
  return { restart: true, delayMs: Math.min(policy.delayMs * 2 ** restarts, policy.maxDelayMs), restarts };
}
